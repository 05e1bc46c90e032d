/**
 * PyTorch's strong-Wolfe line search for L-BFGS (`torch/optim/lbfgs.py`: `_cubic_interpolate`,
 * `_strong_wolfe`, themselves ports of the Lua torch `polyinterp.lua` and `lswolfe.lua`), step for
 * step: the same trial steps, so the same number of function evaluations.
 */
import { isFloat32 } from "../kernel-check.js";
import type { FloatArray } from "../param.js";
import { py, type Scalar, ScalarArithmetic } from "./scalar.js";
import { absMax, dot } from "./vector.js";

/**
 * The minimizer of the cubic through `(x1, f1)` and `(x2, f2)` with slopes `g1`, `g2`, clamped
 * to `bounds` (default: the interval between x1 and x2); the middle of the bounds if the cubic
 * has no minimizer:
 *
 *     d1 = g1 + g2 − 3(f1 − f2)/(x1 − x2),   d2 = √(d1² − g1·g2)
 *     x  = x2 − (x2 − x1)·(g2 + d2 − d1)/(g2 − g1 + 2·d2)    (x1 ≤ x2; symmetric otherwise)
 *
 * in PyTorch's scalar arithmetic `S` (see {@link ScalarArithmetic}): the result is the clamped
 * object itself, a tensor or a Python float.
 */
export function cubicInterpolate(
  S: ScalarArithmetic,
  x1: Scalar,
  f1: Scalar,
  g1: Scalar,
  x2: Scalar,
  f2: Scalar,
  g2: Scalar,
  bounds?: readonly [Scalar, Scalar],
): Scalar {
  const [lo, hi] = bounds ?? (S.le(x1, x2) ? [x1, x2] : [x2, x1]);
  const d1 = S.sub(S.add(g1, g2), S.div(S.mul(py(3), S.sub(f1, f2)), S.sub(x1, x2)));
  const d2Square = S.sub(S.square(d1), S.mul(g1, g2));
  if (S.ge(d2Square, py(0))) {
    const d2 = S.sqrt(d2Square);
    const minPos = S.le(x1, x2)
      ? S.sub(
          x2,
          S.mul(S.sub(x2, x1), S.div(S.sub(S.add(g2, d2), d1), S.add(S.sub(g2, g1), S.mul(py(2), d2)))),
        )
      : S.sub(
          x1,
          S.mul(S.sub(x1, x2), S.div(S.sub(S.add(g1, d2), d1), S.add(S.sub(g1, g2), S.mul(py(2), d2)))),
        );
    return S.min(S.max(minPos, lo), hi);
  }
  return S.div(S.add(lo, hi), py(2));
}

/** A function value and gradient at a trial step. */
export interface Evaluation {
  loss: number;
  grad: FloatArray;
}

/** The constants of the search; defaults are PyTorch's (L-BFGS never changes them). */
export interface StrongWolfeOptions {
  /** Sufficient decrease (Armijo) constant. Default 1e-4. */
  c1?: number;
  /** Curvature constant. Default 0.9. */
  c2?: number;
  /** Stop zooming when the bracket, times max|d|, is below this. Default 1e-9. */
  toleranceChange?: number;
  /** Maximum number of evaluations after the first. Default 25. */
  maxLs?: number;
}

/** Where the search stopped: the accepted step and the function there, and how many evaluations it took. */
export interface StrongWolfeResult extends Evaluation {
  t: Scalar;
  evals: number;
}

/**
 * Finds a step `t` along the descent direction `d` from the point where the loss is `f`, the
 * gradient `g` and the directional derivative `gtd = gᵀd < 0`, that satisfies the strong Wolfe
 * conditions
 *
 *     φ(t) ≤ φ(0) + c1·t·φ'(0)          (sufficient decrease)
 *     |φ'(t)| ≤ c2·|φ'(0)|              (curvature)
 *
 * with φ(t) = loss(x + t·d). Bracketing phase: from the initial `t`, extrapolate by cubic
 * interpolation within [t + 0.01(t − t_prev), 10t] until an interval is known to contain such a
 * point. Zoom phase: shrink it by cubic interpolation (moved 0.1 of the bracket away from an end
 * it hugs twice in a row) until a point satisfies both conditions or the bracket is shorter than
 * `toleranceChange / max|d|`. At most `maxLs` evaluations after the first; on running out, the
 * best end of the bracket is returned (which may be `t = 0`).
 *
 * `evaluate(t)` returns the loss and the gradient at x + t·d (and leaves x as it was). `t0` and
 * the returned `t` are {@link Scalar}s (a Python float or a 0-d tensor, as in PyTorch); `f` is a
 * Python float, `gtd` a tensor's value.
 */
export function strongWolfe(
  evaluate: (t: number) => Evaluation,
  t0: Scalar,
  d: FloatArray,
  f: number,
  g: FloatArray,
  gtd: number,
  options: StrongWolfeOptions = {},
): StrongWolfeResult {
  const S = new ScalarArithmetic(isFloat32(d));
  const c1 = py(options.c1 ?? 1e-4);
  const c2 = py(options.c2 ?? 0.9);
  const toleranceChange = py(options.toleranceChange ?? 1e-9);
  const maxLs = options.maxLs ?? 25;
  const f0 = py(f);
  const gtd0 = S.tensor(gtd);
  // f(x + t·d) > f + c1·t·gᵀd, and |φ'(t)| ≤ −c2·gᵀd.
  const noSufficientDecrease = (t: Scalar, fNew: Scalar) => S.gt(fNew, S.add(f0, S.mul(S.mul(c1, t), gtd0)));
  const curvatureHolds = (gtdNew: Scalar) => S.le(S.abs(gtdNew), S.mul(S.neg(c2), gtd0));

  const dNorm = S.tensor(absMax(d));
  let t = t0;
  let evaluation = evaluate(t.value);
  let fNew = py(evaluation.loss);
  let gNew = evaluation.grad;
  let evals = 1;
  let gtdNew = S.tensor(dot(gNew, d));

  // Bracketing phase.
  let tPrev = py(0);
  let fPrev = f0;
  let gPrev = g;
  let gtdPrev = gtd0;
  let done = false;
  let lsIter = 0;
  let bracket: Scalar[] = [];
  let bracketF: Scalar[] = [];
  let bracketG: FloatArray[] = [];
  let bracketGtd: Scalar[] = [];
  while (lsIter < maxLs) {
    if (noSufficientDecrease(t, fNew) || (lsIter > 1 && S.ge(fNew, fPrev))) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (curvatureHolds(gtdNew)) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (S.ge(gtdNew, py(0))) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // Extrapolate, to within [t + 0.01(t − t_prev), 10t].
    const minStep = S.add(t, S.mul(py(0.01), S.sub(t, tPrev)));
    const maxStep = S.mul(t, py(10));
    const previous = t;
    t = cubicInterpolate(S, tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = previous;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    evaluation = evaluate(t.value);
    fNew = py(evaluation.loss);
    gNew = evaluation.grad;
    evals += 1;
    gtdNew = S.tensor(dot(gNew, d));
    lsIter += 1;
  }
  if (lsIter === maxLs) {
    bracket = [py(0), t];
    bracketF = [f0, fNew];
    bracketG = [g, gNew];
  }

  // Zoom phase.
  let insufficientProgress = false;
  let [low, high] = S.le(bracketF[0], bracketF[bracketF.length - 1]) ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (S.lt(S.mul(S.abs(S.sub(bracket[1], bracket[0])), dNorm), toleranceChange)) break;
    t = cubicInterpolate(S, bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // If t hugs an end of the bracket twice in a row (or lies on it), move it 0.1 of the
    // bracket's length inside.
    const top = S.max(bracket[0], bracket[1]);
    const bottom = S.min(bracket[0], bracket[1]);
    const eps = S.mul(py(0.1), S.sub(top, bottom));
    if (S.lt(S.min(S.sub(top, t), S.sub(t, bottom)), eps)) {
      if (insufficientProgress || S.ge(t, top) || S.le(t, bottom)) {
        t = S.lt(S.abs(S.sub(t, top)), S.abs(S.sub(t, bottom))) ? S.sub(top, eps) : S.add(bottom, eps);
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    evaluation = evaluate(t.value);
    fNew = py(evaluation.loss);
    gNew = evaluation.grad;
    evals += 1;
    gtdNew = S.tensor(dot(gNew, d));
    lsIter += 1;
    if (noSufficientDecrease(t, fNew) || S.ge(fNew, bracketF[low])) {
      // Not a sufficient decrease, or not below the low end: t becomes the high end.
      bracket[high] = t;
      bracketF[high] = fNew;
      bracketG[high] = gNew;
      bracketGtd[high] = gtdNew;
      [low, high] = S.le(bracketF[0], bracketF[1]) ? [0, 1] : [1, 0];
    } else {
      if (curvatureHolds(gtdNew)) {
        done = true;
      } else if (S.ge(S.mul(gtdNew, S.sub(bracket[high], bracket[low])), py(0))) {
        // The old low end becomes the high end.
        bracket[high] = bracket[low];
        bracketF[high] = bracketF[low];
        bracketG[high] = bracketG[low];
        bracketGtd[high] = bracketGtd[low];
      }
      // t becomes the low end.
      bracket[low] = t;
      bracketF[low] = fNew;
      bracketG[low] = gNew;
      bracketGtd[low] = gtdNew;
    }
  }
  return { t: bracket[low], loss: bracketF[low].value, grad: bracketG[low], evals };
}

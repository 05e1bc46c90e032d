/**
 * One `LBFGS.step()`: PyTorch's `LBFGS.step` (`torch/optim/lbfgs.py`) statement for statement,
 * over a flat view of the parameters ({@link FlatObjective}).
 */
import type { FloatArray } from "../param.js";
import { py, ScalarArithmetic } from "./scalar.js";
import type { LBFGSState } from "./state.js";
import { strongWolfe } from "./strong-wolfe.js";
import { absMax, absSum, addScaled, dot, neg, scale, sub, zerosOf } from "./vector.js";

/** What one step of L-BFGS reads (PyTorch's group options, camelCased). */
export interface LBFGSSettings {
  lr: number;
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: "strong_wolfe" | null;
}

/** The parameters seen as one flat vector x, and the closure. */
export interface FlatObjective {
  /** Whether x is float32 (else float64). */
  readonly float32: boolean;
  /** Calls the closure at the current x: the loss, and the gradient gathered into a new vector. */
  evaluate(): { loss: number; grad: FloatArray };
  /** Called with the gradient of each point the step accepts (not with line-search trials). */
  accept(grad: FloatArray): void;
  /** x ← x + t·d, fused (`p.add_(d, alpha=t)`). */
  addScaled(t: number, d: FloatArray): void;
  /** A copy of x. */
  save(): FloatArray[];
  /** x ← a copy made by `save`. */
  restore(x: FloatArray[]): void;
}

/**
 * Runs one `step()`: evaluates the closure, then up to `maxIter` iterations of
 *
 *     d ← −H·g            (two-loop recursion over the history; d = −g at the very first)
 *     t ← min(1, 1/‖g‖₁)·lr at the very first iteration, else lr
 *     x ← x + t·d          (t from the strong-Wolfe search if `lineSearchFn`), new loss and g
 *
 * stopping on PyTorch's conditions in PyTorch's order. Updates `state` in place (counters,
 * history, `al`, `prevFlatGrad`) and returns the loss of the first evaluation.
 *
 * Scalars follow PyTorch's mix of Python floats and 0-d tensors ({@link ScalarArithmetic}).
 */
export function lbfgsStep(x: FlatObjective, state: LBFGSState, h: LBFGSSettings): number {
  const S = new ScalarArithmetic(x.float32);
  const toleranceGrad = py(h.toleranceGrad);
  const toleranceChange = py(h.toleranceChange);
  const optimal = (grad: FloatArray) => S.le(S.tensor(absMax(grad)), toleranceGrad);

  let { loss, grad: flatGrad } = x.evaluate();
  const origLoss = loss;
  x.accept(flatGrad);
  let currentEvals = 1;
  state.funcEvals += 1;
  let optCond = optimal(flatGrad);
  if (optCond) return origLoss;

  let { d, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss } = state;
  let t = state.t === null ? null : py(state.t); // only its value is used before it is set again
  let nIter = 0;
  while (nIter < h.maxIter) {
    nIter += 1;
    state.nIter += 1;

    // Direction.
    if (state.nIter === 1) {
      d = neg(flatGrad);
      oldDirs = [];
      oldStps = [];
      ro = [];
      hDiag = 1;
    } else {
      if (d === null || t === null || oldDirs === null || oldStps === null || ro === null) {
        throw new RangeError(
          "LBFGS.step: the state has nIter > 0 but no history (it was not saved by LBFGS)",
        );
      }
      if (hDiag === null || prevFlatGrad === null) {
        throw new RangeError("LBFGS.step: the state has nIter > 0 but no hDiag or prevFlatGrad");
      }
      const history = { oldDirs, oldStps, ro };
      hDiag = updateHistory(S, history, sub(flatGrad, prevFlatGrad), scale(d, t.value), hDiag, h.historySize);
      if (state.al === null) state.al = zerosOf(x.float32, h.historySize).fill(Number.NaN);
      d = twoLoop(S, flatGrad, history, hDiag, state.al);
    }
    if (prevFlatGrad === null) prevFlatGrad = flatGrad.slice();
    else prevFlatGrad.set(flatGrad);
    prevLoss = loss;

    // Step length: min(1., 1./‖g‖₁)·lr at the very first iteration (a tensor if 1/‖g‖₁ < 1).
    t =
      state.nIter === 1 ? S.mul(S.min(py(1), S.div(py(1), S.tensor(absSum(flatGrad)))), py(h.lr)) : py(h.lr);
    const gtd = S.tensor(dot(flatGrad, d));
    if (S.gt(gtd, S.neg(toleranceChange))) break;

    let lsFuncEvals = 0;
    if (h.lineSearchFn !== null) {
      const xInit = x.save();
      const direction = d;
      const found = strongWolfe(
        (step) => {
          x.addScaled(step, direction);
          const evaluation = x.evaluate();
          x.restore(xInit);
          return evaluation;
        },
        t,
        d,
        loss,
        flatGrad,
        gtd.value,
      );
      ({ loss, grad: flatGrad, t, evals: lsFuncEvals } = found);
      x.addScaled(t.value, d);
      x.accept(flatGrad);
      optCond = optimal(flatGrad);
    } else {
      x.addScaled(t.value, d);
      if (nIter !== h.maxIter) {
        // Not re-evaluated after the last iteration.
        ({ loss, grad: flatGrad } = x.evaluate());
        x.accept(flatGrad);
        optCond = optimal(flatGrad);
        lsFuncEvals = 1;
      }
    }
    currentEvals += lsFuncEvals;
    state.funcEvals += lsFuncEvals;

    // Stopping conditions, in PyTorch's order.
    if (nIter === h.maxIter) break;
    if (currentEvals >= h.maxEval) break;
    if (optCond) break;
    if (S.le(S.tensor(absMax(d, t.value)), toleranceChange)) break; // no progress: max|t·d|
    if (Math.abs(loss - prevLoss) < h.toleranceChange) break;
  }
  Object.assign(state, {
    d,
    t: t === null ? null : t.value,
    oldDirs,
    oldStps,
    ro,
    hDiag,
    prevFlatGrad,
    prevLoss,
  });
  return origLoss;
}

interface History {
  oldDirs: FloatArray[];
  oldStps: FloatArray[];
  ro: number[];
}

/**
 * Adds the pair (y, s) to the history if the curvature yᵀs exceeds 1e-10 (dropping the oldest
 * pair when `historySize` are kept), and returns the new scale γ = yᵀs/yᵀy (else the old one).
 */
function updateHistory(
  S: ScalarArithmetic,
  history: History,
  y: FloatArray,
  s: FloatArray,
  hDiag: number,
  historySize: number,
): number {
  const ys = S.tensor(dot(y, s));
  if (!S.gt(ys, py(1e-10))) return hDiag;
  // `==`, as PyTorch: a history longer than a historySize lowered later keeps growing.
  if (history.oldDirs.length === historySize) {
    history.oldDirs.shift();
    history.oldStps.shift();
    history.ro.shift();
  }
  history.oldDirs.push(y);
  history.oldStps.push(s);
  history.ro.push(S.div(py(1), ys).value);
  return S.div(ys, S.tensor(dot(y, y))).value;
}

/**
 * The two-loop recursion: d = −H·g for the L-BFGS inverse-Hessian approximation H built from
 * H₀ = γI and the pairs (sᵢ, yᵢ), ρᵢ = 1/(yᵢᵀsᵢ), newest first then oldest first:
 *
 *     q ← −g;  for i = k−1 … 0:  αᵢ ← ρᵢ·sᵢᵀq,  q ← q − αᵢ·yᵢ
 *     d ← γ·q; for i = 0 … k−1:  βᵢ ← ρᵢ·yᵢᵀd,  d ← d + (αᵢ − βᵢ)·sᵢ
 *
 * `al` receives the αᵢ (PyTorch keeps that buffer in the state).
 */
function twoLoop(
  S: ScalarArithmetic,
  g: FloatArray,
  history: History,
  hDiag: number,
  al: FloatArray,
): FloatArray {
  const { oldDirs, oldStps, ro } = history;
  const k = oldDirs.length;
  if (k > al.length) {
    throw new RangeError(
      `LBFGS.step: the history holds ${k} pairs but the saved al buffer has ${al.length} entries (historySize was raised after the first step, where PyTorch fails with an IndexError); create a new optimizer to change historySize`,
    );
  }
  const q = neg(g);
  for (let i = k - 1; i >= 0; i--) {
    al[i] = S.mul(S.tensor(dot(oldStps[i], q)), S.tensor(ro[i])).value;
    addScaled(q, oldDirs[i], -al[i]);
  }
  const d = scale(q, hDiag);
  for (let i = 0; i < k; i++) {
    const be = S.mul(S.tensor(dot(oldDirs[i], d)), S.tensor(ro[i]));
    addScaled(d, oldStps[i], S.sub(S.tensor(al[i]), be).value);
  }
  return d;
}

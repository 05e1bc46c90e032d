// The closed-loop problem, harness and tolerances shared by the optimizers' reference tests: each
// optimizer's test runs the class on this problem and compares it with its own independent float64
// reference of PyTorch's algorithm box.
import { expect, it } from "vitest";
import type { AdamHyperparameters } from "./adam.js";
import type { Optimizer } from "./optimizer.js";
import type { Param } from "./param.js";

/** Largest relative deviation allowed between the optimizer and the float64 reference. */
export const REL_TOL = 1e-12;
/** Below this magnitude deviations are measured absolutely (relative error is meaningless near 0). */
export const MAGNITUDE_FLOOR = 1e-6;
/** Relative tolerance against the hand-computed (Python float64) values: a few ulps. */
export const HAND_TOL = 1e-14;
/** Steps of every reference trajectory. */
export const STEPS = 60;

// A 5-dimensional quadratic ½θᵀAθ − bᵀθ, plus a deterministic perturbation that varies with the step.
const A = [
  [2.0, 0.3, -0.2, 0.1, 0.0],
  [0.3, 1.5, 0.4, 0.0, -0.1],
  [-0.2, 0.4, 1.0, 0.2, 0.3],
  [0.1, 0.0, 0.2, 0.8, -0.25],
  [0.0, -0.1, 0.3, -0.25, 1.2],
];
const B = [1.0, -0.5, 0.25, 2.0, -1.5];
/** The starting point of every reference trajectory. */
export const THETA0 = [0.5, -1.25, 0.75, 1.5, -0.3];

/** Closed-loop gradient at step t: the quadratic's (Aθ − b) plus 0.25·sin(0.7t + 1.3i). */
export function gradientAt(theta: ArrayLike<number>, t: number): number[] {
  const g: number[] = [];
  for (let i = 0; i < 5; i++) {
    let s = -B[i] + 0.25 * Math.sin(0.7 * t + 1.3 * i);
    for (let j = 0; j < 5; j++) s += A[i][j] * theta[j];
    g.push(s);
  }
  return g;
}

// biome-ignore lint/suspicious/noExplicitAny: any optimizer, whatever its hyperparameters and state
type AnyOptimizer = Optimizer<any, any>;

/**
 * Runs the optimizer built by `make` for {@link STEPS} steps on the closed-loop problem, from
 * {@link THETA0} in float64; `schedule(t)` is written into the param group before step t.
 * Returns θ after every step.
 */
export function runTrajectory(
  make: (params: Param[]) => AnyOptimizer,
  schedule?: (t: number) => object,
): number[][] {
  const p: Param = { data: Float64Array.from(THETA0), grad: null };
  const opt = make([p]);
  const out: number[][] = [];
  for (let t = 1; t <= STEPS; t++) {
    if (schedule) Object.assign(opt.paramGroups[0], schedule(t));
    p.grad = { data: Float64Array.from(gradientAt(p.data, t)) };
    opt.step();
    out.push([...p.data]);
  }
  return out;
}

/** The gradients of the hand-computed cases, from p₀ = {@link HAND_P0}. */
export const HAND_GRADS = [
  [0.5, -1.0],
  [0.3, 0.2],
  [-0.4, 0.1],
];
/** The starting point of the hand-computed cases. */
export const HAND_P0 = [1, -2];

/** Steps the optimizer built by `make` with {@link HAND_GRADS} from {@link HAND_P0}; θ after every step. */
export function runHand(make: (params: Param[]) => AnyOptimizer): number[][] {
  const p: Param = { data: Float64Array.from(HAND_P0), grad: null };
  const opt = make([p]);
  return HAND_GRADS.map((g) => {
    p.grad = { data: Float64Array.from(g) };
    opt.step();
    return [...p.data];
  });
}

/**
 * Largest relative deviation of `actual` from `expected` (absolute below {@link MAGNITUDE_FLOOR});
 * a NaN anywhere counts as infinitely far.
 */
export function maxDeviation(actual: number[][], expected: number[][]): number {
  let worst = 0;
  for (let t = 0; t < expected.length; t++) {
    for (let i = 0; i < expected[t].length; i++) {
      const e = expected[t][i];
      const dev = Math.abs(actual[t][i] - e) / Math.max(Math.abs(e), MAGNITUDE_FLOOR);
      worst = Number.isNaN(dev) ? Number.POSITIVE_INFINITY : Math.max(worst, dev);
    }
  }
  return worst;
}

/**
 * Registers one test per option set, asserting the optimizer's trajectory is within
 * {@link REL_TOL} of the reference's, and a test named `covers` that checks the sweep has
 * `count` option sets and reports the largest deviation seen.
 */
export function itMatchesReference<H>(
  name: string,
  combos: readonly H[],
  count: number,
  covers: string,
  run: (h: H) => { actual: number[][]; expected: number[][] },
): void {
  let worst = 0;
  it.each(combos.map((h) => [JSON.stringify(h), h] as const))("%s", (_, h) => {
    const { actual, expected } = run(h);
    const dev = maxDeviation(actual, expected);
    worst = Math.max(worst, dev);
    expect(dev).toBeLessThanOrEqual(REL_TOL);
  });
  it(covers, () => {
    expect(combos.length).toBe(count);
    console.info(
      `${name}: ${combos.length} option sets, largest relative deviation ${worst.toExponential(2)}`,
    );
  });
}

/**
 * PyTorch's Adam / AdamW algorithm box on the closed-loop problem, written independently of the
 * kernel: weight decay added to g (Adam) or θ ← θ − γλθ first (AdamW, `decoupled`), bias-corrected
 * moments m̂, v̂ computed explicitly, ε added to √v̂, AMSGrad's max over the raw v, scalar loops over
 * plain arrays. `mistake` introduces a plausible error, to show the comparison catches it.
 */
export function referenceAdam(
  h: AdamHyperparameters,
  options: {
    decoupled?: boolean;
    schedule?: (t: number) => Partial<AdamHyperparameters>;
    mistake?: "max of v-hat" | "eps inside sqrt";
  } = {},
): number[][] {
  const { decoupled = false, schedule, mistake } = options;
  const theta = [...THETA0];
  const m = [0, 0, 0, 0, 0];
  const v = [0, 0, 0, 0, 0];
  const vMax = [0, 0, 0, 0, 0];
  const out: number[][] = [];
  for (let t = 1; t <= STEPS; t++) {
    const { lr, betas, eps, weightDecay, amsgrad, maximize } = { ...h, ...schedule?.(t) };
    const [b1, b2] = betas;
    const grad = gradientAt(theta, t);
    for (let i = 0; i < 5; i++) {
      let g = maximize ? -grad[i] : grad[i];
      if (decoupled) theta[i] -= lr * weightDecay * theta[i];
      else if (weightDecay !== 0) g += weightDecay * theta[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const mHat = m[i] / (1 - b1 ** t);
      let vHat: number;
      if (amsgrad && mistake === "max of v-hat") {
        vMax[i] = Math.max(vMax[i], v[i] / (1 - b2 ** t));
        vHat = vMax[i];
      } else if (amsgrad) {
        vMax[i] = Math.max(vMax[i], v[i]);
        vHat = vMax[i] / (1 - b2 ** t);
      } else {
        vHat = v[i] / (1 - b2 ** t);
      }
      theta[i] -=
        mistake === "eps inside sqrt"
          ? (lr * mHat) / Math.sqrt(vHat + eps)
          : (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
    out.push([...theta]);
  }
  return out;
}

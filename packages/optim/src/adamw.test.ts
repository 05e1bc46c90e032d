import { describe, expect, it } from "vitest";
import type { AdamHyperparameters } from "./adam.js";
import { AdamW, adamwStep } from "./adamw.js";

/** Largest relative deviation allowed between the optimizer and the float64 reference. */
const REL_TOL = 1e-12;
/** Below this magnitude deviations are measured absolutely (relative error is meaningless near 0). */
const MAGNITUDE_FLOOR = 1e-6;
/** Relative tolerance against the hand-computed (Python float64) values: a few ulps. */
const HAND_TOL = 1e-14;
/** Steps of every reference trajectory. */
const STEPS = 60;

const A = [
  [2.0, 0.3, -0.2, 0.1, 0.0],
  [0.3, 1.5, 0.4, 0.0, -0.1],
  [-0.2, 0.4, 1.0, 0.2, 0.3],
  [0.1, 0.0, 0.2, 0.8, -0.25],
  [0.0, -0.1, 0.3, -0.25, 1.2],
];
const B = [1.0, -0.5, 0.25, 2.0, -1.5];
const THETA0 = [0.5, -1.25, 0.75, 1.5, -0.3];

/** Closed-loop gradient: a quadratic's plus a step-dependent perturbation. */
function gradientAt(theta: ArrayLike<number>, t: number): number[] {
  const g: number[] = [];
  for (let i = 0; i < 5; i++) {
    let s = -B[i] + 0.25 * Math.sin(0.7 * t + 1.3 * i);
    for (let j = 0; j < 5; j++) s += A[i][j] * theta[j];
    g.push(s);
  }
  return g;
}

/**
 * PyTorch's AdamW algorithm box, written independently of the kernel: θ ← θ − γλθ first, then
 * bias-corrected moments m̂, v̂ computed explicitly, ε added to √v̂, AMSGrad's max over the raw v.
 */
function referenceAdamW(
  h: AdamHyperparameters,
  schedule?: (t: number) => Partial<AdamHyperparameters>,
): number[][] {
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
      const g = maximize ? -grad[i] : grad[i];
      theta[i] -= lr * weightDecay * theta[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const mHat = m[i] / (1 - b1 ** t);
      let vHat: number;
      if (amsgrad) {
        vMax[i] = Math.max(vMax[i], v[i]);
        vHat = vMax[i] / (1 - b2 ** t);
      } else {
        vHat = v[i] / (1 - b2 ** t);
      }
      theta[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
    out.push([...theta]);
  }
  return out;
}

function runAdamW(
  h: AdamHyperparameters,
  schedule?: (t: number) => Partial<AdamHyperparameters>,
): number[][] {
  const p = { data: Float64Array.from(THETA0), grad: null as { data: Float64Array } | null };
  const opt = new AdamW([p], h);
  const out: number[][] = [];
  for (let t = 1; t <= STEPS; t++) {
    if (schedule) Object.assign(opt.paramGroups[0], schedule(t));
    p.grad = { data: Float64Array.from(gradientAt(p.data, t)) };
    opt.step();
    out.push([...p.data]);
  }
  return out;
}

function maxDeviation(actual: number[][], expected: number[][]): number {
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

function combos(): AdamHyperparameters[] {
  const out: AdamHyperparameters[] = [];
  for (const betas of [
    [0.9, 0.999],
    [0.5, 0.9],
  ] as [number, number][])
    for (const amsgrad of [false, true])
      for (const weightDecay of [0, 1e-2, 0.3])
        for (const maximize of [false, true])
          out.push({ lr: 0.01, betas, eps: 1e-8, weightDecay, amsgrad, maximize });
  return out;
}

describe("AdamW against an independent float64 reference of PyTorch's algorithm", () => {
  const all = combos();
  let worst = 0;

  it.each(all.map((h) => [JSON.stringify(h), h] as const))("%s", (_, h) => {
    const dev = maxDeviation(runAdamW(h), referenceAdamW(h));
    worst = Math.max(worst, dev);
    expect(dev).toBeLessThanOrEqual(REL_TOL);
  });

  it("covers betas × amsgrad × weightDecay × maximize", () => {
    expect(all.length).toBe(24);
    console.info(`AdamW: ${all.length} option sets, largest relative deviation ${worst.toExponential(2)}`);
  });

  it("follows lr and weightDecay written into the param group mid-training (decay scales with lr)", () => {
    const h: AdamHyperparameters = {
      lr: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0.1,
      amsgrad: false,
      maximize: true,
    };
    const schedule = (t: number): Partial<AdamHyperparameters> =>
      t <= 30 ? { lr: 0.01 * (1 - t / 60) } : { lr: 0.003, weightDecay: 0.5 };
    expect(maxDeviation(runAdamW(h, schedule), referenceAdamW(h, schedule))).toBeLessThanOrEqual(REL_TOL);
  });
});

describe("AdamW hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  // p₀ = [1, −2]; gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1]; lr 0.1, betas (0.9, 0.999), eps 1e-8.
  const GRADS = [
    [0.5, -1.0],
    [0.3, 0.2],
    [-0.4, 0.1],
  ];
  function run(options: ConstructorParameters<typeof AdamW>[1]): number[][] {
    const p = { data: new Float64Array([1, -2]), grad: null as { data: Float64Array } | null };
    const opt = new AdamW([p], options);
    return GRADS.map((g) => {
      p.grad = { data: Float64Array.from(g) };
      opt.step();
      return [...p.data];
    });
  }

  it("decoupled decay 0.1: the first step is p·(1 − 0.01) − 0.1·g/(|g| + ε)", () => {
    expect(
      maxDeviation(run({ lr: 0.1, weightDecay: 0.1 }), [
        [0.890000002, -1.880000001],
        [0.785350986688876, -1.8100973939804947],
        [0.752638794154263, -1.758923125773144],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });

  it("AMSGrad + maximize + decay 0.1", () => {
    expect(
      maxDeviation(run({ lr: 0.1, weightDecay: 0.1, amsgrad: true, maximize: true }), [
        [1.0899999980000001, -2.079999999],
        [1.174849013311124, -2.1103026060195056],
        [1.1879592058457369, -2.1222728742268564],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });

  it("with zero gradients only the decay acts: p·(1 − γλ)^t exactly", () => {
    const p = { data: new Float64Array([1.5, -0.25]), grad: { data: new Float64Array(2) } };
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.2 });
    const expected = [1.5, -0.25];
    for (let t = 0; t < 10; t++) {
      opt.step();
      for (let i = 0; i < 2; i++) expected[i] = expected[i] * (1 - 0.1 * 0.2);
    }
    expect([...p.data]).toEqual(expected);
  });
});

describe("AdamW", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });

  it("defaults are PyTorch's (weightDecay 1e-2)", () => {
    expect(new AdamW([p()]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
    });
  });

  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ eps: -1 }, "Invalid epsilon value: -1"],
    [{ betas: [0.9, 1] }, "Invalid beta parameter at index 1: 1"],
    [{ weightDecay: -1e-2 }, "Invalid weightDecay value: -0.01 (PyTorch: Invalid weight_decay value: -0.01)"],
  ])("%j → %s", (options, message) => {
    expect(() => new AdamW([p()], options as never)).toThrow(message);
  });

  it("adamwStep rejects a gradient of the wrong length", () => {
    const h: AdamHyperparameters = {
      lr: 0.1,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    };
    const a = () => new Float64Array(3);
    expect(() => adamwStep(a(), new Float64Array(4), a(), a(), null, 1, h)).toThrow(
      "adamwStep: grad has 4 elements, but the parameter has 3",
    );
  });
});

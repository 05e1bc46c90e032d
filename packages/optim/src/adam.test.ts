import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Adam, type AdamHyperparameters, adamStep } from "./adam.js";

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
 * PyTorch's Adam algorithm box, written independently of the kernel: bias-corrected moments m̂, v̂
 * computed explicitly, ε added to √v̂, AMSGrad's max over the raw v, scalar loops over plain arrays.
 */
function referenceAdam(
  h: AdamHyperparameters,
  schedule?: (t: number) => Partial<AdamHyperparameters>,
  mistake?: "max of v-hat" | "eps inside sqrt",
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
      let g = maximize ? -grad[i] : grad[i];
      if (weightDecay !== 0) g += weightDecay * theta[i];
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

function runAdam(h: AdamHyperparameters, schedule?: (t: number) => Partial<AdamHyperparameters>): number[][] {
  const p = { data: Float64Array.from(THETA0), grad: null as { data: Float64Array } | null };
  const opt = new Adam([p], h);
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
    for (const eps of [1e-8, 1e-3])
      for (const amsgrad of [false, true])
        for (const weightDecay of [0, 0.05])
          for (const maximize of [false, true])
            out.push({ lr: 0.01, betas, eps, weightDecay, amsgrad, maximize });
  return out;
}

describe("Adam against an independent float64 reference of PyTorch's algorithm", () => {
  const all = combos();
  let worst = 0;

  it.each(all.map((h) => [JSON.stringify(h), h] as const))("%s", (_, h) => {
    const dev = maxDeviation(runAdam(h), referenceAdam(h));
    worst = Math.max(worst, dev);
    expect(dev).toBeLessThanOrEqual(REL_TOL);
  });

  it("covers betas × eps × amsgrad × weightDecay × maximize", () => {
    expect(all.length).toBe(32);
    console.info(`Adam: ${all.length} option sets, largest relative deviation ${worst.toExponential(2)}`);
  });

  it("follows lr and betas written into the param group mid-training", () => {
    const h: AdamHyperparameters = {
      lr: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0.01,
      amsgrad: true,
      maximize: false,
    };
    const schedule = (t: number): Partial<AdamHyperparameters> =>
      t <= 30 ? { lr: 0.01 * (1 - t / 60) } : { lr: 0.002, betas: [0.85, 0.99] };
    expect(maxDeviation(runAdam(h, schedule), referenceAdam(h, schedule))).toBeLessThanOrEqual(REL_TOL);
  });
});

describe("property: random hyperparameters agree with the reference", () => {
  it("Adam", () => {
    const hyper = fc.record({
      lr: fc.double({ min: 0, max: 0.05, noNaN: true }),
      betas: fc.tuple(
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
      ),
      eps: fc.double({ min: 1e-12, max: 1e-2, noNaN: true }),
      weightDecay: fc.double({ min: 0, max: 0.1, noNaN: true }),
      amsgrad: fc.boolean(),
      maximize: fc.boolean(),
    });
    fc.assert(
      fc.property(hyper, (h) => {
        expect(maxDeviation(runAdam(h), referenceAdam(h))).toBeLessThanOrEqual(REL_TOL);
      }),
      { numRuns: 100, seed: 4 },
    );
  });
});

describe("the Adam comparison is sensitive", () => {
  const h: AdamHyperparameters = {
    lr: 0.01,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: true,
    maximize: false,
  };
  it("AMSGrad over the bias-corrected v̂ (instead of PyTorch's raw v) is caught", () => {
    expect(maxDeviation(runAdam(h), referenceAdam(h, undefined, "max of v-hat"))).toBeGreaterThan(
      1e6 * REL_TOL,
    );
  });
  it("ε inside the square root is caught", () => {
    const h2 = { ...h, amsgrad: false, eps: 1e-6 };
    expect(maxDeviation(runAdam(h2), referenceAdam(h2, undefined, "eps inside sqrt"))).toBeGreaterThan(
      1e3 * REL_TOL,
    );
  });
});

describe("Adam hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  // p₀ = [1, −2]; gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1]; lr 0.1, betas (0.9, 0.999), eps 1e-8.
  const GRADS = [
    [0.5, -1.0],
    [0.3, 0.2],
    [-0.4, 0.1],
  ];
  function run(options: ConstructorParameters<typeof Adam>[1]): number[][] {
    const p = { data: new Float64Array([1, -2]), grad: null as { data: Float64Array } | null };
    const opt = new Adam([p], options);
    return GRADS.map((g) => {
      p.grad = { data: Float64Array.from(g) };
      opt.step();
      return [...p.data];
    });
  }
  function expectClose(actual: number[][], expected: number[][]): void {
    expect(maxDeviation(actual, expected)).toBeLessThanOrEqual(HAND_TOL);
  }

  it("first step moves every coordinate by lr·g/(|g| + ε) ≈ lr", () => {
    expectClose(run({ lr: 0.1 }), [
      [0.900000002, -1.900000001],
      [0.8042509867088761, -1.8488973939904947],
      [0.7793923040411518, -1.815824099722949],
    ]);
  });

  it("AMSGrad with coupled weight decay 0.1", () => {
    expectClose(run({ lr: 0.1, amsgrad: true, weightDecay: 0.1 }), [
      [0.9000000016666666, -1.9000000008333333],
      [0.8032588944376974, -1.8336478015085491],
      [0.7610640429454931, -1.778025629196735],
    ]);
  });
});

describe("adamStep kernel", () => {
  const h: AdamHyperparameters = {
    lr: 0.1,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: true,
    maximize: false,
  };

  it("keeps the maximum of the raw v (not of v̂) for AMSGrad", () => {
    const p = new Float64Array([0]);
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    const vmax = new Float64Array(1);
    adamStep(p, new Float64Array([2]), m, v, vmax, 1, h);
    expect(v[0]).toBeCloseTo(0.004, 17);
    expect(vmax[0]).toBe(v[0]);
    adamStep(p, new Float64Array([0]), m, v, vmax, 2, h);
    // v decays to 0.999·0.004; the maximum keeps 0.004.
    expect(v[0]).toBeLessThan(vmax[0]);
    expect(vmax[0]).toBeCloseTo(0.004, 17);
  });

  it("rejects mismatched lengths and a missing AMSGrad buffer", () => {
    const a = () => new Float64Array(3);
    expect(() => adamStep(a(), a(), a(), new Float64Array(2), a(), 1, h)).toThrow(
      "adamStep: exp_avg_sq (v) has 2 elements, but the parameter has 3",
    );
    expect(() => adamStep(a(), a(), a(), a(), null, 1, h)).toThrow("adamStep: amsgrad needs a vmax buffer");
  });
});

describe("Adam validation (PyTorch's messages)", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ eps: -1e-8 }, "Invalid epsilon value: -1e-8"],
    [{ betas: [1, 0.999] }, "Invalid beta parameter at index 0: 1"],
    [{ betas: [-0.1, 0.999] }, "Invalid beta parameter at index 0: -0.1"],
    [{ betas: [0.9, 1.5] }, "Invalid beta parameter at index 1: 1.5"],
    [{ betas: [0.9] }, "Invalid betas value: [0.9] (expected a pair [beta1, beta2])"],
    [{ weightDecay: -0.1 }, "Invalid weightDecay value: -0.1 (PyTorch: Invalid weight_decay value: -0.1)"],
    [{ amsgrad: 1 }, "Invalid amsgrad value: 1 (expected a boolean)"],
  ])("%j → %s", (options, message) => {
    expect(() => new Adam([p()], options as never)).toThrow(message);
  });

  it("defaults are PyTorch's", () => {
    expect(new Adam([p()]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    });
  });
});

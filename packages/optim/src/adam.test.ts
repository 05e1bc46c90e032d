import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Adam, type AdamHyperparameters, type AdamOptions, adamStep } from "./adam.js";
import {
  HAND_TOL,
  itMatchesReference,
  maxDeviation,
  REL_TOL,
  referenceAdam,
  runHand,
  runTrajectory,
} from "./reference.testutil.js";

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
  itMatchesReference("Adam", combos(), 32, "covers betas × eps × amsgrad × weightDecay × maximize", (h) => ({
    actual: runTrajectory((ps) => new Adam(ps, h)),
    expected: referenceAdam(h),
  }));

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
    expect(
      maxDeviation(
        runTrajectory((ps) => new Adam(ps, h), schedule),
        referenceAdam(h, { schedule }),
      ),
    ).toBeLessThanOrEqual(REL_TOL);
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
        expect(
          maxDeviation(
            runTrajectory((ps) => new Adam(ps, h)),
            referenceAdam(h),
          ),
        ).toBeLessThanOrEqual(REL_TOL);
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
    expect(
      maxDeviation(
        runTrajectory((ps) => new Adam(ps, h)),
        referenceAdam(h, { mistake: "max of v-hat" }),
      ),
    ).toBeGreaterThan(1e6 * REL_TOL);
  });
  it("ε inside the square root is caught", () => {
    const h2 = { ...h, amsgrad: false, eps: 1e-6 };
    expect(
      maxDeviation(
        runTrajectory((ps) => new Adam(ps, h2)),
        referenceAdam(h2, { mistake: "eps inside sqrt" }),
      ),
    ).toBeGreaterThan(1e3 * REL_TOL);
  });
});

describe("Adam hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  // p₀ = [1, −2]; gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1]; lr 0.1, betas (0.9, 0.999), eps 1e-8.
  const run = (options: AdamOptions) => runHand((ps) => new Adam(ps, options));
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

import { describe, expect, it } from "vitest";
import type { AdamHyperparameters, AdamOptions } from "./adam.js";
import { AdamW, adamwStep } from "./adamw.js";
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
    for (const amsgrad of [false, true])
      for (const weightDecay of [0, 1e-2, 0.3])
        for (const maximize of [false, true])
          out.push({ lr: 0.01, betas, eps: 1e-8, weightDecay, amsgrad, maximize });
  return out;
}

describe("AdamW against an independent float64 reference of PyTorch's algorithm", () => {
  itMatchesReference("AdamW", combos(), 24, "covers betas × amsgrad × weightDecay × maximize", (h) => ({
    actual: runTrajectory((ps) => new AdamW(ps, h)),
    expected: referenceAdam(h, { decoupled: true }),
  }));

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
    expect(
      maxDeviation(
        runTrajectory((ps) => new AdamW(ps, h), schedule),
        referenceAdam(h, { decoupled: true, schedule }),
      ),
    ).toBeLessThanOrEqual(REL_TOL);
  });
});

describe("AdamW hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  // p₀ = [1, −2]; gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1]; lr 0.1, betas (0.9, 0.999), eps 1e-8.
  const run = (options: AdamOptions) => runHand((ps) => new AdamW(ps, options));

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

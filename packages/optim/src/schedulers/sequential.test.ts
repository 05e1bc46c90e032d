import { describe, expect, it } from "vitest";
import { CosineAnnealingLR } from "./cosine.js";
import { ExponentialLR } from "./exponential.js";
import { LambdaLR } from "./lambda.js";
import { LinearLR } from "./linear.js";
import { ReduceLROnPlateau } from "./plateau.js";
import { SequentialLR } from "./sequential.js";
import { StepLR } from "./step.js";

/** Against the documented piecewise schedule: agreement to rounding. */
const LR_RTOL = 1e-12;
/** Absolute floor for the cosine's exact zero at tMax. */
const ZERO_ATOL = 1e-15;

function expectRel(actual: number, expected: number, rtol: number, atol = 0): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected) + atol);
}

describe("SequentialLR", () => {
  it("warms up linearly for 5 epochs, then anneals with a cosine restarted at the milestone", () => {
    const opt = { paramGroups: [{ lr: 0.1 }, { lr: 0.04 }] };
    const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
    const cosine = new CosineAnnealingLR(opt, { tMax: 10, etaMin: 0 });
    const sched = new SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [5] });
    expect(sched.lastEpoch).toBe(0);
    /** Reference: linear factor 0.1 → 1 on epochs 0..4; from epoch 5, cosine from η0 with t = epoch − 5. */
    const reference = (base: number, t: number) =>
      t < 5 ? base * (0.1 + (0.9 * t) / 5) : (base * (1 + Math.cos((Math.PI * (t - 5)) / 10))) / 2;
    for (let t = 0; t <= 18; t++) {
      if (t > 0) sched.step();
      const lrs = sched.getLastLr();
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(lrs);
      expectRel(lrs[0], reference(0.1, t), LR_RTOL, ZERO_ATOL);
      expectRel(lrs[1], reference(0.04, t), LR_RTOL, ZERO_ATOL);
    }
    // hand values: epoch 0 is 0.1·0.1, epoch 5 the full lr, epoch 15 the cosine's minimum
  });

  it("hand values of the warmup → cosine sequence", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const sched = new SequentialLR(opt, {
      schedulers: [
        new LinearLR(opt, { startFactor: 0.5, totalIters: 2 }),
        new CosineAnnealingLR(opt, { tMax: 2 }),
      ],
      milestones: [2],
    });
    const lrs = [sched.getLastLr()[0]];
    for (let t = 1; t <= 4; t++) {
      sched.step();
      lrs.push(sched.getLastLr()[0]);
    }
    expect(lrs[0]).toBe(0.5);
    expectRel(lrs[1], 0.75, LR_RTOL);
    expect(lrs[2]).toBe(1); // the cosine restarts at epoch 0 in closed form
    expectRel(lrs[3], 0.5, LR_RTOL);
    expectRel(lrs[4], 0, 0, ZERO_ATOL);
  });

  it("gives PyTorch's documented example: constant 0.005 for 20 epochs, then 0.05·0.9^(t−20)", () => {
    const opt = { paramGroups: [{ lr: 0.05 }] };
    // ConstantLR(factor 0.1, 20 iters) written as a LambdaLR
    const constant = new LambdaLR(opt, { lrLambda: (e) => (e < 20 ? 0.1 : 1) });
    const decay = new ExponentialLR(opt, { gamma: 0.9 });
    const sched = new SequentialLR(opt, { schedulers: [constant, decay], milestones: [20] });
    for (let t = 0; t <= 30; t++) {
      if (t > 0) sched.step();
      expectRel(sched.getLastLr()[0], t < 20 ? 0.005 : 0.05 * 0.9 ** (t - 20), LR_RTOL);
    }
  });

  it("runs three schedulers with two milestones", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const sched = new SequentialLR(opt, {
      schedulers: [
        new LambdaLR(opt, { lrLambda: (e) => (e + 1) / 3 }),
        new StepLR(opt, { stepSize: 2, gamma: 0.5 }),
        new ExponentialLR(opt, { gamma: 0.1 }),
      ],
      milestones: [3, 7],
    });
    const expected = [1 / 3, 2 / 3, 1, 1, 1, 0.5, 0.5, 1, 0.1, 0.01];
    expected.forEach((lr, t) => {
      if (t > 0) sched.step();
      expectRel(sched.getLastLr()[0], lr, LR_RTOL);
    });
  });

  it("rejects bad arguments with PyTorch's messages", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const other = { paramGroups: [{ lr: 1 }] };
    const a = new StepLR(opt, { stepSize: 2 });
    expect(() => new SequentialLR(opt, { schedulers: [], milestones: [] })).toThrow(
      "SequentialLR expects at least one scheduler, but got no scheduler.",
    );
    expect(() => new SequentialLR(opt, { schedulers: [a, a], milestones: [] })).toThrow(
      "Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 0",
    );
    expect(
      () => new SequentialLR(opt, { schedulers: [a, new StepLR(other, { stepSize: 2 })], milestones: [3] }),
    ).toThrow("SequentialLR expects all schedulers to belong to the same optimizer");
    expect(
      () => new SequentialLR(opt, { schedulers: [a, new ReduceLROnPlateau(opt) as never], milestones: [3] }),
    ).toThrow("SequentialLR does not support `ReduceLROnPlateau` scheduler");
    expect(() => new SequentialLR(opt, { schedulers: [a, a, a], milestones: [5, 3] })).toThrow(
      "SequentialLR: milestones must be increasing",
    );
  });
});

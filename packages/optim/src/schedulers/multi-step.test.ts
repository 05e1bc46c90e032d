import { describe, expect, it } from "vitest";
import { MultiStepLR } from "./multi-step.js";

/** Relative tolerance for lr sequences: the recursion drifts from the closed form by a few ulps. */
const LR_RTOL = 1e-12;

function fakeOptimizer(...lrs: number[]) {
  return { paramGroups: lrs.map((lr) => ({ lr })) };
}

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

/** Reference: η0·γ^(number of milestones ≤ t), counting repeats. */
function reference(base: number, milestones: number[], gamma: number, t: number): number {
  let k = 0;
  for (const m of milestones) if (m <= t) k++;
  return base * gamma ** k;
}

describe("MultiStepLR", () => {
  it("decays at each milestone, for two groups, over 40 epochs", () => {
    const opt = fakeOptimizer(0.05, 2);
    const milestones = [30, 5, 12]; // unsorted on purpose: PyTorch counts them, order does not matter
    const sched = new MultiStepLR(opt, { milestones, gamma: 0.3 });
    for (let t = 0; t <= 40; t++) {
      if (t > 0) sched.step();
      const lr = sched.getLastLr();
      expectRel(lr[0], reference(0.05, milestones, 0.3, t), LR_RTOL);
      expectRel(lr[1], reference(2, milestones, 0.3, t), LR_RTOL);
    }
  });

  it("gives PyTorch's documented example and applies a repeated milestone twice", () => {
    const sched = new MultiStepLR(fakeOptimizer(0.05), { milestones: [30, 80] });
    const lrs = [sched.getLastLr()[0]];
    for (let t = 1; t <= 90; t++) {
      sched.step();
      lrs.push(sched.getLastLr()[0]);
    }
    expect(lrs[29]).toBe(0.05);
    expectRel(lrs[30], 0.005, LR_RTOL);
    expectRel(lrs[79], 0.005, LR_RTOL);
    expectRel(lrs[80], 0.0005, LR_RTOL);

    const twice = new MultiStepLR(fakeOptimizer(1), { milestones: [2, 2], gamma: 0.5 });
    twice.step();
    twice.step();
    expect(twice.getLastLr()[0]).toBe(0.25);
  });

  it("is chainable: an edited lr is kept and decays at the next milestone", () => {
    const opt = fakeOptimizer(1);
    const sched = new MultiStepLR(opt, { milestones: [3], gamma: 0.1 });
    sched.step();
    opt.paramGroups[0].lr = 4;
    sched.step();
    expect(sched.getLastLr()[0]).toBe(4);
    sched.step();
    expectRel(sched.getLastLr()[0], 0.4, LR_RTOL);
  });

  it("rejects non-integer milestones", () => {
    expect(() => new MultiStepLR(fakeOptimizer(1), { milestones: [1.5] })).toThrow(
      "MultiStepLR: milestones must be an array of integers",
    );
  });
});

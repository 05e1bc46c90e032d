import { describe, expect, it } from "vitest";
import { StepLR } from "./step.js";

/** Relative tolerance for lr sequences: the recursion drifts from the closed form by a few ulps. */
const LR_RTOL = 1e-12;

function fakeOptimizer(...lrs: number[]) {
  return { paramGroups: lrs.map((lr) => ({ lr })) };
}

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

/** The lr of each group at epochs 0..steps, calling step() after each. */
function run(sched: { getLastLr(): number[]; step(): void }, steps: number): number[][] {
  const out = [sched.getLastLr()];
  for (let i = 0; i < steps; i++) {
    sched.step();
    out.push(sched.getLastLr());
  }
  return out;
}

describe("StepLR", () => {
  it("matches η0·γ^⌊t/stepSize⌋ for two groups over 25 epochs", () => {
    const opt = fakeOptimizer(0.05, 0.3);
    const sched = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    expect(sched.lastEpoch).toBe(0);
    const lrs = run(sched, 25);
    lrs.forEach((row, t) => {
      expectRel(row[0], 0.05 * 0.5 ** Math.floor(t / 3), LR_RTOL);
      expectRel(row[1], 0.3 * 0.5 ** Math.floor(t / 3), LR_RTOL);
    });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual(lrs[25]);
    expect(sched.lastEpoch).toBe(25);
  });

  it("gives PyTorch's documented example: 0.05 until epoch 30, 0.005 until 60, 0.0005 until 90", () => {
    const sched = new StepLR(fakeOptimizer(0.05), { stepSize: 30 });
    const lrs = run(sched, 95).map((row) => row[0]);
    expect(lrs[0]).toBe(0.05);
    expect(lrs[29]).toBe(0.05);
    expectRel(lrs[30], 0.005, LR_RTOL);
    expectRel(lrs[59], 0.005, LR_RTOL);
    expectRel(lrs[60], 0.0005, LR_RTOL);
    expectRel(lrs[90], 0.00005, LR_RTOL);
  });

  it("is chainable: an lr edited mid-training decays from the edited value", () => {
    const opt = fakeOptimizer(1);
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.1 });
    sched.step(); // epoch 1: 1
    opt.paramGroups[0].lr = 7;
    sched.step(); // epoch 2: 7·0.1
    expectRel(sched.getLastLr()[0], 0.7, LR_RTOL);
    sched.step(); // epoch 3: unchanged
    expectRel(opt.paramGroups[0].lr, 0.7, LR_RTOL);
  });

  it("records initialLr and keeps an existing one", () => {
    const opt = { paramGroups: [{ lr: 0.2 }, { lr: 0.1, initialLr: 0.5 }] };
    const sched = new StepLR(opt, { stepSize: 1 });
    expect(sched.baseLrs).toEqual([0.2, 0.5]);
    expect(opt.paramGroups[0]).toMatchObject({ initialLr: 0.2 });
  });

  it("resumes from lastEpoch with the groups' initialLr, and requires it", () => {
    expect(() => new StepLR(fakeOptimizer(0.1), { stepSize: 2, lastEpoch: 3 })).toThrow(
      "param 'initialLr' is not specified in paramGroups[0] when resuming an optimizer",
    );
    const opt = { paramGroups: [{ lr: 0.01, initialLr: 0.1 }] };
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.1, lastEpoch: 3 });
    // the initial step goes to epoch 4, a multiple of stepSize: the chainable form decays once
    expect(sched.lastEpoch).toBe(4);
    expectRel(sched.getLastLr()[0], 0.001, LR_RTOL);
  });

  it("rejects bad options with the option's name", () => {
    expect(() => new StepLR(fakeOptimizer(0.1), { stepSize: 0 })).toThrow(
      "StepLR: stepSize must be an integer >= 1, got 0",
    );
    expect(() => new StepLR(fakeOptimizer(0.1), { stepSize: 1.5 })).toThrow("stepSize");
    expect(() => new StepLR(fakeOptimizer(0.1), { stepSize: 2, gamma: Number.NaN })).toThrow(
      "StepLR: gamma must be a finite number, got NaN",
    );
    expect(() => new StepLR({} as never, { stepSize: 2 })).toThrow("is not an Optimizer");
    expect(() => new StepLR({ paramGroups: [{ lr: "x" }] } as never, { stepSize: 2 })).toThrow(
      "StepLR: paramGroups[0].lr must be a number",
    );
  });
});

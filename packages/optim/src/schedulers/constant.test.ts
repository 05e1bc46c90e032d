import { describe, expect, it } from "vitest";
import { ConstantLR } from "./constant.js";
import { ExponentialLR } from "./exponential.js";
import { SequentialLR } from "./sequential.js";

/** Relative tolerance for lr sequences: a multiplication and its inverse, a few ulps. */
const LR_RTOL = 1e-12;

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe("ConstantLR", () => {
  it("gives PyTorch's documented example: 0.025 for epochs 0..39, then 0.05", () => {
    const sched = new ConstantLR({ paramGroups: [{ lr: 0.05 }, { lr: 1 }] }, { factor: 0.5, totalIters: 40 });
    for (let t = 0; t <= 45; t++) {
      if (t > 0) sched.step();
      const [a, b] = sched.getLastLr();
      expectRel(a, t < 40 ? 0.025 : 0.05, LR_RTOL);
      expectRel(b, t < 40 ? 0.5 : 1, LR_RTOL);
    }
  });

  it("defaults to factor 1/3 for 5 epochs and is chainable", () => {
    const opt = { paramGroups: [{ lr: 0.3 }] };
    const sched = new ConstantLR(opt);
    expectRel(sched.getLastLr()[0], 0.1, LR_RTOL);
    opt.paramGroups[0].lr = 0.2;
    for (let t = 1; t <= 5; t++) sched.step();
    expectRel(sched.getLastLr()[0], 0.6, LR_RTOL); // 0.2 / (1/3)
  });

  it("gives PyTorch's SequentialLR example: 0.005 for 20 epochs, then 0.05·0.9^(t−20)", () => {
    const opt = { paramGroups: [{ lr: 0.05 }] };
    const sched = new SequentialLR(opt, {
      schedulers: [
        new ConstantLR(opt, { factor: 0.1, totalIters: 20 }),
        new ExponentialLR(opt, { gamma: 0.9 }),
      ],
      milestones: [20],
    });
    for (let t = 0; t <= 25; t++) {
      if (t > 0) sched.step();
      expectRel(sched.getLastLr()[0], t < 20 ? 0.005 : 0.05 * 0.9 ** (t - 20), LR_RTOL);
    }
  });

  it("validates the factor with PyTorch's message and refuses to divide by a zero factor", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    expect(() => new ConstantLR(opt, { factor: 1.5 })).toThrow(
      "Constant multiplicative factor expected to be between 0 and 1",
    );
    const zero = new ConstantLR(opt, { factor: 0, totalIters: 1 });
    expect(zero.getLastLr()).toEqual([0]);
    expect(() => zero.step()).toThrow("ConstantLR: cannot undo a factor of 0");
  });
});

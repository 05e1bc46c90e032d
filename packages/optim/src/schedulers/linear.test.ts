import { describe, expect, it } from "vitest";
import { LinearLR } from "./linear.js";

/** Relative tolerance for lr sequences: the recursion matches the closed form to a few ulps. */
const LR_RTOL = 1e-12;

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

/** Reference: η0·(s + (e − s)·min(t, T)/T). */
function reference(base: number, s: number, e: number, T: number, t: number): number {
  return base * (s + ((e - s) * Math.min(t, T)) / T);
}

describe("LinearLR", () => {
  it("defaults (1/3 → 1 over 5 epochs) give the hand values 0.05·(5, 7, 9, 11, 13, 15, 15)/15", () => {
    const sched = new LinearLR({ paramGroups: [{ lr: 0.05 }] });
    const expected = [5, 7, 9, 11, 13, 15, 15, 15].map((k) => (0.05 * k) / 15);
    expected.forEach((lr, t) => {
      if (t > 0) sched.step();
      expectRel(sched.getLastLr()[0], lr, LR_RTOL);
    });
  });

  it("matches the closed form for two groups, warmup and decay factors", () => {
    for (const [s, e, T] of [
      [0.1, 1, 10],
      [1, 0.25, 7],
      [0.5, 0, 4],
    ]) {
      const opt = { paramGroups: [{ lr: 0.3 }, { lr: 1e-3 }] };
      const sched = new LinearLR(opt, { startFactor: s, endFactor: e, totalIters: T });
      for (let t = 0; t <= T + 5; t++) {
        if (t > 0) sched.step();
        const [a, b] = sched.getLastLr();
        if (e === 0 && t >= T) {
          expect(Math.abs(a)).toBeLessThanOrEqual(1e-16);
          continue;
        }
        expectRel(a, reference(0.3, s, e, T, t), LR_RTOL);
        expectRel(b, reference(1e-3, s, e, T, t), LR_RTOL);
      }
    }
  });

  it("is chainable: the recursive factor applies to an edited lr", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const sched = new LinearLR(opt, { startFactor: 0.5, endFactor: 1, totalIters: 2 });
    opt.paramGroups[0].lr = 2;
    sched.step(); // factor (1 + 0.5/(2·0.5 + 0·0.5)) = 1.5
    expectRel(sched.getLastLr()[0], 3, LR_RTOL);
  });

  it("rejects factors out of range with PyTorch's messages", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    expect(() => new LinearLR(opt, { startFactor: 0 })).toThrow(
      "Starting multiplicative factor expected to be greater than 0 and less or equal to 1",
    );
    expect(() => new LinearLR(opt, { endFactor: 1.5 })).toThrow(
      "Ending multiplicative factor expected to be between 0 and 1",
    );
    expect(() => new LinearLR(opt, { totalIters: -1 })).toThrow(
      "LinearLR: totalIters must be an integer >= 0",
    );
  });
});

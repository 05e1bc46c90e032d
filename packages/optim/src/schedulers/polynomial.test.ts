import { describe, expect, it } from "vitest";
import { PolynomialLR } from "./polynomial.js";

/** Relative tolerance for lr sequences: the recursion matches the closed form to rounding. */
const LR_RTOL = 1e-12;

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe("PolynomialLR", () => {
  it("matches η0·(1 − t/T)^p for two groups and reaches 0 at T", () => {
    const opt = { paramGroups: [{ lr: 0.05 }, { lr: 2 }] };
    const sched = new PolynomialLR(opt, { totalIters: 50, power: 0.9 });
    for (let t = 0; t <= 55; t++) {
      if (t > 0) sched.step();
      const [a, b] = sched.getLastLr();
      if (t >= 50) {
        expect([a, b]).toEqual([0, 0]);
        continue;
      }
      expectRel(a, 0.05 * (1 - t / 50) ** 0.9, LR_RTOL);
      expectRel(b, 2 * (1 - t / 50) ** 0.9, LR_RTOL);
    }
  });

  it("defaults to linear decay over 5 epochs: 1, 0.8, 0.6, 0.4, 0.2, 0", () => {
    const sched = new PolynomialLR({ paramGroups: [{ lr: 1 }] });
    [1, 0.8, 0.6, 0.4, 0.2, 0, 0].forEach((lr, t) => {
      if (t > 0) sched.step();
      if (lr === 0) expect(sched.getLastLr()).toEqual([0]);
      else expectRel(sched.getLastLr()[0], lr, LR_RTOL);
    });
  });

  it("rejects totalIters < 1", () => {
    expect(() => new PolynomialLR({ paramGroups: [{ lr: 1 }] }, { totalIters: 0 })).toThrow(
      "PolynomialLR: totalIters must be an integer >= 1, got 0",
    );
  });
});

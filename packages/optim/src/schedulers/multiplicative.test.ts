import { describe, expect, it } from "vitest";
import { MultiplicativeLR } from "./multiplicative.js";

/** Relative tolerance: t successive multiplications against a power. */
const LR_RTOL = 1e-12;

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe("MultiplicativeLR", () => {
  it("multiplies the current lr by λ(t) from epoch 1 on, one function per group", () => {
    const opt = { paramGroups: [{ lr: 0.1 }, { lr: 1 }] };
    const sched = new MultiplicativeLR(opt, { lrLambda: [() => 0.95, (e) => 1 / (e + 1)] });
    expect(sched.getLastLr()).toEqual([0.1, 1]);
    let factorial = 1;
    for (let t = 1; t <= 15; t++) {
      sched.step();
      factorial *= t + 1;
      const [a, b] = sched.getLastLr();
      expectRel(a, 0.1 * 0.95 ** t, LR_RTOL);
      expectRel(b, 1 / factorial, LR_RTOL); // Π 1/(e + 1) = 1/(t + 1)!
    }
  });

  it("is chainable and checks its functions", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const sched = new MultiplicativeLR(opt, { lrLambda: () => 0.5 });
    opt.paramGroups[0].lr = 8;
    sched.step();
    expect(sched.getLastLr()).toEqual([4]);
    expect(() => new MultiplicativeLR(opt, { lrLambda: [] })).toThrow("expected 1 lrLambdas, but got 0");
    expect(() => new MultiplicativeLR(opt, { lrLambda: null as never })).toThrow(
      "lrLambda should be a function, but got null",
    );
  });
});

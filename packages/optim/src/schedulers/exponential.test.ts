import { describe, expect, it } from "vitest";
import { ExponentialLR } from "./exponential.js";

/** Relative tolerance for lr sequences: 200 multiplications drift from γ^t by a few hundred ulps at most. */
const LR_RTOL = 1e-12;

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe("ExponentialLR", () => {
  it("matches η0·γ^t for two groups over 200 epochs", () => {
    const opt = { paramGroups: [{ lr: 0.1 }, { lr: 0.003 }] };
    const sched = new ExponentialLR(opt, { gamma: 0.97 });
    for (let t = 0; t <= 200; t++) {
      if (t > 0) sched.step();
      const [a, b] = sched.getLastLr();
      expectRel(a, 0.1 * 0.97 ** t, LR_RTOL);
      expectRel(b, 0.003 * 0.97 ** t, LR_RTOL);
    }
  });

  it("leaves the lr alone at construction and halves it each step with γ = 0.5 (exact)", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const sched = new ExponentialLR(opt, { gamma: 0.5 });
    expect(sched.getLastLr()).toEqual([1]);
    sched.step();
    sched.step();
    sched.step();
    expect(sched.getLastLr()).toEqual([0.125]);
  });

  it("resumes without moving the lr ahead (PyTorch's _is_initial rule)", () => {
    const opt = { paramGroups: [{ lr: 0.25, initialLr: 1 }] };
    const sched = new ExponentialLR(opt, { gamma: 0.5, lastEpoch: 2 });
    expect(sched.lastEpoch).toBe(3);
    expect(sched.getLastLr()).toEqual([0.25]);
    sched.step();
    expect(sched.getLastLr()).toEqual([0.125]);
  });

  it("is chainable and validates gamma", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const sched = new ExponentialLR(opt, { gamma: 0.5 });
    opt.paramGroups[0].lr = 10;
    sched.step();
    expect(sched.getLastLr()).toEqual([5]);
    expect(() => new ExponentialLR(opt, { gamma: Number.POSITIVE_INFINITY })).toThrow(
      "ExponentialLR: gamma must be a finite number",
    );
  });
});

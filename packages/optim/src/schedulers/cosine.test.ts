import { describe, expect, it } from "vitest";
import { CosineAnnealingLR } from "./cosine.js";

/** Against PyTorch's recursive formula, computed separately below: agreement to rounding. */
const LR_RTOL = 1e-12;
/** Between the recursion and the closed form: the recursion accumulates rounding over a period. */
const CLOSED_FORM_RTOL = 1e-9;
/** Absolute floor for values that are exactly η_min in theory. */
const ZERO_ATOL = 1e-15;

function expectRel(actual: number, expected: number, rtol: number, atol = 0): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected) + atol);
}

/**
 * PyTorch's CosineAnnealingLR.get_lr as documented, written independently: epochs 0..steps.
 *   η_t = η_min + (η_{t−1} − η_min)(1 + cos(πt/T)) / (1 + cos(π(t−1)/T)),
 *   or η_{t−1} + (η_0 − η_min)(1 − cos(π/T))/2 where (t−1−T) is a multiple of 2T.
 */
function torchRecursive(base: number, etaMin: number, T: number, steps: number): number[] {
  const out = [base];
  let lr = base;
  for (let t = 1; t <= steps; t++) {
    const r = (t - 1 - T) % (2 * T);
    if (r === 0) lr = lr + ((base - etaMin) * (1 - Math.cos(Math.PI / T))) / 2;
    else
      lr =
        ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - etaMin) +
        etaMin;
    out.push(lr);
  }
  return out;
}

/** The SGDR closed form η_min + (η_0 − η_min)(1 + cos(πt/T))/2. */
function closedForm(base: number, etaMin: number, T: number, t: number): number {
  return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / T))) / 2;
}

describe("CosineAnnealingLR", () => {
  it("follows PyTorch's recursion for two groups over two and a half periods", () => {
    const T = 17;
    const opt = { paramGroups: [{ lr: 0.1 }, { lr: 0.02 }] };
    const sched = new CosineAnnealingLR(opt, { tMax: T, etaMin: 0.001 });
    const steps = 2 * T + 9; // crosses the t − 1 = T restart point and the second minimum
    const refA = torchRecursive(0.1, 0.001, T, steps);
    const refB = torchRecursive(0.02, 0.001, T, steps);
    for (let t = 0; t <= steps; t++) {
      if (t > 0) sched.step();
      const [a, b] = sched.getLastLr();
      expectRel(a, refA[t], LR_RTOL);
      expectRel(b, refB[t], LR_RTOL);
      expectRel(a, closedForm(0.1, 0.001, T, t), CLOSED_FORM_RTOL);
      expectRel(b, closedForm(0.02, 0.001, T, t), CLOSED_FORM_RTOL);
    }
  });

  it("gives the hand values for T = 4, η0 = 1, η_min = 0", () => {
    const sched = new CosineAnnealingLR({ paramGroups: [{ lr: 1 }] }, { tMax: 4 });
    const lrs = [sched.getLastLr()[0]];
    for (let t = 1; t <= 6; t++) {
      sched.step();
      lrs.push(sched.getLastLr()[0]);
    }
    expect(lrs[0]).toBe(1);
    expectRel(lrs[1], (1 + Math.SQRT1_2) / 2, LR_RTOL); // 0.853553390593273…
    expectRel(lrs[2], 0.5, LR_RTOL);
    expectRel(lrs[3], (1 - Math.SQRT1_2) / 2, LR_RTOL); // 0.146446609406726…
    expectRel(lrs[4], 0, 0, ZERO_ATOL);
    expectRel(lrs[5], (1 - Math.SQRT1_2) / 2, LR_RTOL); // past T_max the cosine climbs back
    expectRel(lrs[6], 0.5, LR_RTOL);
  });

  it("is chainable: after the lr is edited, it anneals from the edited value", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const sched = new CosineAnnealingLR(opt, { tMax: 10 });
    for (let t = 1; t <= 3; t++) sched.step();
    opt.paramGroups[0].lr = 0.5;
    sched.step(); // t = 4
    const ratio = (1 + Math.cos((Math.PI * 4) / 10)) / (1 + Math.cos((Math.PI * 3) / 10));
    expectRel(sched.getLastLr()[0], 0.5 * ratio, LR_RTOL);
  });

  it("resuming keeps the lr on the initial step, then recurses (PyTorch ≥ 2.6's _is_initial rule)", () => {
    const opt = { paramGroups: [{ lr: 123, initialLr: 1 }] };
    const sched = new CosineAnnealingLR(opt, { tMax: 4, lastEpoch: 1 });
    // the initial step (epoch 2) keeps the group's lr
    expect(sched.getLastLr()).toEqual([123]);
    sched.step();
    expect(sched.stepCount).toBe(2);
    // stepCount is 2 here, so the recursion applies to the current lr 123
    const ratio = (1 + Math.cos((Math.PI * 3) / 4)) / (1 + Math.cos((Math.PI * 2) / 4));
    expectRel(sched.getLastLr()[0], 123 * ratio, LR_RTOL);
  });

  it("rejects a non-positive tMax and a non-finite etaMin", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    expect(() => new CosineAnnealingLR(opt, { tMax: 0 })).toThrow(
      "CosineAnnealingLR: tMax must be a positive number, got 0",
    );
    expect(() => new CosineAnnealingLR(opt, { tMax: 5, etaMin: Number.NaN })).toThrow("etaMin");
  });
});

import { describe, expect, it } from "vitest";
import { scheduleFreeWeights } from "./weights.js";

const H = { lr: 0.1, warmupSteps: 0, r: 0, weightLrPower: 2 };

describe("scheduleFreeWeights (the reference's Python-float prologue)", () => {
  it("first step: γ = lr, lrMax from −1 to lr, w = lr², c = 1", () => {
    expect(scheduleFreeWeights(0, H, -1, 0)).toEqual({
      lr: 0.1,
      lrMax: 0.1,
      weight: 0.010000000000000002,
      weightSum: 0.010000000000000002,
      ckp1: 1,
    });
  });

  it("uniform weights give c_t = 1/t", () => {
    let lrMax = -1;
    let weightSum = 0;
    for (let k = 0; k < 6; k++) {
      const w = scheduleFreeWeights(k, H, lrMax, weightSum);
      expect(w.ckp1).toBeCloseTo(1 / (k + 1), 15);
      lrMax = w.lrMax;
      weightSum = w.weightSum;
    }
  });

  it("warmup: γ_t = lr·t/warmupSteps for t ≤ warmupSteps, then lr; weights grow with lrMax²", () => {
    const h = { ...H, warmupSteps: 4 };
    const lrs: number[] = [];
    let lrMax = -1;
    let weightSum = 0;
    for (let k = 0; k < 6; k++) {
      const w = scheduleFreeWeights(k, h, lrMax, weightSum);
      lrs.push(w.lr);
      expect(w.weight).toBe(w.lrMax ** 2);
      lrMax = w.lrMax;
      weightSum = w.weightSum;
    }
    // Python: [0.1 * (k + 1) / 4 ... ]: 0.1*0.25, 0.1*0.5, 0.1*0.75, 0.1*1.0, 0.1, 0.1
    expect(lrs).toEqual([0.025, 0.05, 0.07500000000000001, 0.1, 0.1, 0.1]);
  });

  it("r weighs step t by t^r; weightLrPower 0 ignores the lr", () => {
    const w = scheduleFreeWeights(3, { ...H, r: 1.5, weightLrPower: 0 }, 0.1, 2);
    expect(w.weight).toBe(4 ** 1.5);
    expect(w.ckp1).toBe(8 / 10);
  });

  it("all weights 0 (lr 0 so far): c = 0 (the reference's ZeroDivisionError branch), not NaN", () => {
    const w = scheduleFreeWeights(0, { ...H, lr: 0 }, -1, 0);
    expect(w).toEqual({ lr: 0, lrMax: 0, weight: 0, weightSum: 0, ckp1: 0 });
  });

  it("a lower lr after a higher one keeps lrMax (Python's max)", () => {
    const w = scheduleFreeWeights(5, { ...H, lr: 0.01 }, 0.1, 1);
    expect(w.lrMax).toBe(0.1);
    expect(w.lr).toBe(0.01);
  });
});

import { describe, expect, it } from "vitest";
import { ReduceLROnPlateau } from "./plateau.js";

function fakeOptimizer(...lrs: number[]) {
  return { paramGroups: lrs.map((lr) => ({ lr })) };
}

/** Feeds the metrics one by one and returns the first group's lr after each. */
function lrsAfter(sched: ReduceLROnPlateau, metrics: number[]): number[] {
  return metrics.map((m) => {
    sched.step(m);
    return sched.getLastLr()[0];
  });
}

describe("ReduceLROnPlateau", () => {
  it("reduces after more than `patience` bad epochs (hand-traced)", () => {
    const sched = new ReduceLROnPlateau(fakeOptimizer(1), { patience: 2, factor: 0.5 });
    // 10 sets best; 9 improves; three 9s are bad epochs 1, 2, 3 → reduce at the third; 8 improves;
    // then 8, 8, 8 again
    expect(lrsAfter(sched, [10, 9, 9, 9, 9, 8, 8, 8, 8])).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
    expect(sched.best).toBe(8);
    expect(sched.lastEpoch).toBe(9);
  });

  it("with patience 0 reduces at the end of the second epoch when it is worse (PyTorch's doc example)", () => {
    const sched = new ReduceLROnPlateau(fakeOptimizer(0.1), { patience: 0 });
    sched.step(1);
    expect(sched.getLastLr()).toEqual([0.1]);
    sched.step(2);
    expect(sched.getLastLr()).toEqual([0.1 * 0.1]);
  });

  it("applies the relative threshold in min mode: 1e-4 below best is not enough", () => {
    const sched = new ReduceLROnPlateau(fakeOptimizer(1), { patience: 0, threshold: 0.01 });
    // best 100: an improvement must be < 100·(1 − 0.01) = 99
    expect(lrsAfter(sched, [100, 99.5, 98.9])).toEqual([1, 0.1, 0.1]);
    expect(sched.best).toBe(98.9);
  });

  it("applies an absolute threshold in max mode", () => {
    const sched = new ReduceLROnPlateau(fakeOptimizer(1), {
      mode: "max",
      patience: 0,
      threshold: 0.5,
      thresholdMode: "abs",
      factor: 0.5,
    });
    // best 1: an improvement must be > 1.5
    expect(lrsAfter(sched, [1, 1.4, 1.6, 2.0])).toEqual([1, 0.5, 0.5, 0.25]);
  });

  it("ignores bad epochs during cooldown", () => {
    const sched = new ReduceLROnPlateau(fakeOptimizer(1), { patience: 1, cooldown: 2, factor: 0.5 });
    // reduce at epoch 3; epochs 4, 5 cool down (bad epochs ignored); 6, 7 bad → reduce at 7
    expect(lrsAfter(sched, [5, 6, 6, 6, 6, 6, 6])).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
  });

  it("clamps at minLr per group and skips reductions smaller than eps", () => {
    const opt = fakeOptimizer(1, 1.5e-8, 1e-8);
    const sched = new ReduceLROnPlateau(opt, { patience: 0, minLr: [0.3, 0, 0] });
    sched.step(1);
    sched.step(1);
    // 1 → max(0.1, 0.3) = 0.3; 1.5e-8 → 1.5e-9 (a drop of 1.35e-8 > eps); 1e-8 → 1e-9 skipped (drop 9e-9 ≤ eps)
    expect(sched.getLastLr()).toEqual([0.3, 1.5e-8 * 0.1, 1e-8]);
    sched.step(1);
    expect(sched.getLastLr()).toEqual([0.3, 1.5e-8 * 0.1, 1e-8]);
  });

  it("treats a NaN metric as a bad epoch", () => {
    const sched = new ReduceLROnPlateau(fakeOptimizer(1), { patience: 0 });
    sched.step(Number.NaN);
    expect(sched.best).toBe(Number.POSITIVE_INFINITY);
    expect(sched.getLastLr()).toEqual([0.1]);
  });

  it("round-trips through JSON, including best = Infinity, and continues identically", () => {
    const a = new ReduceLROnPlateau(fakeOptimizer(1), { mode: "max", patience: 1 });
    const json = JSON.parse(JSON.stringify(a.stateDict()));
    expect(json.best).toBe("-Infinity");
    const optB = fakeOptimizer(1);
    const b = new ReduceLROnPlateau(optB, { patience: 5 });
    b.loadStateDict(json);
    expect(b.mode).toBe("max");
    expect(b.best).toBe(Number.NEGATIVE_INFINITY);
    const metrics = [3, 2, 2, 5, 4, 4, 4];
    expect(lrsAfter(b, metrics)).toEqual(lrsAfter(a, metrics));
    // mid-run
    const mid = JSON.parse(JSON.stringify(a.stateDict()));
    const c = new ReduceLROnPlateau(
      { paramGroups: [{ lr: a.getLastLr()[0] }] },
      { mode: "max", patience: 1 },
    );
    c.loadStateDict(mid);
    expect(lrsAfter(c, [1, 1, 9])).toEqual(lrsAfter(a, [1, 1, 9]));
  });

  it("validates with PyTorch's messages", () => {
    const opt = fakeOptimizer(1, 2);
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow("Factor should be < 1.0");
    expect(() => new ReduceLROnPlateau(opt, { minLr: [0] })).toThrow("expected 2 minLrs, got 1");
    expect(() => new ReduceLROnPlateau(opt, { mode: "avg" as never })).toThrow('mode "avg" is unknown!');
    expect(() => new ReduceLROnPlateau(opt, { thresholdMode: "x" as never })).toThrow(
      'threshold mode "x" is unknown!',
    );
    expect(() => new ReduceLROnPlateau(opt, { patience: -1 })).toThrow(
      "patience must be a non-negative integer",
    );
    const sched = new ReduceLROnPlateau(opt);
    expect(() => sched.step("1" as never)).toThrow("ReduceLROnPlateau.step: metric must be a number");
    expect(() => sched.loadStateDict({ kind: "StepLR" })).toThrow('the state was written by "StepLR"');
  });
});

import { describe, expect, it } from "vitest";
import { CosineAnnealingWarmRestarts } from "./cosine-warm-restarts.js";

/** The closed form is what PyTorch computes here too: agreement to rounding. */
const LR_RTOL = 1e-12;

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

/** SGDR's lr at (possibly fractional) epoch t, by walking the periods t0, t0·m, t0·m², ... */
function reference(base: number, etaMin: number, t0: number, m: number, t: number): number {
  let start = 0;
  let period = t0;
  while (t >= start + period) {
    start += period;
    period *= m;
  }
  return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * (t - start)) / period))) / 2;
}

describe("CosineAnnealingWarmRestarts", () => {
  it("restarts every t0 epochs with tMult 1, for two groups", () => {
    const opt = { paramGroups: [{ lr: 0.1 }, { lr: 0.5 }] };
    const sched = new CosineAnnealingWarmRestarts(opt, { t0: 6, etaMin: 0.01 });
    for (let t = 0; t <= 30; t++) {
      if (t > 0) sched.step();
      const [a, b] = sched.getLastLr();
      expectRel(a, reference(0.1, 0.01, 6, 1, t), LR_RTOL);
      expectRel(b, reference(0.5, 0.01, 6, 1, t), LR_RTOL);
    }
    expect(sched.getLastLr()[0]).toBe(0.1); // epoch 30 is a restart
  });

  it("doubles the period with tMult 2, stepping per epoch and per fractional epoch", () => {
    const a = new CosineAnnealingWarmRestarts({ paramGroups: [{ lr: 1 }] }, { t0: 3, tMult: 2 });
    for (let t = 0; t <= 40; t++) {
      if (t > 0) a.step();
      expectRel(a.getLastLr()[0], reference(1, 0, 3, 2, t), LR_RTOL);
    }
    const b = new CosineAnnealingWarmRestarts({ paramGroups: [{ lr: 1 }] }, { t0: 3, tMult: 2 });
    for (let epoch = 0; epoch < 20; epoch++) {
      for (let i = 0; i < 4; i++) {
        b.step(epoch + i / 4);
        expectRel(b.getLastLr()[0], reference(1, 0, 3, 2, epoch + i / 4), LR_RTOL);
      }
    }
    expect(b.lastEpoch).toBe(19);
  });

  it("gives the hand values for t0 = 2: 1, 0.5, 1, 0.5", () => {
    const sched = new CosineAnnealingWarmRestarts({ paramGroups: [{ lr: 1 }] }, { t0: 2 });
    const lrs = [sched.getLastLr()[0]];
    for (let t = 1; t <= 3; t++) {
      sched.step();
      lrs.push(sched.getLastLr()[0]);
    }
    expect(lrs[0]).toBe(1);
    expectRel(lrs[1], 0.5, LR_RTOL);
    expect(lrs[2]).toBe(1);
    expectRel(lrs[3], 0.5, LR_RTOL);
  });

  it("validates with PyTorch's messages", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    expect(() => new CosineAnnealingWarmRestarts(opt, { t0: 0 })).toThrow(
      "Expected positive integer t0, but got 0",
    );
    expect(() => new CosineAnnealingWarmRestarts(opt, { t0: 2, tMult: 0 })).toThrow(
      "Expected integer tMult >= 1, but got 0",
    );
    expect(() => new CosineAnnealingWarmRestarts(opt, { t0: 2 }).step(-1)).toThrow(
      "Expected non-negative epoch, but got -1",
    );
  });
});

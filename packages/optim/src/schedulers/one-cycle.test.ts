import { describe, expect, it } from "vitest";
import { OneCycleLR } from "./one-cycle.js";

/** Against the documented schedule computed below: agreement to rounding. */
const LR_RTOL = 1e-12;

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

interface RefOptions {
  total: number;
  pct?: number;
  div?: number;
  finalDiv?: number;
  linear?: boolean;
  three?: boolean;
}

/**
 * The documented 1cycle schedule as a function of the step, written independently: returns
 * [lr, momentum] for peak `maxLr` and momenta `lo` (at the peak) / `hi` (at the ends).
 */
function reference(step: number, maxLr: number, lo: number, hi: number, o: RefOptions): [number, number] {
  const { total, pct = 0.3, div = 25, finalDiv = 1e4, linear = false, three = false } = o;
  const init = maxLr / div;
  const min = init / finalDiv;
  const anneal = linear
    ? (a: number, b: number, p: number) => (b - a) * p + a
    : (a: number, b: number, p: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1);
  const up = pct * total - 1;
  if (step <= up) return [anneal(init, maxLr, step / up), anneal(hi, lo, step / up)];
  if (!three) {
    const p = (step - up) / (total - 1 - up);
    return [anneal(maxLr, min, p), anneal(lo, hi, p)];
  }
  const down = 2 * pct * total - 2;
  if (step <= down) {
    const p = (step - up) / (down - up);
    return [anneal(maxLr, init, p), anneal(lo, hi, p)];
  }
  const p = (step - down) / (total - 1 - down);
  return [anneal(init, min, p), hi];
}

function sgdLike(...lrs: number[]) {
  return { defaults: { lr: lrs[0], momentum: 0.9 }, paramGroups: lrs.map((lr) => ({ lr, momentum: 0.9 })) };
}

describe("OneCycleLR", () => {
  it("gives the hand values for 10 steps, maxLr 1 (initial 0.04, min 4e-6)", () => {
    const opt = sgdLike(0.5);
    const sched = new OneCycleLR(opt, { maxLr: 1, totalSteps: 10 });
    expect(opt.paramGroups[0]).toMatchObject({ initialLr: 0.04, maxLr: 1, minLr: 4e-6, momentum: 0.95 });
    // cos anneal at pct 0: 1 + (0.04 − 1)/2·2 = 1 − 0.96, which rounds to 0.04 + 3.6e-17 — the same
    // float64 operations in PyTorch print 0.040000000000000036
    expect(sched.getLastLr()).toEqual([1 - 0.96]);
    expectRel(sched.getLastLr()[0], 0.04, LR_RTOL);
    sched.step();
    expectRel(sched.getLastLr()[0], 0.52, LR_RTOL);
    expectRel(opt.paramGroups[0].momentum, 0.9, LR_RTOL);
    sched.step();
    expect(sched.getLastLr()).toEqual([1]);
    expect(opt.paramGroups[0].momentum).toBe(0.85);
    for (let t = 3; t <= 9; t++) sched.step();
    expect(sched.getLastLr()).toEqual([4e-6]);
    expect(opt.paramGroups[0].momentum).toBe(0.95);
    sched.step(); // step 10 is still allowed, as in PyTorch
    expect(() => sched.step()).toThrow(
      "OneCycleLR: Tried to step 11 times. The specified number of total steps is 10",
    );
  });

  it("matches the documented two-phase cos schedule for two groups over 100 steps", () => {
    const opt = sgdLike(0.1, 0.1);
    const sched = new OneCycleLR(opt, { maxLr: [1, 0.02], totalSteps: 100, baseMomentum: [0.8, 0.85] });
    for (let t = 0; t <= 100; t++) {
      if (t > 0) sched.step();
      const [a, b] = sched.getLastLr();
      const [ra, ma] = reference(t, 1, 0.8, 0.95, { total: 100 });
      const [rb, mb] = reference(t, 0.02, 0.85, 0.95, { total: 100 });
      expectRel(a, ra, LR_RTOL);
      expectRel(b, rb, LR_RTOL);
      expectRel(opt.paramGroups[0].momentum, ma, LR_RTOL);
      expectRel(opt.paramGroups[1].momentum, mb, LR_RTOL);
    }
  });

  it("matches the three-phase linear schedule with epochs × stepsPerEpoch and custom factors", () => {
    const opt = sgdLike(0.1);
    const o = { total: 60, pct: 0.25, div: 10, finalDiv: 100, linear: true, three: true };
    const sched = new OneCycleLR(opt, {
      maxLr: 0.4,
      epochs: 6,
      stepsPerEpoch: 10,
      pctStart: 0.25,
      divFactor: 10,
      finalDivFactor: 100,
      annealStrategy: "linear",
      threePhase: true,
      maxMomentum: 0.99,
    });
    expect(sched.totalSteps).toBe(60);
    for (let t = 0; t <= 59; t++) {
      if (t > 0) sched.step();
      const [lr, m] = reference(t, 0.4, 0.85, 0.99, o);
      expectRel(sched.getLastLr()[0], lr, LR_RTOL);
      expectRel(opt.paramGroups[0].momentum, m, LR_RTOL);
    }
    expectRel(sched.getLastLr()[0], 0.4 / 10 / 100, LR_RTOL);
  });

  it("cycles betas[0] for an Adam-like optimizer and keeps betas[1]", () => {
    const opt = {
      defaults: { lr: 1e-3, betas: [0.9, 0.999] as [number, number] },
      paramGroups: [{ lr: 1e-3, betas: [0.9, 0.999] as readonly [number, number] }],
    };
    const sched = new OneCycleLR(opt, { maxLr: 0.01, totalSteps: 20 });
    expect(sched.useBeta1).toBe(true);
    expect(opt.paramGroups[0].betas).toEqual([0.95, 0.999]);
    for (let t = 1; t <= 5; t++) sched.step();
    expect(opt.paramGroups[0].betas).toEqual([0.85, 0.999]); // the peak is at step 0.3·20 − 1 = 5
    expect(opt.paramGroups[0]).not.toHaveProperty("momentum");
  });

  it("needs momentum or betas to cycle momentum, unless cycleMomentum is false", () => {
    const plain = { paramGroups: [{ lr: 0.1 }] };
    expect(() => new OneCycleLR(plain, { maxLr: 1, totalSteps: 10 })).toThrow(
      "OneCycleLR: optimizer must support momentum or beta1 with `cycleMomentum` option enabled",
    );
    const sched = new OneCycleLR(plain, { maxLr: 1, totalSteps: 10, cycleMomentum: false });
    sched.step();
    expectRel(sched.getLastLr()[0], 0.52, LR_RTOL);
    expect(plain.paramGroups[0]).not.toHaveProperty("momentum");
  });

  it("validates its options with PyTorch's messages", () => {
    const opt = () => sgdLike(0.1);
    expect(() => new OneCycleLR(opt(), { maxLr: 1 })).toThrow(
      "You must define either totalSteps OR (epochs AND stepsPerEpoch)",
    );
    expect(() => new OneCycleLR(opt(), { maxLr: 1, totalSteps: 0 })).toThrow(
      "Expected positive integer totalSteps, but got 0",
    );
    expect(() => new OneCycleLR(opt(), { maxLr: 1, epochs: 2, stepsPerEpoch: 1.5 })).toThrow(
      "Expected positive integer stepsPerEpoch, but got 1.5",
    );
    expect(() => new OneCycleLR(opt(), { maxLr: 1, totalSteps: 10, pctStart: 1.2 })).toThrow(
      "Expected float between 0 and 1 pctStart, but got 1.2",
    );
    expect(() => new OneCycleLR(opt(), { maxLr: 1, totalSteps: 10, annealStrategy: "exp" as never })).toThrow(
      `annealStrategy must be one of 'cos' or 'linear', instead got "exp"`,
    );
    expect(() => new OneCycleLR(opt(), { maxLr: [1, 2], totalSteps: 10 })).toThrow(
      "maxLr must have the same length as optimizer.paramGroups. maxLr has 2 values, paramGroups has 1.",
    );
    // pctStart·N − 1 = 0: the first phase has zero length (PyTorch divides by zero)
    expect(() => new OneCycleLR(opt(), { maxLr: 1, totalSteps: 10, pctStart: 0.1 })).toThrow(
      "OneCycleLR: phase 0 has zero length",
    );
  });
});

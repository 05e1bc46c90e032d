/**
 * The pure `step → value` schedules: each against its documented formula written out here, and
 * against its scheduler's closed form (`updateLr(epoch)`, what SequentialLR uses at a milestone).
 */
import { describe, expect, it } from "vitest";
import { ConstantLR, constantSchedule } from "./constant.js";
import { CosineAnnealingLR, cosineAnnealingSchedule } from "./cosine.js";
import { CosineAnnealingWarmRestarts, cosineAnnealingWarmRestartsSchedule } from "./cosine-warm-restarts.js";
import { ExponentialLR, exponentialSchedule } from "./exponential.js";
import { LinearLR, linearSchedule } from "./linear.js";
import { MultiStepLR, multiStepSchedule } from "./multi-step.js";
import { OneCycleLR, oneCycleSchedule } from "./one-cycle.js";
import { PolynomialLR, polynomialSchedule } from "./polynomial.js";
import type { LRScheduler } from "./scheduler.js";
import { StepLR, stepSchedule } from "./step.js";

/** Against the formulas: agreement to rounding. */
const LR_RTOL = 1e-12;
/** Absolute floor where the formula is exactly 0 (a cosine at its minimum). */
const ZERO_ATOL = 1e-16;

function expectRel(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(LR_RTOL * Math.abs(expected) + ZERO_ATOL);
}

/** The scheduler's closed-form lr at `epoch` (one group, base lr 0.2). */
function closedForm(make: (o: { paramGroups: { lr: number }[] }) => LRScheduler, epoch: number): number {
  const sched = make({ paramGroups: [{ lr: 0.2 }] });
  sched.updateLr(epoch);
  return sched.getLastLr()[0];
}

const CASES: {
  name: string;
  schedule: (t: number) => number;
  formula: (t: number) => number;
  make?: (o: { paramGroups: { lr: number }[] }) => LRScheduler;
}[] = [
  {
    name: "stepSchedule",
    schedule: stepSchedule({ baseLr: 0.2, stepSize: 3, gamma: 0.5 }),
    formula: (t) => 0.2 * 0.5 ** Math.floor(t / 3),
    make: (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 }),
  },
  {
    name: "multiStepSchedule",
    schedule: multiStepSchedule({ baseLr: 0.2, milestones: [5, 2, 5], gamma: 0.1 }),
    formula: (t) => 0.2 * (t < 2 ? 1 : t < 5 ? 0.1 : 0.001),
    make: (o) => new MultiStepLR(o, { milestones: [5, 2, 5], gamma: 0.1 }),
  },
  {
    name: "exponentialSchedule",
    schedule: exponentialSchedule({ baseLr: 0.2, gamma: 0.9 }),
    formula: (t) => 0.2 * 0.9 ** t,
    make: (o) => new ExponentialLR(o, { gamma: 0.9 }),
  },
  {
    name: "cosineAnnealingSchedule",
    schedule: cosineAnnealingSchedule({ baseLr: 0.2, tMax: 7, etaMin: 0.01 }),
    formula: (t) => 0.01 + 0.5 * (0.2 - 0.01) * (1 + Math.cos((Math.PI * t) / 7)),
    make: (o) => new CosineAnnealingLR(o, { tMax: 7, etaMin: 0.01 }),
  },
  {
    name: "linearSchedule",
    schedule: linearSchedule({ baseLr: 0.2, startFactor: 0.25, endFactor: 1, totalIters: 6 }),
    formula: (t) => 0.2 * (0.25 + (0.75 * Math.min(t, 6)) / 6),
    make: (o) => new LinearLR(o, { startFactor: 0.25, endFactor: 1, totalIters: 6 }),
  },
  {
    name: "constantSchedule",
    schedule: constantSchedule({ baseLr: 0.2, factor: 0.5, totalIters: 4 }),
    formula: (t) => (t < 4 ? 0.1 : 0.2),
    make: (o) => new ConstantLR(o, { factor: 0.5, totalIters: 4 }),
  },
  {
    name: "polynomialSchedule",
    schedule: polynomialSchedule({ baseLr: 0.2, totalIters: 8, power: 1.5 }),
    formula: (t) => 0.2 * Math.max(0, 1 - t / 8) ** 1.5,
    make: (o) => new PolynomialLR(o, { totalIters: 8, power: 1.5 }),
  },
  {
    name: "cosineAnnealingWarmRestartsSchedule",
    schedule: cosineAnnealingWarmRestartsSchedule({ baseLr: 0.2, t0: 2, tMult: 3 }),
    // periods [0, 2), [2, 8), [8, 26)
    formula: (t) => {
      const [start, period] = t < 2 ? [0, 2] : t < 8 ? [2, 6] : [8, 18];
      return 0.1 * (1 + Math.cos((Math.PI * (t - start)) / period));
    },
  },
  {
    name: "oneCycleSchedule",
    schedule: oneCycleSchedule({ maxLr: 1, totalSteps: 10, annealStrategy: "linear" }),
    // up from 0.04 to 1 over steps 0..2, down to 4e-6 over steps 2..9
    formula: (t) => (t <= 2 ? 0.04 + (0.96 * t) / 2 : 1 + ((4e-6 - 1) * (t - 2)) / 7),
  },
];

describe("pure schedules", () => {
  for (const c of CASES) {
    it(`${c.name} is its formula${c.make ? " and its scheduler's closed form" : ""}`, () => {
      for (let t = 0; t <= 20; t++) {
        if (c.name === "oneCycleSchedule" && t > 10) break;
        expectRel(c.schedule(t), c.formula(t));
        if (c.make) expect(closedForm(c.make, t)).toBe(c.schedule(t));
      }
      expect(() => c.schedule(-1)).toThrow(`${c.name}: the step must be a finite number >= 0, got -1`);
    });
  }

  it("oneCycleSchedule is OneCycleLR's lr (without momentum), and throws past totalSteps", () => {
    const f = oneCycleSchedule({ maxLr: 0.5, epochs: 4, stepsPerEpoch: 5, threePhase: true, pctStart: 0.25 });
    const o = { paramGroups: [{ lr: 0.1 }] };
    const sched = new OneCycleLR(o, {
      maxLr: 0.5,
      totalSteps: 20,
      threePhase: true,
      pctStart: 0.25,
      cycleMomentum: false,
    });
    for (let t = 0; t <= 20; t++) {
      if (t > 0) sched.step();
      expect(f(t)).toBe(sched.getLastLr()[0]);
    }
    expect(() => f(21)).toThrow(
      "OneCycleLR: Tried to step 21 times. The specified number of total steps is 20",
    );
  });

  it("cosineAnnealingWarmRestartsSchedule is the scheduler's step(epoch), fractional epochs included", () => {
    const f = cosineAnnealingWarmRestartsSchedule({ baseLr: 0.2, t0: 3, tMult: 2, etaMin: 0.01 });
    const sched = new CosineAnnealingWarmRestarts(
      { paramGroups: [{ lr: 0.2 }] },
      { t0: 3, tMult: 2, etaMin: 0.01 },
    );
    for (let e = 0; e < 30; e += 0.25) {
      sched.step(e);
      expect(f(e)).toBe(sched.getLastLr()[0]);
    }
  });

  it("the schedules check their options like the schedulers", () => {
    expect(() => exponentialSchedule({ baseLr: 0.1, gamma: Number.NaN })).toThrow(
      "exponentialSchedule: gamma must be a finite number, got NaN",
    );
    expect(() => cosineAnnealingSchedule({ baseLr: 0.1, T_max: 3 } as never)).toThrow(
      'cosineAnnealingSchedule: unknown option "T_max" (did you mean tMax?)',
    );
    expect(() => oneCycleSchedule({ maxLr: 1 })).toThrow(
      "oneCycleSchedule: You must define either totalSteps OR (epochs AND stepsPerEpoch)",
    );
  });
});

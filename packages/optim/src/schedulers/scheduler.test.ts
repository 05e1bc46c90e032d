import { describe, expect, it } from "vitest";
import { ConstantLR } from "./constant.js";
import { CosineAnnealingLR } from "./cosine.js";
import { CosineAnnealingWarmRestarts } from "./cosine-warm-restarts.js";
import { ExponentialLR } from "./exponential.js";
import { LambdaLR } from "./lambda.js";
import { LinearLR } from "./linear.js";
import { MultiStepLR } from "./multi-step.js";
import { MultiplicativeLR } from "./multiplicative.js";
import { OneCycleLR } from "./one-cycle.js";
import { PolynomialLR } from "./polynomial.js";
import type { LRScheduler, SchedulerParamGroup } from "./scheduler.js";
import { bisectRight, pyMod } from "./scheduler.js";
import { SequentialLR } from "./sequential.js";
import { StepLR } from "./step.js";

interface FakeOptimizer {
  defaults: { momentum: number };
  paramGroups: SchedulerParamGroup[];
}

function fakeOptimizer(): FakeOptimizer {
  return {
    defaults: { momentum: 0 },
    paramGroups: [
      { lr: 0.1, momentum: 0.9 },
      { lr: 0.02, momentum: 0.5 },
    ],
  };
}

const makers: Record<string, (opt: FakeOptimizer) => LRScheduler> = {
  StepLR: (opt) => new StepLR(opt, { stepSize: 3, gamma: 0.7 }),
  MultiStepLR: (opt) => new MultiStepLR(opt, { milestones: [2, 9, 9, 14], gamma: 0.5 }),
  ExponentialLR: (opt) => new ExponentialLR(opt, { gamma: 0.93 }),
  CosineAnnealingLR: (opt) => new CosineAnnealingLR(opt, { tMax: 7, etaMin: 1e-3 }),
  LinearLR: (opt) => new LinearLR(opt, { startFactor: 0.2, endFactor: 0.9, totalIters: 12 }),
  LambdaLR: (opt) => new LambdaLR(opt, { lrLambda: [(e) => 1 / (1 + e), (e) => Math.exp(-0.1 * e)] }),
  OneCycleLR: (opt) => new OneCycleLR(opt, { maxLr: [1, 0.3], totalSteps: 40, threePhase: true }),
  ConstantLR: (opt) => new ConstantLR(opt, { factor: 0.25, totalIters: 6 }),
  PolynomialLR: (opt) => new PolynomialLR(opt, { totalIters: 30, power: 1.7 }),
  MultiplicativeLR: (opt) => new MultiplicativeLR(opt, { lrLambda: (e) => 1 - 0.01 * e }),
  CosineAnnealingWarmRestarts: (opt) =>
    new CosineAnnealingWarmRestarts(opt, { t0: 4, tMult: 2, etaMin: 1e-3 }),
  SequentialLR: (opt) =>
    new SequentialLR(opt, {
      schedulers: [
        new LinearLR(opt, { startFactor: 0.1, totalIters: 4 }),
        new CosineAnnealingLR(opt, { tMax: 9 }),
        new ExponentialLR(opt, { gamma: 0.9 }),
      ],
      milestones: [4, 13],
    }),
};

describe("LRScheduler protocol", () => {
  for (const [kind, make] of Object.entries(makers)) {
    it(`${kind}: stateDict → JSON → loadStateDict mid-schedule continues bit-identically`, () => {
      for (const at of [0, 3, 11]) {
        const optA = fakeOptimizer();
        const a = make(optA);
        for (let t = 0; t < at; t++) a.step();
        const saved = JSON.parse(JSON.stringify(a.stateDict()));
        expect(saved.kind).toBe(kind);
        const groups = JSON.parse(JSON.stringify(optA.paramGroups));

        const optB = fakeOptimizer();
        const b = make(optB);
        optB.paramGroups.forEach((g, i) => {
          Object.assign(g, groups[i]);
        }); // what optimizer.loadStateDict does
        b.loadStateDict(saved);
        expect(b.lastEpoch).toBe(a.lastEpoch);
        expect(b.getLastLr()).toEqual(a.getLastLr());
        for (let t = 0; t < 25; t++) {
          a.step();
          b.step();
          expect(b.getLastLr()).toEqual(a.getLastLr());
          expect(optB.paramGroups).toEqual(optA.paramGroups);
        }
      }
    });
  }

  it("starts at lastEpoch −1, is at 0 after construction, and returns copies of the last lrs", () => {
    const opt = fakeOptimizer();
    const sched = new StepLR(opt, { stepSize: 2 });
    expect(sched.lastEpoch).toBe(0);
    expect(sched.stepCount).toBe(1);
    const lrs = sched.getLastLr();
    lrs[0] = 42;
    expect(sched.getLastLr()).toEqual([0.1, 0.02]);
  });

  it("loadStateDict names what does not match", () => {
    const sched = new StepLR(fakeOptimizer(), { stepSize: 2 });
    const state = sched.stateDict();
    expect(() => new ExponentialLR(fakeOptimizer(), { gamma: 0.5 }).loadStateDict(state)).toThrow(
      'ExponentialLR.loadStateDict: the state was written by "StepLR"',
    );
    expect(() => sched.loadStateDict({ ...state, baseLrs: [0.1] })).toThrow(
      "StepLR.loadStateDict: 'baseLrs' has 1 values but the optimizer has 2 param groups",
    );
    expect(() => sched.loadStateDict({ ...state, lastEpoch: "3" })).toThrow(
      "StepLR.loadStateDict: 'lastEpoch' must be a number",
    );
    expect(() => sched.loadStateDict({ ...state, stepSize: 0 })).toThrow("stepSize must be an integer >= 1");
    expect(() => sched.loadStateDict(null as never)).toThrow("expected a state object, got null");
  });

  it("loadStateDict restores the options, as PyTorch does", () => {
    const a = new StepLR(fakeOptimizer(), { stepSize: 5, gamma: 0.25 });
    const b = new StepLR(fakeOptimizer(), { stepSize: 2 });
    b.loadStateDict(a.stateDict());
    expect([b.stepSize, b.gamma]).toEqual([5, 0.25]);
  });

  it("pyMod and bisectRight follow Python", () => {
    expect(pyMod(-10, 20)).toBe(10);
    expect(pyMod(-20, 20)).toBe(0);
    expect(pyMod(7, 3)).toBe(1);
    expect(bisectRight([1, 3, 3, 5], 3)).toBe(3);
    expect(bisectRight([1, 3, 3, 5], 0)).toBe(0);
    expect(bisectRight([1, 3, 3, 5], 9)).toBe(4);
  });
});

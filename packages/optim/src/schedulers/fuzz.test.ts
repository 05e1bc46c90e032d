/**
 * Seeded fuzz of every scheduler: random options (finite, non-finite and wrong-type values, and
 * misspelled names) and randomly mutated state dicts. The properties:
 *
 * - a constructor either throws an error that names the scheduler and the option, leaving the
 *   optimizer's groups exactly as they were, or builds a scheduler;
 * - a numeric option given a non-number or a non-finite number is always rejected;
 * - every step either writes finite lrs (and a valid momentum / betas[0]) or throws, leaving the
 *   scheduler and the groups exactly as they were;
 * - `loadStateDict` either throws, changing nothing (scheduler, wrapped schedulers, groups), or
 *   loads a state whose counters are integers and which can be saved and loaded again.
 */
import { describe, expect, it } from "vitest";
import { ChainedScheduler } from "./chained.js";
import { ConstantLR } from "./constant.js";
import { CosineAnnealingLR } from "./cosine.js";
import { CosineAnnealingWarmRestarts } from "./cosine-warm-restarts.js";
import { CyclicLR } from "./cyclic.js";
import { ExponentialLR } from "./exponential.js";
import { LambdaLR } from "./lambda.js";
import { LinearLR } from "./linear.js";
import { MultiStepLR } from "./multi-step.js";
import { MultiplicativeLR } from "./multiplicative.js";
import { OneCycleLR } from "./one-cycle.js";
import { ReduceLROnPlateau } from "./plateau.js";
import { PolynomialLR } from "./polynomial.js";
import type { SchedulerParamGroup } from "./scheduler.js";
import { SequentialLR } from "./sequential.js";
import type { SchedulerState } from "./state.js";
import { StepLR } from "./step.js";
import { SWALR } from "./swa.js";

/** Trials per scheduler. */
const OPTION_TRIALS = 150;
const STATE_TRIALS = 150;
const STEPS = 12;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOL: unknown[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -0.5,
  0,
  1,
  0.5,
  2.5,
  3,
  1e9,
  1e308,
  -1e-300,
  2 ** 53,
  "0.1",
  "",
  "Infinity",
  null,
  true,
  {},
  [],
  [0.1],
  [0.1, 0.2],
  [Number.NaN, 1],
  [3, 1],
  () => 1,
  () => "x",
  () => Number.NaN,
];

interface FakeOptimizer {
  defaults: object;
  paramGroups: SchedulerParamGroup[];
}

function sgdLike(): FakeOptimizer {
  return {
    defaults: { lr: 0.1, momentum: 0.9 },
    paramGroups: [
      { lr: 0.1, momentum: 0.9 },
      { lr: 0.05, momentum: 0.5 },
    ],
  };
}

function adamLike(): FakeOptimizer {
  return {
    defaults: { lr: 0.1, betas: [0.9, 0.999] },
    paramGroups: [
      { lr: 0.1, betas: [0.9, 0.999] },
      { lr: 0.05, betas: [0.8, 0.99] },
    ],
  };
}

interface Stepper {
  kind: string;
  step(metric?: number): void;
  stateDict(): SchedulerState;
  loadStateDict(state: SchedulerState): void;
  lastEpoch: number;
}

interface Subject {
  kind: string;
  /** Valid options. */
  valid: (opt: FakeOptimizer) => Record<string, unknown>;
  /** Options that must be finite numbers (or per-group arrays of them). */
  numeric: string[];
  make: (opt: FakeOptimizer, options: never) => Stepper;
  optimizer?: () => FakeOptimizer;
}

const SUBJECTS: Subject[] = [
  {
    kind: "StepLR",
    valid: () => ({ stepSize: 3, gamma: 0.5 }),
    numeric: ["stepSize", "gamma", "lastEpoch"],
    make: (o, x) => new StepLR(o, x),
  },
  {
    kind: "MultiStepLR",
    valid: () => ({ milestones: [2, 4], gamma: 0.5 }),
    numeric: ["gamma", "lastEpoch"],
    make: (o, x) => new MultiStepLR(o, x),
  },
  {
    kind: "ExponentialLR",
    valid: () => ({ gamma: 0.9 }),
    numeric: ["gamma", "lastEpoch"],
    make: (o, x) => new ExponentialLR(o, x),
  },
  {
    kind: "CosineAnnealingLR",
    valid: () => ({ tMax: 5, etaMin: 0.001 }),
    numeric: ["tMax", "etaMin", "lastEpoch"],
    make: (o, x) => new CosineAnnealingLR(o, x),
  },
  {
    kind: "LinearLR",
    valid: () => ({ startFactor: 0.5, endFactor: 1, totalIters: 4 }),
    numeric: ["startFactor", "endFactor", "totalIters", "lastEpoch"],
    make: (o, x) => new LinearLR(o, x),
  },
  {
    kind: "ConstantLR",
    valid: () => ({ factor: 0.5, totalIters: 3 }),
    numeric: ["factor", "totalIters", "lastEpoch"],
    make: (o, x) => new ConstantLR(o, x),
  },
  {
    kind: "PolynomialLR",
    valid: () => ({ totalIters: 4, power: 2 }),
    numeric: ["totalIters", "power", "lastEpoch"],
    make: (o, x) => new PolynomialLR(o, x),
  },
  {
    kind: "LambdaLR",
    valid: () => ({ lrLambda: (e: number) => 1 / (e + 1) }),
    numeric: ["lastEpoch"],
    make: (o, x) => new LambdaLR(o, x),
  },
  {
    kind: "MultiplicativeLR",
    valid: () => ({ lrLambda: () => 0.9 }),
    numeric: ["lastEpoch"],
    make: (o, x) => new MultiplicativeLR(o, x),
  },
  {
    kind: "CosineAnnealingWarmRestarts",
    valid: () => ({ t0: 3, tMult: 2, etaMin: 0.001 }),
    numeric: ["t0", "tMult", "etaMin", "lastEpoch"],
    make: (o, x) => new CosineAnnealingWarmRestarts(o, x),
  },
  {
    kind: "OneCycleLR",
    valid: () => ({ maxLr: [1, 0.5], totalSteps: 20, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 }),
    numeric: [
      "maxLr",
      "totalSteps",
      "pctStart",
      "divFactor",
      "finalDivFactor",
      "baseMomentum",
      "maxMomentum",
    ],
    make: (o, x) => new OneCycleLR(o, x),
  },
  {
    kind: "CyclicLR",
    valid: () => ({ baseLr: 0.01, maxLr: [0.1, 0.2], stepSizeUp: 3, stepSizeDown: 2, mode: "triangular2" }),
    numeric: [
      "baseLr",
      "maxLr",
      "stepSizeUp",
      "stepSizeDown",
      "gamma",
      "baseMomentum",
      "maxMomentum",
      "lastEpoch",
    ],
    make: (o, x) => new CyclicLR(o, x),
  },
  {
    kind: "CyclicLR",
    valid: () => ({ baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: "exp_range", gamma: 0.9 }),
    numeric: ["baseLr", "maxLr", "stepSizeUp", "gamma", "baseMomentum", "maxMomentum"],
    make: (o, x) => new CyclicLR(o, x),
    optimizer: adamLike,
  },
  {
    kind: "SWALR",
    valid: () => ({ swaLr: [0.05, 0.01], annealEpochs: 3, annealStrategy: "linear" }),
    numeric: ["swaLr", "annealEpochs", "lastEpoch"],
    make: (o, x) => new SWALR(o, x),
  },
  {
    kind: "SequentialLR",
    valid: (o) => ({
      schedulers: [
        new LinearLR(o, { startFactor: 0.5, totalIters: 2 }),
        new ExponentialLR(o, { gamma: 0.9 }),
      ],
      milestones: [3],
    }),
    numeric: ["lastEpoch"],
    make: (o, x) => new SequentialLR(o, x),
  },
  {
    kind: "ChainedScheduler",
    valid: (o) => ({
      schedulers: [new StepLR(o, { stepSize: 2, gamma: 0.5 }), new CosineAnnealingLR(o, { tMax: 6 })],
    }),
    numeric: [],
    make: (o, x) => new ChainedScheduler(o, x),
  },
  {
    kind: "ReduceLROnPlateau",
    valid: () => ({
      mode: "min",
      factor: 0.5,
      patience: 1,
      threshold: 1e-3,
      cooldown: 1,
      minLr: [0.001, 0],
      eps: 1e-9,
    }),
    numeric: ["factor", "patience", "threshold", "cooldown", "minLr", "eps"],
    make: (o, x) => new ReduceLROnPlateau(o, x) as unknown as Stepper,
  },
];

/** Option names a subject accepts (its valid options, lastEpoch, and the other known ones). */
const EXTRA_OPTIONS: Record<string, string[]> = {
  OneCycleLR: [
    "epochs",
    "stepsPerEpoch",
    "annealStrategy",
    "cycleMomentum",
    "baseMomentum",
    "maxMomentum",
    "threePhase",
    "lastEpoch",
  ],
  CyclicLR: ["gamma", "scaleFn", "scaleMode", "cycleMomentum", "baseMomentum", "maxMomentum", "lastEpoch"],
  ReduceLROnPlateau: ["thresholdMode"],
  ChainedScheduler: [],
};

/** Lowercase without underscores and spaces, a trailing "s" dropped: how an option is looked for in a message. */
function norm(s: string): string {
  return s.replace(/[_ ]/g, "").toLowerCase().replace(/s$/, "");
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

/** The groups' values a scheduler may write, checked after a successful step. */
function expectValidGroups(groups: SchedulerParamGroup[], where: string): void {
  groups.forEach((g, i) => {
    if (typeof g.lr !== "number" || !Number.isFinite(g.lr))
      expect.fail(`${where}: paramGroups[${i}].lr = ${g.lr}`);
    if (g.momentum !== undefined && !(g.momentum >= 0 && Number.isFinite(g.momentum))) {
      expect.fail(`${where}: paramGroups[${i}].momentum = ${g.momentum}`);
    }
    if (g.betas !== undefined && !(g.betas[0] >= 0 && g.betas[0] < 1)) {
      expect.fail(`${where}: paramGroups[${i}].betas[0] = ${g.betas[0]}`);
    }
  });
}

/** A deep copy that keeps NaN and ±Infinity (unlike JSON) for before/after comparisons. */
function copy<T>(x: T): T {
  return structuredClone(x);
}

function stepOnce(s: Stepper, rand: () => number): void {
  if (s.kind === "ReduceLROnPlateau") s.step(pick(rand, [1, 2, 0.5, Number.NaN, 3]));
  else s.step();
}

describe("fuzzed options", () => {
  SUBJECTS.forEach((subject, index) => {
    it(`${subject.kind}${subject.optimizer ? " (Adam-like)" : ""}`, () => {
      const rand = prng(1000 + index);
      let built = 0;
      let rejected = 0;
      for (let trial = 0; trial < OPTION_TRIALS; trial++) {
        const opt = (subject.optimizer ?? sgdLike)();
        const options = subject.valid(opt);
        const names = [...Object.keys(options), "lastEpoch", ...(EXTRA_OPTIONS[subject.kind] ?? [])];
        const misspell = rand() < 0.1;
        const name = misspell ? `${pick(rand, names)}_x` : pick(rand, names);
        const value = rand() < 0.15 ? undefined : pick(rand, POOL);
        if (subject.kind === "ChainedScheduler" && name === "lastEpoch" && !misspell) continue;
        options[name] = value;
        if (rand() < 0.05)
          opt.paramGroups[1].lr = pick(rand, [Number.NaN, -1, Number.POSITIVE_INFINITY]) as number;
        const groupsBefore = copy(opt.paramGroups);
        const where = `${subject.kind} { ${name}: ${String(value)} }`;
        let sched: Stepper;
        try {
          sched = subject.make(opt, options as never);
        } catch (error) {
          rejected += 1;
          const message = (error as Error).message;
          expect(error, where).toBeInstanceOf(Error);
          expect(
            message.includes(subject.kind) || message.startsWith("Sequential Schedulers"),
            `${where}: ${message}`,
          ).toBe(true);
          const named =
            norm(message).includes(norm(name)) ||
            /paramGroups\[1\]\.lr/.test(message) ||
            // a valid-looking option whose schedule overflows at the initial step: the update check
            /nothing was changed$/.test(message) ||
            (name === "lastEpoch" && /epoch|step/i.test(message));
          expect(named, `${where}: ${message}`).toBe(true);
          expect(opt.paramGroups, where).toEqual(groupsBefore);
          continue;
        }
        built += 1;
        if (misspell) expect.fail(`${where}: a misspelled option was accepted`);
        const bad = typeof value !== "number" || !Number.isFinite(value);
        const isArray =
          Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isFinite(v));
        if (subject.numeric.includes(name) && value !== undefined && bad && !isArray) {
          expect.fail(`${where}: a non-finite or non-number value was accepted`);
        }
        expectValidGroups(opt.paramGroups, where);
        for (let t = 0; t < STEPS; t++) {
          const before = copy({ state: sched.stateDict(), groups: opt.paramGroups });
          try {
            stepOnce(sched, rand);
          } catch (error) {
            const message = (error as Error).message;
            expect(message, where).toMatch(/[A-Za-z]+/);
            expect(
              { state: sched.stateDict(), groups: opt.paramGroups },
              `${where}, step ${t}: ${message}`,
            ).toEqual(before);
            break;
          }
          expectValidGroups(opt.paramGroups, `${where}, step ${t}`);
        }
      }
      // the composites' only option is the list of schedulers, which a random value never is
      const composite = subject.kind === "SequentialLR" || subject.kind === "ChainedScheduler";
      if (!composite) expect(built).toBeGreaterThan(OPTION_TRIALS / 20);
      expect(rejected).toBeGreaterThan(OPTION_TRIALS / 20);
    });
  });
});

/** Every path to a value in a JSON object (keys and array indices), containers included. */
function paths(x: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(x)) {
    x.forEach((v, i) => {
      out.push(...paths(v, [...prefix, i]));
    });
  } else if (typeof x === "object" && x !== null) {
    for (const [k, v] of Object.entries(x)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

/** A copy of `state` with one random change: a value replaced or removed, or a key added. */
function mutate(state: SchedulerState, rand: () => number): SchedulerState {
  const m = JSON.parse(JSON.stringify(state)) as SchedulerState;
  const all = paths(m).filter((p) => p.length > 0);
  const path = pick(rand, all);
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], m) as
    | Record<string, unknown>
    | unknown[];
  const key = path[path.length - 1];
  const action = rand();
  if (action < 0.7) (parent as Record<string | number, unknown>)[key] = pick(rand, POOL);
  else if (action < 0.8) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (action < 0.9) {
    if (Array.isArray(parent)) parent.push(pick(rand, POOL));
    else parent.extra = 1;
  } else {
    // a plausible but wrong counter
    m.lastEpoch = pick(rand, [2.5, -5, -2, 1e20, "Infinity", Number.NaN, 7]) as number;
  }
  return m;
}

describe("fuzzed state dicts: loadStateDict is all or nothing", () => {
  SUBJECTS.forEach((subject, index) => {
    it(`${subject.kind}${subject.optimizer ? " (Adam-like)" : ""}`, () => {
      const rand = prng(2000 + index);
      const makeOpt = subject.optimizer ?? sgdLike;
      const optA = makeOpt();
      const a = subject.make(optA, subject.valid(optA) as never);
      for (let t = 0; t < 5; t++) stepOnce(a, rand);
      const saved = JSON.parse(JSON.stringify(a.stateDict())) as SchedulerState;
      let loaded = 0;
      let rejected = 0;
      for (let trial = 0; trial < STATE_TRIALS; trial++) {
        const optB = makeOpt();
        const b = subject.make(optB, subject.valid(optB) as never);
        stepOnce(b, rand);
        const mutated = mutate(saved, rand);
        const before = copy({ state: b.stateDict(), groups: optB.paramGroups });
        const where = `${subject.kind}: ${JSON.stringify(mutated)}`;
        try {
          b.loadStateDict(mutated);
        } catch (error) {
          rejected += 1;
          expect(error, where).toBeInstanceOf(Error);
          expect(
            { state: b.stateDict(), groups: optB.paramGroups },
            `${where}: ${(error as Error).message}`,
          ).toEqual(before);
          continue;
        }
        loaded += 1;
        expect(Number.isSafeInteger(b.lastEpoch), where).toBe(true);
        const again = JSON.parse(JSON.stringify(b.stateDict()));
        const optC = makeOpt();
        subject.make(optC, subject.valid(optC) as never).loadStateDict(again);
        for (let t = 0; t < 4; t++) {
          const snapshot = copy({ state: b.stateDict(), groups: optB.paramGroups });
          try {
            stepOnce(b, rand);
          } catch {
            expect({ state: b.stateDict(), groups: optB.paramGroups }, where).toEqual(snapshot);
            break;
          }
          expectValidGroups(optB.paramGroups, where);
        }
      }
      expect(rejected).toBeGreaterThan(STATE_TRIALS / 3);
      expect(loaded).toBeGreaterThan(0);
    });
  });

  it("SequentialLR: a bad state for the second scheduler leaves the first one unloaded too", () => {
    const opt = sgdLike();
    const make = () =>
      new SequentialLR(opt, {
        schedulers: [new StepLR(opt, { stepSize: 2, gamma: 0.5 }), new ExponentialLR(opt, { gamma: 0.9 })],
        milestones: [3],
      });
    const a = make();
    for (let t = 0; t < 6; t++) a.step();
    const state = JSON.parse(JSON.stringify(a.stateDict()));
    state.schedulers[1].gamma = -1;
    const b = make();
    const before = copy(b.stateDict());
    expect(() => b.loadStateDict(state)).toThrow(
      "ExponentialLR.loadStateDict: gamma must be a number >= 0, got -1",
    );
    expect(b.stateDict()).toEqual(before);
    expect(b.schedulers[0].lastEpoch).toBe(
      before.schedulers && (before.schedulers as SchedulerState[])[0].lastEpoch,
    );
  });
});

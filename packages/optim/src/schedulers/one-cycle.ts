import { momentumTarget, setMomentum } from "./momentum.js";
import {
  bool,
  type Check,
  num,
  oneOf,
  optional,
  perGroup,
  pytorchCheck,
  readOptions,
  required,
  scheduleFunction,
  withDefault,
} from "./options.js";
import {
  checkOptimizer,
  LAST_EPOCH,
  LRScheduler,
  type MomentumUpdate,
  type SchedulableOptimizer,
  type SchedulerParamGroup,
} from "./scheduler.js";
import { describe } from "./state.js";

/** The group keys a OneCycleLR phase anneals between. */
type LrKey = "initialLr" | "maxLr" | "minLr";
type MomentumKey = "maxMomentum" | "baseMomentum";

/** One phase of the cycle: from `start*` at the previous phase's end step to `end*` at `endStep`. */
interface Phase {
  endStep: number;
  startLr: LrKey;
  endLr: LrKey;
  startMomentum: MomentumKey;
  endMomentum: MomentumKey;
}

/** Options of {@link OneCycleLR}. */
export interface OneCycleLROptions {
  /** Peak lr, for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Number of steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** With `stepsPerEpoch`, sets `totalSteps = epochs · stepsPerEpoch` when `totalSteps` is absent. */
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr, in [0, 1]. Default 0.3. */
  pctStart?: number;
  /** How to anneal within a phase. Default `"cos"`. */
  annealStrategy?: "cos" | "linear";
  /** Cycle the momentum (or `betas[0]`) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the lr peak, for all groups or one per group. Default 0.85. */
  baseMomentum?: number | readonly number[];
  /** Momentum at the start and end of the cycle, for all groups or one per group. Default 0.95. */
  maxMomentum?: number | readonly number[];
  /** initialLr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) instead of two. Default false. */
  threePhase?: boolean;
  /** Index of the last batch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link oneCycleSchedule}: OneCycleLR's lr options, with one `maxLr`. */
export interface OneCycleScheduleOptions {
  maxLr: number;
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

const positiveInteger = (name: string) =>
  pytorchCheck<number>(
    "number",
    (v) => Number.isSafeInteger(v) && v > 0,
    (v) => `Expected positive integer ${name}, but got ${v}`,
  );

/** The options the lr schedule depends on (OneCycleLR's and oneCycleSchedule's). */
const SCHEDULE = {
  totalSteps: optional(positiveInteger("totalSteps")),
  epochs: optional(positiveInteger("epochs")),
  stepsPerEpoch: optional(positiveInteger("stepsPerEpoch")),
  pctStart: withDefault(
    pytorchCheck<number>(
      "number",
      (v) => v >= 0 && v <= 1,
      (v) => `Expected float between 0 and 1 pctStart, but got ${v}`,
    ),
    0.3,
  ),
  annealStrategy: withDefault(
    pytorchCheck<"cos" | "linear">(
      "string",
      (v) => v === "cos" || v === "linear",
      (v) => `annealStrategy must be one of 'cos' or 'linear', instead got ${v}`,
    ),
    "cos",
  ),
  divFactor: withDefault(num({ above: 0 }), 25),
  finalDivFactor: withDefault(num({ above: 0 }), 1e4),
  threePhase: withDefault(bool(), false),
};

const MOMENTUM = num({ min: 0 });
const OPTIONS = {
  maxLr: required(perGroup(num({ min: 0 }))),
  ...SCHEDULE,
  cycleMomentum: withDefault(bool(), true),
  baseMomentum: withDefault(perGroup(MOMENTUM), 0.85),
  maxMomentum: withDefault(perGroup(MOMENTUM), 0.95),
  lastEpoch: LAST_EPOCH,
};

/** PyTorch's rule: `totalSteps` if given, else `epochs · stepsPerEpoch`. */
function totalStepsOf(
  kind: string,
  o: { totalSteps?: number; epochs?: number; stepsPerEpoch?: number },
): number {
  if (o.totalSteps !== undefined) return o.totalSteps;
  if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) return o.epochs * o.stepsPerEpoch;
  throw new TypeError(`${kind}: You must define either totalSteps OR (epochs AND stepsPerEpoch)`);
}

/** PyTorch's `_schedule_phases`. */
function makePhases(pctStart: number, total: number, threePhase: boolean): Phase[] {
  const up: Phase = {
    endStep: pctStart * total - 1,
    startLr: "initialLr",
    endLr: "maxLr",
    startMomentum: "maxMomentum",
    endMomentum: "baseMomentum",
  };
  if (!threePhase) {
    return [
      up,
      {
        endStep: total - 1,
        startLr: "maxLr",
        endLr: "minLr",
        startMomentum: "baseMomentum",
        endMomentum: "maxMomentum",
      },
    ];
  }
  return [
    up,
    {
      endStep: 2 * pctStart * total - 2,
      startLr: "maxLr",
      endLr: "initialLr",
      startMomentum: "baseMomentum",
      endMomentum: "maxMomentum",
    },
    {
      endStep: total - 1,
      startLr: "initialLr",
      endLr: "minLr",
      startMomentum: "maxMomentum",
      endMomentum: "maxMomentum",
    },
  ];
}

/** Cosine anneal from `start` to `end` as `pct` goes from 0 to 1. */
function annealCos(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}

/** Linear anneal from `start` to `end` as `pct` goes from 0 to 1. */
function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

const ANNEAL = { cos: annealCos, linear: annealLinear };

/**
 * The phase `step` falls in and how far through it (PyTorch's loop: the first phase whose
 * `endStep` is ≥ step, else the last), with the errors PyTorch raises as exceptions.
 */
function locate(phases: readonly Phase[], step: number, totalSteps: number): { phase: Phase; pct: number } {
  if (step > totalSteps) {
    throw new RangeError(
      `OneCycleLR: Tried to step ${step} times. The specified number of total steps is ${totalSteps}`,
    );
  }
  let start = 0;
  const last = phases.length - 1;
  for (let i = 0; ; i++) {
    const phase = phases[i];
    if (step <= phase.endStep || i === last) {
      if (phase.endStep === start) {
        throw new RangeError(
          `OneCycleLR: phase ${i} has zero length (it ends at step ${start}, where it starts); change pctStart or totalSteps`,
        );
      }
      return { phase, pct: (step - start) / (phase.endStep - start) };
    }
    start = phase.endStep;
  }
}

/**
 * OneCycleLR's lr schedule for one `maxLr`, as a function of the step:
 * maxLr/divFactor → maxLr → maxLr/divFactor/finalDivFactor (see {@link OneCycleLR}).
 *
 * @example
 * oneCycleSchedule({ maxLr: 1, totalSteps: 10 })(2); // 1 (the peak, at step 0.3·10 − 1)
 */
export function oneCycleSchedule(options: OneCycleScheduleOptions): (step: number) => number {
  const kind = "oneCycleSchedule";
  const o = readOptions(kind, options, { maxLr: required(num({ min: 0 })), ...SCHEDULE });
  const totalSteps = totalStepsOf(kind, o);
  const phases = makePhases(o.pctStart, totalSteps, o.threePhase);
  const initialLr = o.maxLr / o.divFactor;
  const ends = { initialLr, maxLr: o.maxLr, minLr: initialLr / o.finalDivFactor };
  const anneal = ANNEAL[o.annealStrategy];
  return scheduleFunction(kind, (step) => {
    const { phase, pct } = locate(phases, step, totalSteps);
    return anneal(ends[phase.startLr], ends[phase.endLr], pct);
  });
}

/**
 * The 1cycle policy (PyTorch's `OneCycleLR`; Smith & Topin, "Super-Convergence", 2017): the lr
 * goes from `initialLr = maxLr/divFactor` up to `maxLr`, then down to
 * `minLr = initialLr/finalDivFactor`, while the momentum goes the other way between `maxMomentum`
 * and `baseMomentum`. Step it after every batch; stepping past `totalSteps` throws.
 *
 * The constructor writes `initialLr`, `maxLr`, `minLr` (and, with `cycleMomentum`, `maxMomentum`,
 * `baseMomentum` and the starting `momentum` or `betas[0]`) into every param group. Phase k runs
 * from step a to step b (a = previous phase's b, 0 for the first) with pct = (t − a)/(b − a):
 *
 *   two phases:   b₁ = pctStart·N − 1: initialLr → maxLr;   b₂ = N − 1: maxLr → minLr
 *   three phases: b₁ = pctStart·N − 1: initialLr → maxLr;   b₂ = 2·pctStart·N − 2: maxLr → initialLr;
 *                 b₃ = N − 1: initialLr → minLr
 *
 *   cos:    lr = end + (start − end)/2 · (1 + cos(π·pct))
 *   linear: lr = (end − start)·pct + start
 *
 * It is not chainable: each step recomputes the lr from the group's stored end points (so editing
 * a group's `maxLr` mid-cycle moves the rest of the cycle, as in PyTorch). Momentum is cycled on
 * `betas[0]` if the optimizer has `betas` (Adam, AdamW), else on `momentum`. The lr for one
 * `maxLr`, as a function, is {@link oneCycleSchedule}.
 *
 * @example
 * const sched = new OneCycleLR(optimizer, { maxLr: 0.01, epochs: 10, stepsPerEpoch: batches.length });
 * for (let epoch = 0; epoch < 10; epoch++) for (const b of batches) { trainBatch(b); optimizer.step(); sched.step(); }
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  /** Cycle `betas[0]` (true) or `momentum` (false). */
  useBeta1: boolean;
  private phases: Phase[];

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    const kind = "OneCycleLR";
    checkOptimizer(kind, optimizer);
    const o = readOptions(kind, options, OPTIONS, optimizer.paramGroups.length);
    const totalSteps = totalStepsOf(kind, o);
    const { baseMomentum, maxMomentum } = o;
    const useBeta1 = o.cycleMomentum && momentumTarget(kind, optimizer, { maxMomentum, baseMomentum });
    super(kind, optimizer, o.lastEpoch, (gs) => {
      if (o.lastEpoch !== -1) return;
      gs.forEach((group, i) => {
        group.initialLr = o.maxLr[i] / o.divFactor;
        group.maxLr = o.maxLr[i];
        group.minLr = group.initialLr / o.finalDivFactor;
        if (!o.cycleMomentum) return;
        setMomentum(group, maxMomentum[i], useBeta1);
        group.maxMomentum = maxMomentum[i];
        group.baseMomentum = baseMomentum[i];
      });
    });
    this.totalSteps = totalSteps;
    this.annealStrategy = o.annealStrategy;
    this.cycleMomentum = o.cycleMomentum;
    this.useBeta1 = useBeta1;
    this.phases = makePhases(o.pctStart, totalSteps, o.threePhase);
    this.start();
  }

  /** Anneals between the group keys of the current phase. */
  private interpolate(start: LrKey | MomentumKey, end: LrKey | MomentumKey, pct: number): number[] {
    const anneal = ANNEAL[this.annealStrategy];
    return this.optimizer.paramGroups.map((g, i) =>
      anneal(groupValue(g, i, start), groupValue(g, i, end), pct),
    );
  }

  protected getLr(): number[] {
    const { phase, pct } = locate(this.phases, this.lastEpoch, this.totalSteps);
    return this.interpolate(phase.startLr, phase.endLr, pct);
  }

  protected override getMomentum(): MomentumUpdate | undefined {
    if (!this.cycleMomentum) return undefined;
    const { phase, pct } = locate(this.phases, this.lastEpoch, this.totalSteps);
    return { values: this.interpolate(phase.startMomentum, phase.endMomentum, pct), useBeta1: this.useBeta1 };
  }

  protected stateFields() {
    return {
      totalSteps: SCHEDULE.totalSteps.check,
      phases: phaseList,
      annealStrategy: oneOf("cos", "linear"),
      cycleMomentum: bool(),
      useBeta1: bool(),
    };
  }
}

/** A saved list of phases. */
const phaseList: Check<Phase[]> = (value, label) => {
  const lrKeys = ["initialLr", "maxLr", "minLr"];
  const momentumKeys = ["maxMomentum", "baseMomentum"];
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (p) =>
        typeof p === "object" &&
        p !== null &&
        Number.isFinite(p.endStep) &&
        lrKeys.includes(p.startLr) &&
        lrKeys.includes(p.endLr) &&
        momentumKeys.includes(p.startMomentum) &&
        momentumKeys.includes(p.endMomentum) &&
        Object.keys(p).length === 5,
    );
  if (!valid) throw new TypeError(`${label} is not a list of OneCycleLR phases, got ${describe(value)}`);
  return (value as Phase[]).map((p) => ({ ...p }));
};

function groupValue(group: SchedulerParamGroup, index: number, key: LrKey | MomentumKey): number {
  const value = group[key];
  if (typeof value !== "number") {
    throw new TypeError(
      `OneCycleLR: paramGroups[${index}].${key} is missing (was the group added after the scheduler?)`,
    );
  }
  return value;
}

import { momentumTarget, setMomentum } from "./momentum.js";
import {
  bool,
  checksOf,
  num,
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
export type OneCycleScheduleOptions = Pick<
  OneCycleLROptions,
  | "totalSteps"
  | "epochs"
  | "stepsPerEpoch"
  | "pctStart"
  | "annealStrategy"
  | "divFactor"
  | "finalDivFactor"
  | "threePhase"
> & { maxLr: number };

const positiveInteger = (name: string) =>
  pytorchCheck<number>(
    "number",
    (v) => Number.isSafeInteger(v) && v > 0,
    (v) => `Expected positive integer ${name}, but got ${v}`,
  );

/** The options the lr schedule depends on (OneCycleLR's and oneCycleSchedule's), with PyTorch's messages. */
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

/** initialLr = maxLr/divFactor and minLr = initialLr/finalDivFactor, which must be finite. */
function endPoints(kind: string, maxLr: number, divFactor: number, finalDivFactor: number) {
  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  if (!Number.isFinite(minLr)) {
    throw new RangeError(
      `${kind}: maxLr / divFactor / finalDivFactor = ${maxLr} / ${divFactor} / ${finalDivFactor} overflows to ${minLr}`,
    );
  }
  return { initialLr, maxLr, minLr };
}

/** PyTorch's rule: `totalSteps` if given, else `epochs · stepsPerEpoch`. */
function totalStepsOf(
  kind: string,
  o: { totalSteps?: number; epochs?: number; stepsPerEpoch?: number },
): number {
  if (o.totalSteps !== undefined) return o.totalSteps;
  if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) return o.epochs * o.stepsPerEpoch;
  throw new TypeError(`${kind}: You must define either totalSteps OR (epochs AND stepsPerEpoch)`);
}

/** The group keys a phase anneals between. */
type Key = "initialLr" | "maxLr" | "minLr" | "maxMomentum" | "baseMomentum";

/** One phase of the cycle: lr from `lr[0]` to `lr[1]`, momentum from `m[0]` to `m[1]`, ending at `endStep`. */
interface Phase {
  endStep: number;
  lr: readonly [Key, Key];
  m: readonly [Key, Key];
}

/** PyTorch's `_schedule_phases` (N = totalSteps, p = pctStart). */
function makePhases(p: number, N: number, threePhase: boolean): Phase[] {
  const up: Phase = { endStep: p * N - 1, lr: ["initialLr", "maxLr"], m: ["maxMomentum", "baseMomentum"] };
  if (!threePhase)
    return [up, { endStep: N - 1, lr: ["maxLr", "minLr"], m: ["baseMomentum", "maxMomentum"] }];
  return [
    up,
    { endStep: 2 * p * N - 2, lr: ["maxLr", "initialLr"], m: ["baseMomentum", "maxMomentum"] },
    { endStep: N - 1, lr: ["initialLr", "minLr"], m: ["maxMomentum", "maxMomentum"] },
  ];
}

/** Anneals from `start` to `end` as `pct` goes from 0 to 1, in PyTorch's order of operations. */
const ANNEAL = {
  cos: (start: number, end: number, pct: number) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1),
  linear: (start: number, end: number, pct: number) => (end - start) * pct + start,
};

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
  for (let i = 0; ; i++) {
    const phase = phases[i];
    if (step <= phase.endStep || i === phases.length - 1) {
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
  const ends = endPoints(kind, o.maxLr, o.divFactor, o.finalDivFactor) as Record<Key, number>;
  return scheduleFunction(kind, (step) => {
    const { phase, pct } = locate(phases, step, totalSteps);
    return ANNEAL[o.annealStrategy](ends[phase.lr[0]], ends[phase.lr[1]], pct);
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
  pctStart: number;
  threePhase: boolean;
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  /** Cycle `betas[0]` (true) or `momentum` (false). */
  useBeta1: boolean;

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    const kind = "OneCycleLR";
    checkOptimizer(kind, optimizer);
    const spec = {
      maxLr: required(perGroup(num({ min: 0 }))),
      ...SCHEDULE,
      cycleMomentum: withDefault(bool(), true),
      baseMomentum: withDefault(perGroup(MOMENTUM), 0.85),
      maxMomentum: withDefault(perGroup(MOMENTUM), 0.95),
      lastEpoch: LAST_EPOCH,
    };
    const o = readOptions(kind, options, spec, optimizer.paramGroups.length);
    const totalSteps = totalStepsOf(kind, o);
    const { baseMomentum, maxMomentum } = o;
    const useBeta1 = o.cycleMomentum && momentumTarget(kind, optimizer, { maxMomentum, baseMomentum });
    const ends = o.maxLr.map((maxLr) => endPoints(kind, maxLr, o.divFactor, o.finalDivFactor));
    super(kind, optimizer, o.lastEpoch, (groups) => {
      if (o.lastEpoch !== -1) return;
      groups.forEach((group, i) => {
        Object.assign(group, ends[i]);
        if (!o.cycleMomentum) return;
        setMomentum(group, maxMomentum[i], useBeta1);
        group.maxMomentum = maxMomentum[i];
        group.baseMomentum = baseMomentum[i];
      });
    });
    this.totalSteps = totalSteps;
    this.pctStart = o.pctStart;
    this.threePhase = o.threePhase;
    this.annealStrategy = o.annealStrategy;
    this.cycleMomentum = o.cycleMomentum;
    this.useBeta1 = useBeta1;
    this.start();
  }

  /** Each group's value annealed between the current phase's keys `pick(phase)`. */
  private anneal(pick: (phase: Phase) => readonly [Key, Key]): number[] {
    const phases = makePhases(this.pctStart, this.totalSteps, this.threePhase);
    const { phase, pct } = locate(phases, this.lastEpoch, this.totalSteps);
    const [start, end] = pick(phase);
    const anneal = ANNEAL[this.annealStrategy];
    return this.optimizer.paramGroups.map((g, i) =>
      anneal(groupValue(g, i, start), groupValue(g, i, end), pct),
    );
  }

  protected getLr(): number[] {
    return this.anneal((phase) => phase.lr);
  }

  protected override getMomentum(): MomentumUpdate | undefined {
    if (!this.cycleMomentum) return undefined;
    return { values: this.anneal((phase) => phase.m), useBeta1: this.useBeta1 };
  }

  protected stateFields() {
    const { totalSteps, pctStart, threePhase, annealStrategy } = checksOf(SCHEDULE);
    return { totalSteps, pctStart, threePhase, annealStrategy, cycleMomentum: bool(), useBeta1: bool() };
  }
}

function groupValue(group: SchedulerParamGroup, index: number, key: Key): number {
  const value = group[key];
  if (typeof value !== "number") {
    throw new TypeError(
      `OneCycleLR: paramGroups[${index}].${key} is missing (was the group added after the scheduler?)`,
    );
  }
  return value;
}

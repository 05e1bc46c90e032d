import { LRScheduler, type SchedulableOptimizer, type SchedulerParamGroup } from "./scheduler.js";
import {
  describe,
  type JsonValue,
  readBoolean,
  readChoice,
  readNumber,
  type SchedulerState,
} from "./state.js";

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

/**
 * The 1cycle policy (PyTorch's `OneCycleLR`; Smith & Topsekar, "Super-Convergence", 2017): the lr
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
 * It is not chainable: each step recomputes the lr from the group's stored end points. Momentum is
 * cycled on `betas[0]` if the optimizer has `betas` (Adam, AdamW), else on `momentum`.
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
    const {
      maxLr,
      totalSteps,
      epochs,
      stepsPerEpoch,
      pctStart = 0.3,
      annealStrategy = "cos",
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25,
      finalDivFactor = 1e4,
      threePhase = false,
      lastEpoch = -1,
    } = options;
    const name = "OneCycleLR";
    if (typeof optimizer !== "object" || optimizer === null || !Array.isArray(optimizer.paramGroups)) {
      throw new TypeError(
        `${name}: ${describe(optimizer)} is not an Optimizer (expected an object with a paramGroups array)`,
      );
    }
    let steps: number;
    if (totalSteps !== undefined) {
      if (!Number.isInteger(totalSteps) || totalSteps <= 0) {
        throw new RangeError(
          `${name}: Expected positive integer totalSteps, but got ${describe(totalSteps)}`,
        );
      }
      steps = totalSteps;
    } else if (epochs !== undefined && stepsPerEpoch !== undefined) {
      if (!Number.isInteger(epochs) || epochs <= 0) {
        throw new RangeError(`${name}: Expected positive integer epochs, but got ${describe(epochs)}`);
      }
      if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch <= 0) {
        throw new RangeError(
          `${name}: Expected positive integer stepsPerEpoch, but got ${describe(stepsPerEpoch)}`,
        );
      }
      steps = epochs * stepsPerEpoch;
    } else {
      throw new TypeError(`${name}: You must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    }
    if (typeof pctStart !== "number" || !(pctStart >= 0 && pctStart <= 1)) {
      throw new RangeError(`${name}: Expected float between 0 and 1 pctStart, but got ${describe(pctStart)}`);
    }
    if (annealStrategy !== "cos" && annealStrategy !== "linear") {
      throw new TypeError(
        `${name}: annealStrategy must be one of 'cos' or 'linear', instead got ${describe(annealStrategy)}`,
      );
    }
    for (const [option, value] of [
      ["divFactor", divFactor],
      ["finalDivFactor", finalDivFactor],
    ] as const) {
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
        throw new RangeError(`${name}: ${option} must be a positive number, got ${describe(value)}`);
      }
    }
    const groups = optimizer.paramGroups;
    const maxLrs = formatParam(name, "maxLr", groups.length, maxLr);
    if (lastEpoch === -1) {
      groups.forEach((group, i) => {
        group.initialLr = maxLrs[i] / divFactor;
        group.maxLr = maxLrs[i];
        group.minLr = group.initialLr / finalDivFactor;
      });
    }
    let useBeta1 = false;
    if (cycleMomentum) {
      const reference: object = optimizer.defaults ?? groups[0] ?? {};
      if (!("momentum" in reference) && !("betas" in reference)) {
        throw new TypeError(
          `${name}: optimizer must support momentum or beta1 with \`cycleMomentum\` option enabled`,
        );
      }
      useBeta1 = "betas" in reference;
      const maxMomentums = formatParam(name, "maxMomentum", groups.length, maxMomentum);
      const baseMomentums = formatParam(name, "baseMomentum", groups.length, baseMomentum);
      if (lastEpoch === -1) {
        groups.forEach((group, i) => {
          if (useBeta1) group.betas = [maxMomentums[i], betaTwo(group, i)];
          else group.momentum = maxMomentums[i];
          group.maxMomentum = maxMomentums[i];
          group.baseMomentum = baseMomentums[i];
        });
      }
    }
    super(name, optimizer, lastEpoch);
    this.totalSteps = steps;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.phases = makePhases(pctStart, steps, threePhase);
    this.initialStep();
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new RangeError(
        `OneCycleLR: Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`,
      );
    }
    const anneal = this.annealStrategy === "cos" ? annealCos : annealLinear;
    const last = this.phases.length - 1;
    return this.optimizer.paramGroups.map((group, g) => {
      let start = 0;
      for (let i = 0; i <= last; i++) {
        const phase = this.phases[i];
        if (step <= phase.endStep || i === last) {
          if (phase.endStep === start) {
            throw new RangeError(
              `OneCycleLR: phase ${i} has zero length (it ends at step ${start}, where it starts); ` +
                `change pctStart or totalSteps`,
            );
          }
          const pct = (step - start) / (phase.endStep - start);
          const lr = anneal(groupValue(group, g, phase.startLr), groupValue(group, g, phase.endLr), pct);
          if (this.cycleMomentum) {
            const m = anneal(
              groupValue(group, g, phase.startMomentum),
              groupValue(group, g, phase.endMomentum),
              pct,
            );
            if (this.useBeta1) group.betas = [m, betaTwo(group, g)];
            else group.momentum = m;
          }
          return lr;
        }
        start = phase.endStep;
      }
      throw new Error("unreachable");
    });
  }

  protected extraState(): Record<string, JsonValue> {
    return {
      totalSteps: this.totalSteps,
      phases: this.phases.map((p) => ({ ...p })),
      annealStrategy: this.annealStrategy,
      cycleMomentum: this.cycleMomentum,
      useBeta1: this.useBeta1,
    };
  }

  protected loadExtraState(state: SchedulerState): void {
    const totalSteps = readNumber(state, "totalSteps");
    const phases = state.phases;
    const lrKeys = ["initialLr", "maxLr", "minLr"];
    const momentumKeys = ["maxMomentum", "baseMomentum"];
    const valid =
      Array.isArray(phases) &&
      phases.length > 0 &&
      phases.every(
        (p) =>
          typeof p === "object" &&
          p !== null &&
          !Array.isArray(p) &&
          typeof p.endStep === "number" &&
          lrKeys.includes(p.startLr as string) &&
          lrKeys.includes(p.endLr as string) &&
          momentumKeys.includes(p.startMomentum as string) &&
          momentumKeys.includes(p.endMomentum as string),
      );
    if (!valid) throw new TypeError("OneCycleLR.loadStateDict: 'phases' is not a list of OneCycleLR phases");
    this.annealStrategy = readChoice(state, "annealStrategy", ["cos", "linear"] as const);
    this.cycleMomentum = readBoolean(state, "cycleMomentum");
    this.useBeta1 = readBoolean(state, "useBeta1");
    this.totalSteps = totalSteps;
    this.phases = (phases as unknown as Phase[]).map((p) => ({ ...p }));
  }
}

function makePhases(pctStart: number, total: number, threePhase: boolean): Phase[] {
  if (threePhase) {
    return [
      {
        endStep: pctStart * total - 1,
        startLr: "initialLr",
        endLr: "maxLr",
        startMomentum: "maxMomentum",
        endMomentum: "baseMomentum",
      },
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
  return [
    {
      endStep: pctStart * total - 1,
      startLr: "initialLr",
      endLr: "maxLr",
      startMomentum: "maxMomentum",
      endMomentum: "baseMomentum",
    },
    {
      endStep: total - 1,
      startLr: "maxLr",
      endLr: "minLr",
      startMomentum: "baseMomentum",
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

/** PyTorch's `_format_param`: one value per group from a scalar or a per-group list. */
function formatParam(
  name: string,
  option: string,
  groups: number,
  value: number | readonly number[],
): number[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw new RangeError(
        `${name}: ${option} must have the same length as optimizer.paramGroups. ` +
          `${option} has ${value.length} values, paramGroups has ${groups}.`,
      );
    }
    return value.slice();
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(
      `${name}: ${option} must be a finite number or one per group, got ${describe(value)}`,
    );
  }
  return new Array<number>(groups).fill(value);
}

function groupValue(group: SchedulerParamGroup, index: number, key: LrKey | MomentumKey): number {
  const value = group[key];
  if (typeof value !== "number") {
    throw new TypeError(
      `OneCycleLR: paramGroups[${index}].${key} is missing (was the group added after the scheduler?)`,
    );
  }
  return value;
}

function betaTwo(group: SchedulerParamGroup, index: number): number {
  const betas = group.betas;
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new TypeError(`OneCycleLR: paramGroups[${index}].betas must be a pair of numbers`);
  }
  return betas[1];
}

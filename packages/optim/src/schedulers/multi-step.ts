import { show } from "../validate.js";
import {
  type Check,
  checksOf,
  num,
  readOptions,
  required,
  scheduleFunction,
  withDefault,
} from "./options.js";
import { bisectRight, LAST_EPOCH, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions {
  /** Epoch indices at which to decay (integers ≥ 0; a milestone listed k times decays by γ^k). */
  milestones: readonly number[];
  /** Multiplicative factor of the decay (≥ 0). Default 0.1. */
  gamma?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link multiStepSchedule}: MultiStepLR's, with the lr at epoch 0. */
export interface MultiStepScheduleOptions {
  baseLr: number;
  milestones: readonly number[];
  gamma?: number;
}

/** Integers ≥ 0, returned sorted (repeats kept). */
const milestoneList: Check<number[]> = (value, label) => {
  if (!Array.isArray(value) || !value.every((m) => Number.isSafeInteger(m) && m >= 0)) {
    throw new TypeError(`${label} must be an array of integers >= 0, got ${show(value)}`);
  }
  return (value as number[]).slice().sort((a, b) => a - b);
};

const OPTIONS = { milestones: required(milestoneList), gamma: withDefault(num({ min: 0 }), 0.1) };

/**
 * MultiStepLR's closed form: η_t = η₀·γ^(number of milestones ≤ t).
 *
 * @example
 * multiStepSchedule({ baseLr: 1, milestones: [2, 5] })(5); // 0.01 (to rounding)
 */
export function multiStepSchedule(options: MultiStepScheduleOptions): (epoch: number) => number {
  const o = readOptions("multiStepSchedule", options, { baseLr: required(num({ min: 0 })), ...OPTIONS });
  return scheduleFunction("multiStepSchedule", (t) => o.baseLr * o.gamma ** bisectRight(o.milestones, t));
}

/**
 * Multiplies every group's lr by `gamma` each time the epoch reaches a milestone (PyTorch's
 * `MultiStepLR`).
 *
 * Chainable form (t = `lastEpoch`, c(t) = how many times t appears in `milestones`):
 *   η_t = η_{t−1} · γ^c(t)
 * Closed form: {@link multiStepSchedule}.
 *
 * @example
 * const sched = new MultiStepLR(optimizer, { milestones: [30, 80], gamma: 0.1 });
 * // lr = 0.05 for epochs 0..29, 0.005 for 30..79, 0.0005 from 80 on
 */
export class MultiStepLR extends LRScheduler {
  /** The milestones, sorted, repeats kept. */
  milestones: number[];
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    const o = readOptions("MultiStepLR", options, { ...OPTIONS, lastEpoch: LAST_EPOCH });
    super("MultiStepLR", optimizer, o.lastEpoch);
    this.milestones = o.milestones;
    this.gamma = o.gamma;
    this.start();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const t = this.lastEpoch;
    const count = bisectRight(this.milestones, t) - bisectRight(this.milestones, t - 1);
    if (count === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }

  protected stateFields() {
    return checksOf(OPTIONS);
  }
}

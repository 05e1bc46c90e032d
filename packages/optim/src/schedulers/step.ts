import { checksOf, int, num, readOptions, required, scheduleFunction, withDefault } from "./options.js";
import { LAST_EPOCH, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Period of the decay, in epochs (a positive integer). */
  stepSize: number;
  /** Multiplicative factor of the decay (≥ 0). Default 0.1. */
  gamma?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link stepSchedule}: StepLR's, with the lr at epoch 0. */
export interface StepScheduleOptions {
  baseLr: number;
  stepSize: number;
  gamma?: number;
}

const OPTIONS = { stepSize: required(int({ min: 1 })), gamma: withDefault(num({ min: 0 }), 0.1) };

/**
 * StepLR's closed form: η_t = η₀·γ^⌊t / stepSize⌋.
 *
 * @example
 * stepSchedule({ baseLr: 0.05, stepSize: 30 })(45); // 0.005 (to rounding)
 */
export function stepSchedule(options: StepScheduleOptions): (epoch: number) => number {
  const o = readOptions("stepSchedule", options, { baseLr: required(num({ min: 0 })), ...OPTIONS });
  return scheduleFunction("stepSchedule", (t) => o.baseLr * o.gamma ** Math.floor(t / o.stepSize));
}

/**
 * Multiplies every group's lr by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
 *
 * Chainable form, used by `step()` (t = `lastEpoch`):
 *   η_t = γ·η_{t−1}   if t > 0 and t mod stepSize = 0,   else η_t = η_{t−1}
 * Closed form (used when jumping to an epoch): {@link stepSchedule}.
 *
 * @example
 * const sched = new StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * // lr = 0.05 for epochs 0..29, 0.005 for 30..59, 0.0005 for 60..89, ...
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    const o = readOptions("StepLR", options, { ...OPTIONS, lastEpoch: LAST_EPOCH });
    super("StepLR", optimizer, o.lastEpoch);
    this.stepSize = o.stepSize;
    this.gamma = o.gamma;
    this.start();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected stateFields() {
    return checksOf(OPTIONS);
  }
}

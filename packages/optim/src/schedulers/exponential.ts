import { num, readOptions, required, scheduleFunction } from "./options.js";
import { LAST_EPOCH, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** Multiplicative factor applied every epoch (≥ 0). */
  gamma: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link exponentialSchedule}: ExponentialLR's, with the lr at epoch 0. */
export interface ExponentialScheduleOptions {
  baseLr: number;
  gamma: number;
}

const GAMMA = num({ min: 0 });

/**
 * ExponentialLR's closed form: η_t = η₀·γ^t.
 *
 * @example
 * exponentialSchedule({ baseLr: 1, gamma: 0.5 })(3); // 0.125
 */
export function exponentialSchedule(options: ExponentialScheduleOptions): (epoch: number) => number {
  const o = readOptions("exponentialSchedule", options, {
    baseLr: required(num({ min: 0 })),
    gamma: required(GAMMA),
  });
  return scheduleFunction("exponentialSchedule", (t) => o.baseLr * o.gamma ** t);
}

/**
 * Multiplies every group's lr by `gamma` every epoch (PyTorch's `ExponentialLR`).
 *
 * Chainable form: η_t = γ·η_{t−1} (the initial step leaves the lr as it is).
 * Closed form: {@link exponentialSchedule}. A `gamma` > 1 that overflows the lr to Infinity is an
 * error at the step where it happens.
 *
 * @example
 * const sched = new ExponentialLR(optimizer, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    const o = readOptions("ExponentialLR", options, { gamma: required(GAMMA), lastEpoch: LAST_EPOCH });
    super("ExponentialLR", optimizer, o.lastEpoch);
    this.gamma = o.gamma;
    this.start();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    // Resuming from a checkpoint, the initial step must not move the lr one epoch ahead.
    if (this.isInitial) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }

  protected stateFields() {
    return { gamma: GAMMA };
  }
}

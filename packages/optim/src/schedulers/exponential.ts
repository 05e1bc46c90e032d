import { checkFinite, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";
import { readNumber, type SchedulerState } from "./state.js";

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** Multiplicative factor applied every epoch. */
  gamma: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies every group's lr by `gamma` every epoch (PyTorch's `ExponentialLR`).
 *
 * Chainable form: η_t = γ·η_{t−1} (the initial step leaves the lr as it is).
 * Closed form: η_t = η_0 · γ^t.
 *
 * @example
 * const sched = new ExponentialLR(optimizer, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, { gamma, lastEpoch = -1 }: ExponentialLROptions) {
    checkFinite("ExponentialLR", "gamma", gamma);
    super("ExponentialLR", optimizer, lastEpoch);
    this.gamma = gamma;
    this.initialStep();
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

  protected extraState() {
    return { gamma: this.gamma };
  }

  protected loadExtraState(state: SchedulerState): void {
    this.gamma = readNumber(state, "gamma");
  }
}

import { checkFinite, checkInteger, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";
import { readNumber, type SchedulerState } from "./state.js";

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Period of the decay, in epochs (a positive integer). */
  stepSize: number;
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies every group's lr by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
 *
 * Chainable form, used by `step()` (t = `lastEpoch`):
 *   η_t = γ·η_{t−1}   if t > 0 and t mod stepSize = 0,   else η_t = η_{t−1}
 * Closed form (used when jumping to an epoch): η_t = η_0 · γ^⌊t / stepSize⌋.
 *
 * @example
 * const sched = new StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * // lr = 0.05 for epochs 0..29, 0.005 for 30..59, 0.0005 for 60..89, ...
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, { stepSize, gamma = 0.1, lastEpoch = -1 }: StepLROptions) {
    checkInteger("StepLR", "stepSize", stepSize, 1);
    checkFinite("StepLR", "gamma", gamma);
    super("StepLR", optimizer, lastEpoch);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected extraState() {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }

  protected loadExtraState(state: SchedulerState): void {
    const stepSize = readNumber(state, "stepSize");
    checkInteger("StepLR.loadStateDict", "stepSize", stepSize, 1);
    this.stepSize = stepSize;
    this.gamma = readNumber(state, "gamma");
  }
}

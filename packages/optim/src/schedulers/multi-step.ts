import { bisectRight, checkFinite, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";
import { describe, readNumber, readNumbers, type SchedulerState } from "./state.js";

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions {
  /** Epoch indices at which to decay (integers; a milestone listed k times decays by γ^k). */
  milestones: readonly number[];
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies every group's lr by `gamma` each time the epoch reaches a milestone (PyTorch's
 * `MultiStepLR`).
 *
 * Chainable form (t = `lastEpoch`, c(t) = how many times t appears in `milestones`):
 *   η_t = η_{t−1} · γ^c(t)
 * Closed form: η_t = η_0 · γ^(number of milestones ≤ t).
 *
 * @example
 * const sched = new MultiStepLR(optimizer, { milestones: [30, 80], gamma: 0.1 });
 * // lr = 0.05 for epochs 0..29, 0.005 for 30..79, 0.0005 from 80 on
 */
export class MultiStepLR extends LRScheduler {
  /** The milestones, sorted, repeats kept. */
  milestones: number[];
  gamma: number;

  constructor(
    optimizer: SchedulableOptimizer,
    { milestones, gamma = 0.1, lastEpoch = -1 }: MultiStepLROptions,
  ) {
    const sorted = checkMilestones("MultiStepLR", milestones);
    checkFinite("MultiStepLR", "gamma", gamma);
    super("MultiStepLR", optimizer, lastEpoch);
    this.milestones = sorted;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const count =
      bisectRight(this.milestones, this.lastEpoch) - bisectRight(this.milestones, this.lastEpoch - 1);
    if (count === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }

  protected extraState() {
    return { milestones: this.milestones.slice(), gamma: this.gamma };
  }

  protected loadExtraState(state: SchedulerState): void {
    this.milestones = checkMilestones("MultiStepLR.loadStateDict", readNumbers(state, "milestones"));
    this.gamma = readNumber(state, "gamma");
  }
}

function checkMilestones(name: string, milestones: readonly number[]): number[] {
  if (!Array.isArray(milestones) || !milestones.every((m) => Number.isInteger(m))) {
    throw new TypeError(`${name}: milestones must be an array of integers, got ${describe(milestones)}`);
  }
  return milestones.slice().sort((a, b) => a - b);
}

import { checkInteger, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";
import { readNumber, type SchedulerState } from "./state.js";

/** Options of {@link LinearLR}. */
export interface LinearLROptions {
  /** Factor applied to the lr at epoch 0, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor reached at epoch `totalIters`, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Number of epochs over which the factor moves linearly (an integer ≥ 0). Default 5. */
  totalIters?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Scales every group's lr by a factor moving linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs (PyTorch's `LinearLR`), the usual warmup.
 *
 * Closed form: η_t = η_0 · (s + (e − s)·min(t, T)/T).
 * Chainable form, used by `step()` (s = startFactor, e = endFactor, T = totalIters):
 *   η_0 = s·η                                  (the initial step)
 *   η_t = η_{t−1} · (1 + (e − s) / (T·s + (t − 1)·(e − s)))   for 0 < t ≤ T
 *   η_t = η_{t−1}                               for t > T
 *
 * @example
 * // lr = 0.05 · (1/3, 7/15, 3/5, 11/15, 13/15, 1, 1, ...)
 * const warmup = new LinearLR(optimizer, { startFactor: 1 / 3, totalIters: 5 });
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(
    optimizer: SchedulableOptimizer,
    { startFactor = 1 / 3, endFactor = 1, totalIters = 5, lastEpoch = -1 }: LinearLROptions = {},
  ) {
    checkFactors("LinearLR", startFactor, endFactor, totalIters);
    super("LinearLR", optimizer, lastEpoch);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { startFactor: s, endFactor: e, totalIters: T, lastEpoch: t } = this;
    if (t === 0) return groups.map((g) => g.lr * s);
    if (this.isInitial || t > T) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (e - s) / (T * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T, lastEpoch: t } = this;
    return this.baseLrs.map((lr) => lr * (s + ((e - s) * Math.min(T, t)) / T));
  }

  protected extraState() {
    return { startFactor: this.startFactor, endFactor: this.endFactor, totalIters: this.totalIters };
  }

  protected loadExtraState(state: SchedulerState): void {
    const startFactor = readNumber(state, "startFactor");
    const endFactor = readNumber(state, "endFactor");
    const totalIters = readNumber(state, "totalIters");
    checkFactors("LinearLR.loadStateDict", startFactor, endFactor, totalIters);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
  }
}

function checkFactors(name: string, startFactor: number, endFactor: number, totalIters: number): void {
  if (!(startFactor > 0 && startFactor <= 1)) {
    throw new RangeError(
      `${name}: Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got startFactor=${startFactor}`,
    );
  }
  if (!(endFactor >= 0 && endFactor <= 1)) {
    throw new RangeError(
      `${name}: Ending multiplicative factor expected to be between 0 and 1, got endFactor=${endFactor}`,
    );
  }
  checkInteger(name, "totalIters", totalIters, 0);
}

import { checkFinite, checkInteger, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";
import { readNumber, type SchedulerState } from "./state.js";

/** Options of {@link PolynomialLR}. */
export interface PolynomialLROptions {
  /** Number of epochs over which the lr decays to 0 (an integer ≥ 1). Default 5. */
  totalIters?: number;
  /** The power of the polynomial. Default 1 (linear decay). */
  power?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Decays every group's lr polynomially to 0 over `totalIters` epochs (PyTorch's `PolynomialLR`).
 *
 * Closed form: η_t = η_0 · (1 − min(t, T)/T)^power.
 * Chainable form, used by `step()`, for 0 < t ≤ T:
 *   η_t = η_{t−1} · ((1 − t/T) / (1 − (t − 1)/T))^power,   and η_t = η_{t−1} otherwise.
 *
 * @example
 * // lr = 0.05·(1 − t/50)^0.9, 0 from epoch 50
 * const sched = new PolynomialLR(optimizer, { totalIters: 50, power: 0.9 });
 */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  constructor(
    optimizer: SchedulableOptimizer,
    { totalIters = 5, power = 1, lastEpoch = -1 }: PolynomialLROptions = {},
  ) {
    checkInteger("PolynomialLR", "totalIters", totalIters, 1);
    checkFinite("PolynomialLR", "power", power);
    super("PolynomialLR", optimizer, lastEpoch);
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { totalIters: T, lastEpoch: t } = this;
    if (this.isInitial || t > T) return groups.map((g) => g.lr);
    const decay = ((1 - t / T) / (1 - (t - 1) / T)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    const { totalIters: T, lastEpoch: t } = this;
    return this.baseLrs.map((lr) => lr * (1 - Math.min(T, t) / T) ** this.power);
  }

  protected extraState() {
    return { totalIters: this.totalIters, power: this.power };
  }

  protected loadExtraState(state: SchedulerState): void {
    const totalIters = readNumber(state, "totalIters");
    checkInteger("PolynomialLR.loadStateDict", "totalIters", totalIters, 1);
    this.totalIters = totalIters;
    this.power = readNumber(state, "power");
  }
}

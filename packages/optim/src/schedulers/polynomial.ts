import { checksOf, int, num, readOptions, required, scheduleFunction, withDefault } from "./options.js";
import { LAST_EPOCH, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** Options of {@link PolynomialLR}. */
export interface PolynomialLROptions {
  /** Number of epochs over which the lr decays to 0 (an integer ≥ 1). Default 5. */
  totalIters?: number;
  /** The power of the polynomial (≥ 0). Default 1 (linear decay). */
  power?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link polynomialSchedule}: PolynomialLR's, with the lr at epoch 0. */
export interface PolynomialScheduleOptions {
  baseLr: number;
  totalIters?: number;
  power?: number;
}

const OPTIONS = {
  totalIters: withDefault(int({ min: 1 }), 5),
  power: withDefault(num({ min: 0 }), 1),
};

/** η₀·(1 − min(T, t)/T)^power. */
function polynomialLr(baseLr: number, T: number, power: number, t: number): number {
  return baseLr * (1 - Math.min(T, t) / T) ** power;
}

/**
 * PolynomialLR's closed form: η₀·(1 − min(t, T)/T)^power.
 *
 * @example
 * polynomialSchedule({ baseLr: 1, totalIters: 4, power: 2 })(2); // 0.25
 */
export function polynomialSchedule(options: PolynomialScheduleOptions): (epoch: number) => number {
  const o = readOptions("polynomialSchedule", options, { baseLr: required(num({ min: 0 })), ...OPTIONS });
  return scheduleFunction("polynomialSchedule", (t) => polynomialLr(o.baseLr, o.totalIters, o.power, t));
}

/**
 * Decays every group's lr polynomially to 0 over `totalIters` epochs (PyTorch's `PolynomialLR`).
 * A negative power (which PyTorch accepts, and which sends the lr to Infinity at `totalIters`) is
 * rejected.
 *
 * Closed form: {@link polynomialSchedule}.
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

  constructor(optimizer: SchedulableOptimizer, options: PolynomialLROptions = {}) {
    const o = readOptions("PolynomialLR", options, { ...OPTIONS, lastEpoch: LAST_EPOCH });
    super("PolynomialLR", optimizer, o.lastEpoch);
    this.totalIters = o.totalIters;
    this.power = o.power;
    this.start();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { totalIters: T, lastEpoch: t } = this;
    if (this.isInitial || t > T) return groups.map((g) => g.lr);
    const decay = ((1 - t / T) / (1 - (t - 1) / T)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => polynomialLr(lr, this.totalIters, this.power, this.lastEpoch));
  }

  protected stateFields() {
    return checksOf(OPTIONS);
  }
}

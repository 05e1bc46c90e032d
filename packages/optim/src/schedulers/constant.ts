import { checksOf, int, num, readOptions, required, scheduleFunction, withDefault } from "./options.js";
import { LAST_EPOCH, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** Options of {@link ConstantLR}. */
export interface ConstantLROptions {
  /** The factor applied until epoch `totalIters`, in [0, 1]. Default 1/3. */
  factor?: number;
  /** Number of epochs the factor applies for (an integer ≥ 0). Default 5. */
  totalIters?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link constantSchedule}: ConstantLR's, with the lr at epoch 0. */
export interface ConstantScheduleOptions {
  baseLr: number;
  factor?: number;
  totalIters?: number;
}

const OPTIONS = {
  factor: withDefault(
    num({ min: 0, max: 1 }, "Constant multiplicative factor expected to be between 0 and 1"),
    1 / 3,
  ),
  totalIters: withDefault(int({ min: 0 }), 5),
};

/** η₀·(factor + [t ≥ T]·(1 − factor)), PyTorch's closed form, term for term. */
function constantLr(baseLr: number, factor: number, totalIters: number, t: number): number {
  return baseLr * (factor + (t >= totalIters ? 1 : 0) * (1 - factor));
}

/**
 * ConstantLR's closed form: η₀·factor for t < totalIters, η₀ from then on.
 *
 * @example
 * constantSchedule({ baseLr: 0.05, factor: 0.5, totalIters: 40 })(39); // 0.025
 */
export function constantSchedule(options: ConstantScheduleOptions): (epoch: number) => number {
  const o = readOptions("constantSchedule", options, { baseLr: required(num({ min: 0 })), ...OPTIONS });
  return scheduleFunction("constantSchedule", (t) => constantLr(o.baseLr, o.factor, o.totalIters, t));
}

/**
 * Multiplies every group's lr by a constant `factor` until epoch `totalIters` (PyTorch's
 * `ConstantLR`), a constant warmup.
 *
 * Closed form: {@link constantSchedule}.
 * Chainable form, used by `step()`: η_0 = factor·η at the initial step, η_t = η_{t−1}/factor at
 * t = totalIters, η_t = η_{t−1} otherwise.
 *
 * @example
 * // lr = 0.025 for epochs 0..39, then 0.05
 * const sched = new ConstantLR(optimizer, { factor: 0.5, totalIters: 40 });
 */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: ConstantLROptions = {}) {
    const o = readOptions("ConstantLR", options, { ...OPTIONS, lastEpoch: LAST_EPOCH });
    super("ConstantLR", optimizer, o.lastEpoch);
    this.factor = o.factor;
    this.totalIters = o.totalIters;
    this.start();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    if (this.factor === 0) {
      throw new RangeError("ConstantLR: cannot undo a factor of 0 at epoch totalIters (division by zero)");
    }
    return groups.map((g) => g.lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => constantLr(lr, this.factor, this.totalIters, this.lastEpoch));
  }

  protected stateFields() {
    return checksOf(OPTIONS);
  }
}

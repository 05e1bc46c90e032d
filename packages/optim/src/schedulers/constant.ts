import { checkInteger, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";
import { readNumber, type SchedulerState } from "./state.js";

/** Options of {@link ConstantLR}. */
export interface ConstantLROptions {
  /** The factor applied until epoch `totalIters`, in [0, 1]. Default 1/3. */
  factor?: number;
  /** Number of epochs the factor applies for (an integer ≥ 0). Default 5. */
  totalIters?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies every group's lr by a constant `factor` until epoch `totalIters` (PyTorch's
 * `ConstantLR`), a constant warmup.
 *
 * Closed form: η_t = η_0·factor for t < totalIters, η_0 from then on.
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

  constructor(
    optimizer: SchedulableOptimizer,
    { factor = 1 / 3, totalIters = 5, lastEpoch = -1 }: ConstantLROptions = {},
  ) {
    checkOptions("ConstantLR", factor, totalIters);
    super("ConstantLR", optimizer, lastEpoch);
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
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
    const on = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((lr) => lr * (this.factor + on * (1 - this.factor)));
  }

  protected extraState() {
    return { factor: this.factor, totalIters: this.totalIters };
  }

  protected loadExtraState(state: SchedulerState): void {
    const factor = readNumber(state, "factor");
    const totalIters = readNumber(state, "totalIters");
    checkOptions("ConstantLR.loadStateDict", factor, totalIters);
    this.factor = factor;
    this.totalIters = totalIters;
  }
}

function checkOptions(name: string, factor: number, totalIters: number): void {
  if (!(factor >= 0 && factor <= 1)) {
    throw new RangeError(
      `${name}: Constant multiplicative factor expected to be between 0 and 1, got factor=${factor}`,
    );
  }
  checkInteger(name, "totalIters", totalIters, 0);
}

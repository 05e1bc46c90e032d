import { checksOf, int, num, readOptions, required, scheduleFunction, withDefault } from "./options.js";
import { LAST_EPOCH, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

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

/** Options of {@link linearSchedule}: LinearLR's, with the lr the factors apply to. */
export interface LinearScheduleOptions {
  baseLr: number;
  startFactor?: number;
  endFactor?: number;
  totalIters?: number;
}

const OPTIONS = {
  startFactor: withDefault(
    num(
      { above: 0, max: 1 },
      "Starting multiplicative factor expected to be greater than 0 and less or equal to 1",
    ),
    1 / 3,
  ),
  endFactor: withDefault(
    num({ min: 0, max: 1 }, "Ending multiplicative factor expected to be between 0 and 1"),
    1,
  ),
  totalIters: withDefault(int({ min: 0 }), 5),
};

/** η₀·(s + (e − s)·min(T, t)/T), PyTorch's closed form, in its order of operations. */
function linearLr(baseLr: number, s: number, e: number, T: number, t: number): number {
  return baseLr * (s + ((e - s) * Math.min(T, t)) / T);
}

/**
 * LinearLR's closed form: η₀·(s + (e − s)·min(t, T)/T).
 *
 * @example
 * linearSchedule({ baseLr: 0.05, startFactor: 0.5, totalIters: 4 })(2); // 0.0375
 */
export function linearSchedule(options: LinearScheduleOptions): (epoch: number) => number {
  const o = readOptions("linearSchedule", options, { baseLr: required(num({ min: 0 })), ...OPTIONS });
  return scheduleFunction("linearSchedule", (t) =>
    linearLr(o.baseLr, o.startFactor, o.endFactor, o.totalIters, t),
  );
}

/**
 * Scales every group's lr by a factor moving linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs (PyTorch's `LinearLR`), the usual warmup.
 *
 * Closed form: {@link linearSchedule}.
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

  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    const o = readOptions("LinearLR", options, { ...OPTIONS, lastEpoch: LAST_EPOCH });
    super("LinearLR", optimizer, o.lastEpoch);
    this.startFactor = o.startFactor;
    this.endFactor = o.endFactor;
    this.totalIters = o.totalIters;
    this.start();
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
    return this.baseLrs.map((lr) => linearLr(lr, s, e, T, t));
  }

  protected stateFields() {
    return checksOf(OPTIONS);
  }
}

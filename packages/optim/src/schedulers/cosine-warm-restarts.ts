import { show } from "../validate.js";
import { cosineAnneal } from "./cosine.js";
import {
  checksOf,
  num,
  pytorchCheck,
  readOptions,
  required,
  scheduleFunction,
  withDefault,
} from "./options.js";
import { LAST_EPOCH, LRScheduler, pyMod, type SchedulableOptimizer } from "./scheduler.js";

/** Options of {@link CosineAnnealingWarmRestarts}. */
export interface CosineAnnealingWarmRestartsOptions {
  /** Length of the first period, in epochs (a positive integer). */
  t0: number;
  /** Each period is `tMult` times longer than the previous one (an integer ≥ 1). Default 1. */
  tMult?: number;
  /** The minimum lr (≥ 0). Default 0. */
  etaMin?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link cosineAnnealingWarmRestartsSchedule}: the scheduler's, with the lr at a restart. */
export interface CosineAnnealingWarmRestartsScheduleOptions {
  baseLr: number;
  t0: number;
  tMult?: number;
  etaMin?: number;
}

const OPTIONS = {
  t0: required(
    pytorchCheck<number>(
      "number",
      (v) => Number.isSafeInteger(v) && v > 0,
      (v) => `Expected positive integer t0, but got ${v}`,
    ),
  ),
  tMult: withDefault(
    pytorchCheck<number>(
      "number",
      (v) => Number.isSafeInteger(v) && v >= 1,
      (v) => `Expected integer tMult >= 1, but got ${v}`,
    ),
    1,
  ),
  etaMin: withDefault(num({ min: 0 }), 0),
};

/** Where (possibly fractional) epoch `epoch` ≥ 0 falls: the current period tI and the time into it. */
function position(epoch: number, t0: number, tMult: number): { tI: number; tCur: number } {
  if (epoch < t0) return { tI: t0, tCur: epoch };
  if (tMult === 1) return { tI: t0, tCur: pyMod(epoch, t0) };
  const n = Math.trunc(Math.log((epoch / t0) * (tMult - 1) + 1) / Math.log(tMult));
  return { tI: t0 * tMult ** n, tCur: epoch - (t0 * (tMult ** n - 1)) / (tMult - 1) };
}

/**
 * SGDR's schedule as a function of the (possibly fractional) epoch, as `step(epoch)` computes it:
 * η_min + (η₀ − η_min)·(1 + cos(π·T_cur/T_i))/2, restarting after t0, t0·tMult, t0·tMult², ...
 *
 * @example
 * cosineAnnealingWarmRestartsSchedule({ baseLr: 1, t0: 2 })(2.5); // 0.8535533905932737
 */
export function cosineAnnealingWarmRestartsSchedule(
  options: CosineAnnealingWarmRestartsScheduleOptions,
): (epoch: number) => number {
  const kind = "cosineAnnealingWarmRestartsSchedule";
  const o = readOptions(kind, options, { baseLr: required(num({ min: 0 })), ...OPTIONS });
  return scheduleFunction(kind, (t) => {
    const { tI, tCur } = position(t, o.t0, o.tMult);
    return cosineAnneal(o.baseLr, o.etaMin, tCur, tI);
  });
}

/**
 * Cosine annealing with warm restarts, SGDR (PyTorch's `CosineAnnealingWarmRestarts`):
 *
 *   η = η_min + (η_0 − η_min)·(1 + cos(π·T_cur/T_i))/2
 *
 * where T_cur counts epochs since the last restart and T_i is the current period (t0, then
 * t0·tMult, t0·tMult², ...). `step()` advances T_cur by one epoch; `step(epoch)` jumps to a
 * possibly fractional epoch (e.g. `epoch + i/batchesPerEpoch` after every batch), as
 * {@link cosineAnnealingWarmRestartsSchedule}.
 *
 * @example
 * const sched = new CosineAnnealingWarmRestarts(optimizer, { t0: 10, tMult: 2 });
 * for (let epoch = 0; epoch < 70; epoch++) for (let i = 0; i < iters; i++) { trainBatch(); sched.step(epoch + i / iters); }
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tMult: number;
  etaMin: number;
  /** The current period. */
  tI: number;
  /** Epochs since the last restart (may be fractional). */
  tCur: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    const o = readOptions("CosineAnnealingWarmRestarts", options, { ...OPTIONS, lastEpoch: LAST_EPOCH });
    super("CosineAnnealingWarmRestarts", optimizer, o.lastEpoch);
    this.t0 = o.t0;
    this.tI = o.t0;
    this.tMult = o.tMult;
    this.etaMin = o.etaMin;
    this.tCur = o.lastEpoch;
    this.start();
  }

  protected getLr(): number[] {
    const { etaMin, tCur, tI } = this;
    return this.baseLrs.map((base) => cosineAnneal(base, etaMin, tCur, tI));
  }

  /**
   * Without `epoch`: one epoch more (a restart when T_cur reaches T_i). With `epoch` (≥ 0, may be
   * fractional): the position in the cycle of restarts at that epoch. On an error nothing changes.
   */
  override step(epoch?: number): void {
    const saved = { tCur: this.tCur, tI: this.tI, lastEpoch: this.lastEpoch };
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur = pyMod(this.tCur, this.tI);
        this.tI *= this.tMult;
      }
    } else {
      if (typeof epoch !== "number" || !(epoch >= 0) || !Number.isFinite(epoch)) {
        throw new RangeError(
          `CosineAnnealingWarmRestarts: Expected non-negative epoch, but got ${show(epoch)}`,
        );
      }
      Object.assign(this, position(epoch, this.t0, this.tMult));
    }
    this.lastEpoch = Math.floor(epoch);
    try {
      this.writeGroups(this.getLr());
    } catch (error) {
      Object.assign(this, saved);
      throw error;
    }
  }

  protected stateFields() {
    return { ...checksOf(OPTIONS), tI: num({ above: 0 }), tCur: num() };
  }
}

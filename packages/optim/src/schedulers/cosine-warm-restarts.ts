import { checkFinite, LRScheduler, pyMod, type SchedulableOptimizer } from "./scheduler.js";
import { readNumber, type SchedulerState } from "./state.js";

/** Options of {@link CosineAnnealingWarmRestarts}. */
export interface CosineAnnealingWarmRestartsOptions {
  /** Length of the first period, in epochs (a positive integer). */
  t0: number;
  /** Each period is `tMult` times longer than the previous one (an integer ≥ 1). Default 1. */
  tMult?: number;
  /** The minimum lr. Default 0. */
  etaMin?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Cosine annealing with warm restarts, SGDR (PyTorch's `CosineAnnealingWarmRestarts`):
 *
 *   η = η_min + (η_0 − η_min)·(1 + cos(π·T_cur/T_i))/2
 *
 * where T_cur counts epochs since the last restart and T_i is the current period (t0, then
 * t0·tMult, t0·tMult², ...). `step()` advances T_cur by one epoch; `step(epoch)` jumps to a
 * possibly fractional epoch (e.g. `epoch + i/batchesPerEpoch` after every batch).
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

  constructor(
    optimizer: SchedulableOptimizer,
    { t0, tMult = 1, etaMin = 0, lastEpoch = -1 }: CosineAnnealingWarmRestartsOptions,
  ) {
    checkPeriods("CosineAnnealingWarmRestarts", t0, tMult);
    checkFinite("CosineAnnealingWarmRestarts", "etaMin", etaMin);
    super("CosineAnnealingWarmRestarts", optimizer, lastEpoch);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = lastEpoch;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { etaMin, tCur, tI } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2);
  }

  /**
   * Without `epoch`: one epoch more (a restart when T_cur reaches T_i). With `epoch` (≥ 0, may be
   * fractional): the position in the cycle of restarts at that epoch.
   */
  override step(epoch?: number): void {
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
        throw new RangeError(`CosineAnnealingWarmRestarts: Expected non-negative epoch, but got ${epoch}`);
      }
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = pyMod(epoch, this.t0);
        } else {
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    const groups = this.optimizer.paramGroups;
    const values = this.getLr();
    const n = Math.min(groups.length, values.length);
    for (let i = 0; i < n; i++) groups[i].lr = values[i];
    this.lastLr = groups.map((g) => g.lr);
  }

  protected extraState() {
    return { t0: this.t0, tMult: this.tMult, etaMin: this.etaMin, tI: this.tI, tCur: this.tCur };
  }

  protected loadExtraState(state: SchedulerState): void {
    const t0 = readNumber(state, "t0");
    const tMult = readNumber(state, "tMult");
    checkPeriods("CosineAnnealingWarmRestarts.loadStateDict", t0, tMult);
    this.t0 = t0;
    this.tMult = tMult;
    this.etaMin = readNumber(state, "etaMin");
    this.tI = readNumber(state, "tI");
    this.tCur = readNumber(state, "tCur");
  }
}

function checkPeriods(name: string, t0: number, tMult: number): void {
  if (!Number.isInteger(t0) || t0 <= 0)
    throw new RangeError(`${name}: Expected positive integer t0, but got ${t0}`);
  if (!Number.isInteger(tMult) || tMult < 1) {
    throw new RangeError(`${name}: Expected integer tMult >= 1, but got ${tMult}`);
  }
}

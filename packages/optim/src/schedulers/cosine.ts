import { checksOf, num, readOptions, required, scheduleFunction, withDefault } from "./options.js";
import { LAST_EPOCH, LRScheduler, pyMod, type SchedulableOptimizer } from "./scheduler.js";

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Half-period of the cosine, in epochs (> 0): the lr reaches `etaMin` at epoch `tMax`. */
  tMax: number;
  /** The minimum lr (≥ 0). Default 0. */
  etaMin?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link cosineAnnealingSchedule}: CosineAnnealingLR's, with the lr at epoch 0. */
export interface CosineAnnealingScheduleOptions {
  baseLr: number;
  tMax: number;
  etaMin?: number;
}

const OPTIONS = { tMax: required(num({ above: 0 })), etaMin: withDefault(num({ min: 0 }), 0) };

/** The SGDR closed form η_min + (η₀ − η_min)·(1 + cos(π·t/T))/2, in PyTorch's order of operations. */
export function cosineAnneal(baseLr: number, etaMin: number, t: number, T: number): number {
  return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * t) / T))) / 2;
}

/**
 * CosineAnnealingLR's closed form: η_min + (η₀ − η_min)·(1 + cos(π·t/tMax))/2 (past `tMax` the lr
 * climbs back along the cosine, as in PyTorch).
 *
 * @example
 * cosineAnnealingSchedule({ baseLr: 1, tMax: 4 })(2); // 0.5
 */
export function cosineAnnealingSchedule(options: CosineAnnealingScheduleOptions): (epoch: number) => number {
  const o = readOptions("cosineAnnealingSchedule", options, {
    baseLr: required(num({ min: 0 })),
    ...OPTIONS,
  });
  return scheduleFunction("cosineAnnealingSchedule", (t) => cosineAnneal(o.baseLr, o.etaMin, t, o.tMax));
}

/**
 * Cosine annealing without restarts (PyTorch's `CosineAnnealingLR`), in PyTorch's recursive form:
 *
 *   η_t = η_min + (η_{t−1} − η_min) · (1 + cos(π·t/T_max)) / (1 + cos(π·(t−1)/T_max))
 *
 * except where that ratio is 0/0, i.e. (t − 1 − T_max) mod 2T_max = 0, where
 *   η_t = η_{t−1} + (η_0 − η_min)·(1 − cos(π/T_max))/2,
 * and on the first `step()` after resuming (`lastEpoch` > 0), which uses the closed form
 * {@link cosineAnnealingSchedule}. Left alone, the recursion reproduces the closed form (to
 * rounding); an lr edited by hand makes it anneal from the edited value instead.
 *
 * @example
 * const sched = new CosineAnnealingLR(optimizer, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    const o = readOptions("CosineAnnealingLR", options, { ...OPTIONS, lastEpoch: LAST_EPOCH });
    super("CosineAnnealingLR", optimizer, o.lastEpoch);
    this.tMax = o.tMax;
    this.etaMin = o.etaMin;
    this.start();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { etaMin, tMax, lastEpoch: t } = this;
    if (this.isInitial) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) return this.zipBase((base) => cosineAnneal(base, etaMin, t, tMax));
    if (pyMod(t - 1 - tMax, 2 * tMax) === 0) {
      return this.zipBase((base, g) => g.lr + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) *
          (g.lr - etaMin) +
        etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => cosineAnneal(base, this.etaMin, this.lastEpoch, this.tMax));
  }

  /** Python's `zip(base_lrs, param_groups)`: stops at the shorter. */
  private zipBase(f: (base: number, group: { lr: number }) => number): number[] {
    const groups = this.optimizer.paramGroups;
    const n = Math.min(groups.length, this.baseLrs.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(f(this.baseLrs[i], groups[i]));
    return out;
  }

  protected stateFields() {
    return checksOf(OPTIONS);
  }
}

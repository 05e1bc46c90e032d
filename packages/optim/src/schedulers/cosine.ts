import { checkFinite, LRScheduler, pyMod, type SchedulableOptimizer } from "./scheduler.js";
import { readNumber, type SchedulerState } from "./state.js";

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Half-period of the cosine, in epochs (> 0): the lr reaches `etaMin` at epoch `tMax`. */
  tMax: number;
  /** The minimum lr. Default 0. */
  etaMin?: number;
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Cosine annealing without restarts (PyTorch's `CosineAnnealingLR`), in PyTorch's recursive form:
 *
 *   η_t = η_min + (η_{t−1} − η_min) · (1 + cos(π·t/T_max)) / (1 + cos(π·(t−1)/T_max))
 *
 * except where that ratio is 0/0, i.e. (t − 1 − T_max) mod 2T_max = 0, where
 *   η_t = η_{t−1} + (η_0 − η_min)·(1 − cos(π/T_max))/2,
 * and on the first `step()` after resuming (`lastEpoch` > 0), which uses the closed form
 *   η_t = η_min + (η_0 − η_min)·(1 + cos(π·t/T_max))/2.
 * Left alone, the recursion reproduces the closed form (to rounding); an lr edited by hand makes it
 * anneal from the edited value instead. Past `tMax` the lr climbs back along the cosine, as in
 * PyTorch.
 *
 * @example
 * const sched = new CosineAnnealingLR(optimizer, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(
    optimizer: SchedulableOptimizer,
    { tMax, etaMin = 0, lastEpoch = -1 }: CosineAnnealingLROptions,
  ) {
    checkTMax("CosineAnnealingLR", tMax);
    checkFinite("CosineAnnealingLR", "etaMin", etaMin);
    super("CosineAnnealingLR", optimizer, lastEpoch);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { etaMin, tMax, lastEpoch: t } = this;
    if (this.isInitial) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) {
      return this.zipBase((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / tMax))) / 2);
    }
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
    const { etaMin, tMax, lastEpoch: t } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2);
  }

  /** Python's `zip(base_lrs, param_groups)`: stops at the shorter. */
  private zipBase(f: (base: number, group: { lr: number }) => number): number[] {
    const groups = this.optimizer.paramGroups;
    const n = Math.min(groups.length, this.baseLrs.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(f(this.baseLrs[i], groups[i]));
    return out;
  }

  protected extraState() {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }

  protected loadExtraState(state: SchedulerState): void {
    const tMax = readNumber(state, "tMax");
    checkTMax("CosineAnnealingLR.loadStateDict", tMax);
    this.tMax = tMax;
    this.etaMin = readNumber(state, "etaMin");
  }
}

function checkTMax(name: string, tMax: number): void {
  if (typeof tMax !== "number" || !Number.isFinite(tMax) || tMax <= 0) {
    throw new RangeError(`${name}: tMax must be a positive number, got ${tMax}`);
  }
}

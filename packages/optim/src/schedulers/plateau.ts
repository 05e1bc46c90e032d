import { show } from "../validate.js";
import { type Check, checkNumber, num, pytorchCheck, readOptions, withDefault } from "./options.js";
import { checkOptimizer, type SchedulableOptimizer } from "./scheduler.js";
import { checkStateFrame, decodeFloat, encodeFloat, type SchedulerState } from "./state.js";

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** `"min"`: reduce when the metric stops decreasing; `"max"`: when it stops increasing. Default `"min"`. */
  mode?: "min" | "max";
  /** new lr = lr · factor; in [0, 1). Default 0.1. */
  factor?: number;
  /** Number of bad epochs tolerated; the lr is reduced at the (patience+1)-th. Default 10. */
  patience?: number;
  /** Minimum change that counts as an improvement (≥ 0). Default 1e-4. */
  threshold?: number;
  /** `"rel"`: compare with best·(1 ∓ threshold); `"abs"`: with best ∓ threshold. Default `"rel"`. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound on the lr (≥ 0), for all groups or one per group. Default 0. */
  minLr?: number | readonly number[];
  /** A reduction smaller than eps is skipped (≥ 0). Default 1e-8. */
  eps?: number;
}

/** A count: an integer ≥ 0 (patience, cooldown). */
const count: Check<number> = (value, label) => {
  if (typeof value !== "number")
    throw new TypeError(`${label} must be a non-negative integer, got ${show(value)}`);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${label} must be a non-negative integer, got ${show(value)}`);
  }
  return value;
};

const MIN_LR = num({ min: 0 });

/** `minLr`: one number for every group (kept as the default for new groups), or one per group. */
const minLrOption: Check<{ minLrs: number[]; defaultMinLr: number | null }> = (value, label, groups) => {
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      const kind = label.slice(0, label.indexOf(": "));
      throw new RangeError(`${kind}: expected ${groups} minLrs, got ${value.length}`);
    }
    return { minLrs: value.map((v, i) => MIN_LR(v, `${label}[${i}]`, groups)), defaultMinLr: null };
  }
  const one = MIN_LR(value, label, groups);
  return { minLrs: new Array<number>(groups).fill(one), defaultMinLr: one };
};

const OPTIONS = {
  mode: withDefault(
    pytorchCheck<"min" | "max">(
      "string",
      (v) => v === "min" || v === "max",
      (v) => `mode ${v} is unknown!`,
    ),
    "min",
  ),
  factor: withDefault(
    pytorchCheck<number>(
      "number",
      (v) => v >= 0 && v < 1,
      (v) => `Factor should be < 1.0 (and >= 0), got ${v}`,
    ),
    0.1,
  ),
  patience: withDefault(count, 10),
  threshold: withDefault(num({ min: 0 }), 1e-4),
  thresholdMode: withDefault(
    pytorchCheck<"rel" | "abs">(
      "string",
      (v) => v === "rel" || v === "abs",
      (v) => `threshold mode ${v} is unknown!`,
    ),
    "rel",
  ),
  cooldown: withDefault(count, 0),
  minLr: withDefault(minLrOption, 0),
  eps: withDefault(num({ min: 0 }), 1e-8),
};

/**
 * Reduces the lr when a metric has stopped improving (PyTorch's `ReduceLROnPlateau`). Call
 * `step(metric)` once per epoch, after validation.
 *
 * The metric `a` improves on `best` when
 *   min/rel: a < best·(1 − threshold)     min/abs: a < best − threshold
 *   max/rel: a > best·(1 + threshold)     max/abs: a > best + threshold
 * A non-improving epoch is a bad epoch (bad epochs during cooldown are ignored). When the bad
 * epochs exceed `patience`, each group's lr becomes new = max(lr·factor, minLr) — applied only if
 * lr − new > eps — the cooldown starts and the bad-epoch count resets. A NaN metric never improves.
 *
 * @example
 * const sched = new ReduceLROnPlateau(optimizer, { mode: "min", patience: 5 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(validationLoss()); }
 */
export class ReduceLROnPlateau {
  readonly kind = "ReduceLROnPlateau";
  readonly optimizer: SchedulableOptimizer;
  mode: "min" | "max";
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: "rel" | "abs";
  cooldown: number;
  /** One lower bound per group. */
  minLrs: number[];
  /** The scalar `minLr`, re-applied to new groups; null when `minLr` was given per group. */
  defaultMinLr: number | null;
  eps: number;
  /** Epochs seen (`step` calls). */
  lastEpoch = 0;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  /** Epochs left in the current cooldown. */
  cooldownCounter = 0;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  private lastLr: number[];

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    checkOptimizer(this.kind, optimizer);
    const o = readOptions(this.kind, options, OPTIONS, optimizer.paramGroups.length);
    this.optimizer = optimizer;
    this.mode = o.mode;
    this.factor = o.factor;
    this.patience = o.patience;
    this.threshold = o.threshold;
    this.thresholdMode = o.thresholdMode;
    this.cooldown = o.cooldown;
    this.minLrs = o.minLr.minLrs;
    this.defaultMinLr = o.minLr.defaultMinLr;
    this.eps = o.eps;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
    this.best = this.modeWorse;
  }

  /** The worst possible metric for the mode: +Infinity for "min", −Infinity for "max". */
  get modeWorse(): number {
    return this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /** True while cooling down after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /**
   * Records one epoch's metric (a number; NaN counts as a bad epoch) and reduces the lr if it has
   * not improved for more than `patience` epochs. On an error nothing changes.
   */
  step(metric: number): void {
    if (typeof metric !== "number") {
      throw new TypeError(`ReduceLROnPlateau.step: metric must be a number, got ${show(metric)}`);
    }
    let { best, numBadEpochs, cooldownCounter } = this;
    if (this.isBetter(metric, best)) {
      best = metric;
      numBadEpochs = 0;
    } else {
      numBadEpochs += 1;
    }
    if (cooldownCounter > 0) {
      cooldownCounter -= 1;
      numBadEpochs = 0; // bad epochs during cooldown are ignored
    }
    if (numBadEpochs > this.patience) {
      this.reduceLr();
      cooldownCounter = this.cooldown;
      numBadEpochs = 0;
    }
    Object.assign(this, { best, numBadEpochs, cooldownCounter, lastEpoch: this.lastEpoch + 1 });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The groups' lrs after the last step (a copy). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** Whether metric `a` improves on `best`, given the mode and threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** new = max(lr·factor, minLr) for every group, written where lr − new > eps; all checked first. */
  private reduceLr(): void {
    const groups = this.optimizer.paramGroups;
    let minLrs = this.minLrs;
    if (groups.length !== minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new RangeError(
          `ReduceLROnPlateau: the number of param groups in the optimizer (${groups.length}) differs from when ` +
            `ReduceLROnPlateau was initialized (${minLrs.length}), usually due to a new param group being ` +
            "added to the optimizer. Set the `minLrs` field to one value per param group.",
        );
      }
      minLrs = new Array<number>(groups.length).fill(this.defaultMinLr);
    }
    const updates = groups.map((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, minLrs[i]);
      return oldLr - newLr > this.eps ? newLr : oldLr;
    });
    updates.forEach((lr, i) => {
      checkNumber(lr, `ReduceLROnPlateau: the new lr of paramGroups[${i}]`);
    });
    this.minLrs = minLrs;
    updates.forEach((lr, i) => {
      groups[i].lr = lr;
    });
  }

  /** The state as a plain JSON object (`best` may be the string "Infinity" / "-Infinity"). */
  stateDict(): SchedulerState {
    return {
      kind: this.kind,
      mode: this.mode,
      factor: this.factor,
      patience: this.patience,
      threshold: this.threshold,
      thresholdMode: this.thresholdMode,
      cooldown: this.cooldown,
      minLrs: this.minLrs.slice(),
      defaultMinLr: this.defaultMinLr,
      eps: this.eps,
      lastEpoch: this.lastEpoch,
      best: encodeFloat(this.best),
      cooldownCounter: this.cooldownCounter,
      numBadEpochs: this.numBadEpochs,
      lastLr: this.lastLr.slice(),
    };
  }

  /**
   * Restores a state written by `stateDict()` (options included, as in PyTorch). The whole state is
   * checked first; on any error nothing changes.
   */
  loadStateDict(state: SchedulerState): void {
    const name = `${this.kind}.loadStateDict`;
    const s = checkStateFrame(this.kind, state, Object.keys(this.stateDict()));
    const label = (key: string) => `${name}: '${key}'`;
    const groups = this.optimizer.paramGroups.length;
    const option = <K extends keyof typeof OPTIONS>(key: K) => OPTIONS[key].check(s[key], label(key), groups);
    const minLrList = (value: unknown, key: string) => {
      if (!Array.isArray(value)) throw new TypeError(`${label(key)} must be an array, got ${show(value)}`);
      return value.map((v, i) => MIN_LR(v, `${label(key)}[${i}]`, groups));
    };
    const next = {
      mode: option("mode") as "min" | "max",
      factor: option("factor") as number,
      patience: option("patience") as number,
      threshold: option("threshold") as number,
      thresholdMode: option("thresholdMode") as "rel" | "abs",
      cooldown: option("cooldown") as number,
      minLrs: minLrList(s.minLrs, "minLrs"),
      defaultMinLr: s.defaultMinLr === null ? null : MIN_LR(s.defaultMinLr, label("defaultMinLr"), groups),
      eps: option("eps") as number,
      lastEpoch: count(s.lastEpoch, label("lastEpoch"), groups),
      best: decodeFloat(s.best, label("best")),
      cooldownCounter: count(s.cooldownCounter, label("cooldownCounter"), groups),
      numBadEpochs: count(s.numBadEpochs, label("numBadEpochs"), groups),
      lastLr: lastLrList(s.lastLr, label("lastLr")),
    };
    if (next.defaultMinLr === null && next.minLrs.length !== groups) {
      throw new RangeError(
        `${label("minLrs")} has ${next.minLrs.length} values but the optimizer has ${groups} param groups`,
      );
    }
    Object.assign(this, next);
  }
}

/** The last lrs: finite numbers. */
function lastLrList(value: unknown, label: string): number[] {
  if (!Array.isArray(value)) throw new TypeError(`${label} must be an array, got ${show(value)}`);
  return value.map((v, i) => checkNumber(v, `${label}[${i}]`));
}

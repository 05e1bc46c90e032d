import { checkOptimizer, type SchedulableOptimizer } from "./scheduler.js";
import {
  describe,
  encodeFloat,
  readChoice,
  readFloat,
  readNumber,
  readNumbers,
  type SchedulerState,
} from "./state.js";

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** `"min"`: reduce when the metric stops decreasing; `"max"`: when it stops increasing. Default `"min"`. */
  mode?: "min" | "max";
  /** new lr = lr · factor; must be < 1. Default 0.1. */
  factor?: number;
  /** Number of bad epochs tolerated; the lr is reduced at the (patience+1)-th. Default 10. */
  patience?: number;
  /** Minimum change that counts as an improvement. Default 1e-4. */
  threshold?: number;
  /** `"rel"`: compare with best·(1 ∓ threshold); `"abs"`: with best ∓ threshold. Default `"rel"`. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound on the lr, for all groups or one per group. Default 0. */
  minLr?: number | readonly number[];
  /** A reduction smaller than eps is skipped. Default 1e-8. */
  eps?: number;
}

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
    const {
      mode = "min",
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = "rel",
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
    } = options;
    const name = "ReduceLROnPlateau";
    if (typeof factor !== "number" || Number.isNaN(factor) || factor >= 1.0) {
      throw new RangeError(`${name}: Factor should be < 1.0, got ${describe(factor)}`);
    }
    checkOptimizer(name, optimizer);
    const groups = optimizer.paramGroups.length;
    if (Array.isArray(minLr)) {
      if (minLr.length !== groups) {
        throw new RangeError(`${name}: expected ${groups} minLrs, got ${minLr.length}`);
      }
      this.defaultMinLr = null;
      this.minLrs = minLr.slice();
    } else {
      if (typeof minLr !== "number" || Number.isNaN(minLr)) {
        throw new TypeError(`${name}: minLr must be a number or one per group, got ${describe(minLr)}`);
      }
      this.defaultMinLr = minLr as number;
      this.minLrs = new Array<number>(groups).fill(minLr as number);
    }
    checkCount(name, "patience", patience);
    checkCount(name, "cooldown", cooldown);
    for (const [option, value] of [
      ["threshold", threshold],
      ["eps", eps],
    ] as const) {
      if (typeof value !== "number" || !(value >= 0)) {
        throw new RangeError(`${name}: ${option} must be a non-negative number, got ${describe(value)}`);
      }
    }
    if (mode !== "min" && mode !== "max") throw new TypeError(`${name}: mode ${describe(mode)} is unknown!`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs") {
      throw new TypeError(`${name}: threshold mode ${describe(thresholdMode)} is unknown!`);
    }
    this.optimizer = optimizer;
    this.factor = factor;
    this.patience = patience;
    this.cooldown = cooldown;
    this.eps = eps;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
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

  /** Records one epoch's metric and reduces the lr if it has not improved for more than `patience` epochs. */
  step(metric: number): void {
    if (typeof metric !== "number") {
      throw new TypeError(`ReduceLROnPlateau.step: metric must be a number, got ${describe(metric)}`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown are ignored
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
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

  private reduceLr(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new RangeError(
          `ReduceLROnPlateau: the number of param groups in the optimizer (${groups.length}) differs from when ` +
            `ReduceLROnPlateau was initialized (${this.minLrs.length}), usually due to a new param group being ` +
            "added to the optimizer. Set the `minLrs` field to one value per param group.",
        );
      }
      this.minLrs = new Array<number>(groups.length).fill(this.defaultMinLr);
    }
    groups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) group.lr = newLr;
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

  /** Restores a state written by `stateDict()` (options included, as in PyTorch). */
  loadStateDict(state: SchedulerState): void {
    const name = this.kind;
    if (typeof state !== "object" || state === null) {
      throw new TypeError(`${name}.loadStateDict: expected a state object, got ${describe(state)}`);
    }
    if (state.kind !== name) {
      throw new TypeError(`${name}.loadStateDict: the state was written by ${describe(state.kind)}`);
    }
    const defaultMinLr = state.defaultMinLr === null ? null : readNumber(state, "defaultMinLr");
    const next = {
      mode: readChoice(state, "mode", ["min", "max"] as const),
      thresholdMode: readChoice(state, "thresholdMode", ["rel", "abs"] as const),
      factor: readNumber(state, "factor"),
      patience: readNumber(state, "patience"),
      threshold: readNumber(state, "threshold"),
      cooldown: readNumber(state, "cooldown"),
      minLrs: readNumbers(state, "minLrs"),
      eps: readNumber(state, "eps"),
      lastEpoch: readNumber(state, "lastEpoch"),
      best: readFloat(state, "best"),
      cooldownCounter: readNumber(state, "cooldownCounter"),
      numBadEpochs: readNumber(state, "numBadEpochs"),
      lastLr: readNumbers(state, "lastLr"),
    };
    if (next.factor >= 1)
      throw new RangeError(`${name}.loadStateDict: Factor should be < 1.0, got ${next.factor}`);
    checkCount(`${name}.loadStateDict`, "patience", next.patience);
    checkCount(`${name}.loadStateDict`, "cooldown", next.cooldown);
    Object.assign(this, next, { defaultMinLr });
  }
}

function checkCount(name: string, option: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name}: ${option} must be a non-negative integer, got ${describe(value)}`);
  }
}

import { describe, type JsonValue, readNumber, readNumbers, type SchedulerState } from "./state.js";

/**
 * The part of a param group a scheduler reads and writes. camelCase versions of PyTorch's keys:
 * `initialLr` is `initial_lr`, `maxLr` / `minLr` / `maxMomentum` / `baseMomentum` are OneCycleLR's
 * `max_lr` / `min_lr` / `max_momentum` / `base_momentum`.
 */
export interface SchedulerParamGroup {
  lr: number;
  initialLr?: number;
  momentum?: number;
  betas?: readonly [number, number];
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}

/**
 * What a scheduler needs of an optimizer: live, writable param groups (and, for OneCycleLR's
 * momentum cycling, optionally the optimizer's `defaults`). Every `@descent/optim` optimizer fits.
 */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly SchedulerParamGroup[];
  readonly defaults?: object;
}

/** Checks that `optimizer` looks like an optimizer: an object with an array of groups with numeric `lr`. */
export function checkOptimizer(name: string, optimizer: SchedulableOptimizer): void {
  if (typeof optimizer !== "object" || optimizer === null || !Array.isArray(optimizer.paramGroups)) {
    throw new TypeError(
      `${name}: ${describe(optimizer)} is not an Optimizer (expected an object with a paramGroups array)`,
    );
  }
  optimizer.paramGroups.forEach((group, i) => {
    if (typeof group?.lr !== "number") {
      throw new TypeError(`${name}: paramGroups[${i}].lr must be a number, got ${describe(group?.lr)}`);
    }
  });
}

/**
 * Base of the epoch-driven schedulers, with PyTorch's `LRScheduler` protocol:
 *
 * - the constructor records `initialLr` in every group (if absent) and takes the base lrs from it;
 *   the subclass constructor then performs the initial step (`lastEpoch` −1 → 0), which sets the
 *   epoch-0 lr;
 * - `step()` increments `lastEpoch` and writes `getLr()` into the groups. `getLr()` is PyTorch's
 *   chainable (recursive) form, which reads each group's current `lr`, so an lr edited by hand
 *   mid-training carries on from the edited value, exactly as in PyTorch;
 * - `updateLr(epoch)` jumps to `epoch` and uses the closed form when the scheduler has one (how
 *   `SequentialLR` restarts a scheduler at its milestone).
 */
export abstract class LRScheduler {
  /** The class name, written into `stateDict()` and checked by `loadStateDict()` (minifier-proof). */
  readonly kind: string;
  /** The wrapped optimizer. */
  readonly optimizer: SchedulableOptimizer;
  /** Each group's `initialLr` when the scheduler was created. */
  baseLrs: number[];
  /** The index of the last epoch (step); −1 before the initial step, 0 right after construction. */
  lastEpoch: number;
  /** PyTorch's `_step_count`: calls of `step()` since the initial step, that one included. */
  stepCount = 0;
  /** True only during the initial step (PyTorch's `_is_initial`). */
  protected isInitial = false;
  /** The lrs written by the last step. */
  protected lastLr: number[] = [];

  /**
   * @param kind the subclass's name, for messages and the state's `kind`.
   * @param lastEpoch the index of the last epoch when resuming; −1 (the default) starts fresh.
   *   Resuming requires every group to already hold `initialLr`.
   */
  constructor(kind: string, optimizer: SchedulableOptimizer, lastEpoch = -1) {
    this.kind = kind;
    checkOptimizer(kind, optimizer);
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) {
      throw new RangeError(`${kind}: lastEpoch must be an integer >= -1, got ${lastEpoch}`);
    }
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const group of groups) if (group.initialLr === undefined) group.initialLr = group.lr;
    } else {
      groups.forEach((group, i) => {
        if (group.initialLr === undefined) {
          throw new Error(
            `param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`,
          );
        }
      });
    }
    this.baseLrs = groups.map((group) => group.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** The lrs for epoch `lastEpoch`, in PyTorch's chainable form (may read the groups' current lr). */
  protected abstract getLr(): number[];

  /** The lrs for epoch `lastEpoch` in closed form, for schedulers that have one. */
  protected closedFormLr?(): number[];

  /** Options and extra counters to save in `stateDict()` (besides the common fields). */
  protected abstract extraState(): Record<string, JsonValue>;

  /** Restores what {@link extraState} saved. */
  protected abstract loadExtraState(state: SchedulerState): void;

  /** PyTorch's `_initial_step`: resets the step count and performs a step in "initial" mode. */
  initialStep(): void {
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  /** Advances one epoch (or batch) and writes the new lr into every param group. */
  step(): void {
    this.stepCount += 1;
    this.updateLr();
  }

  /**
   * Without `epoch`: `lastEpoch += 1` and the chainable `getLr()`. With `epoch`: `lastEpoch = epoch`
   * and the closed form if there is one (PyTorch's `_update_lr`). Writes the lrs into the groups.
   */
  updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    const groups = this.optimizer.paramGroups;
    const n = Math.min(groups.length, values.length);
    for (let i = 0; i < n; i++) groups[i].lr = values[i];
    this.lastLr = groups.map((group) => group.lr);
  }

  /** The lrs written by the last step, one per param group (a copy). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** The scheduler's state as a plain JSON object (no functions, no optimizer). */
  stateDict(): SchedulerState {
    return {
      kind: this.kind,
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: this.baseLrs.slice(),
      lastLr: this.lastLr.slice(),
      ...this.extraState(),
    };
  }

  /**
   * Restores a state written by `stateDict()` of the same kind of scheduler (options included,
   * as in PyTorch). Load the optimizer's state too: the chainable forms continue from each group's
   * current lr.
   */
  loadStateDict(state: SchedulerState): void {
    const name = this.kind;
    if (typeof state !== "object" || state === null) {
      throw new TypeError(`${name}.loadStateDict: expected a state object, got ${describe(state)}`);
    }
    if (state.kind !== name) {
      throw new TypeError(`${name}.loadStateDict: the state was written by ${describe(state.kind)}`);
    }
    const groups = this.optimizer.paramGroups.length;
    const lastEpoch = readNumber(state, "lastEpoch");
    const stepCount = readNumber(state, "stepCount");
    const baseLrs = readNumbers(state, "baseLrs", groups);
    const lastLr = readNumbers(state, "lastLr", groups);
    this.loadExtraState(state);
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
  }
}

/** Python's `a % m` for `m > 0`: the result has the sign of `m`. */
export function pyMod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** Python's `bisect.bisect_right`: how many entries of the sorted `xs` are `<= x`. */
export function bisectRight(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < xs[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Checks a scheduler option that must be a finite number. */
export function checkFinite(name: string, option: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${name}: ${option} must be a finite number, got ${describe(value)}`);
  }
}

/** Checks a scheduler option that must be an integer `>= min`. */
export function checkInteger(name: string, option: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name}: ${option} must be an integer >= ${min}, got ${describe(value)}`);
  }
}

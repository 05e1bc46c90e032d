import { show } from "../validate.js";
import { setMomentum } from "./momentum.js";
import { type Check, checkNumber, groupArray, int, num, withDefault } from "./options.js";
import { checkStateFrame, type JsonValue, type SchedulerState } from "./state.js";

/**
 * The part of a param group a scheduler reads and writes. camelCase versions of PyTorch's keys:
 * `initialLr` is `initial_lr`; `maxLr` / `minLr` are OneCycleLR's `max_lr` / `min_lr`;
 * `maxMomentum` / `baseMomentum` are OneCycleLR's and CyclicLR's `max_momentum` / `base_momentum`;
 * `swaLr` is SWALR's `swa_lr`.
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
  swaLr?: number;
}

/**
 * What a scheduler needs of an optimizer: live, writable param groups (and, for the schedulers
 * that cycle momentum, optionally the optimizer's `defaults`). Every `@descent/optim` optimizer fits.
 */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly SchedulerParamGroup[];
  readonly defaults?: object;
}

/**
 * Checks that `optimizer` looks like an optimizer: an object with an array of param groups whose
 * `lr` is a finite number.
 */
export function checkOptimizer(kind: string, optimizer: SchedulableOptimizer): void {
  if (typeof optimizer !== "object" || optimizer === null || !Array.isArray(optimizer.paramGroups)) {
    throw new TypeError(
      `${kind}: ${show(optimizer)} is not an Optimizer (expected an object with a paramGroups array)`,
    );
  }
  optimizer.paramGroups.forEach((group, i) => {
    if (typeof group !== "object" || group === null) {
      throw new TypeError(`${kind}: paramGroups[${i}] must be an object, got ${show(group)}`);
    }
    checkNumber(group.lr, `${kind}: paramGroups[${i}].lr`);
  });
}

/**
 * Saves every option of every param group (arrays copied) and returns a function that puts them
 * back, removing keys added since. Lets a scheduler undo what a failed constructor or step wrote.
 */
export function snapshotGroups(groups: readonly SchedulerParamGroup[]): () => void {
  const copy = (g: object) =>
    Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Array.isArray(v) ? v.slice() : v]));
  const saved = groups.map(copy);
  return () => {
    groups.forEach((group, i) => {
      const g = group as unknown as Record<string, unknown>;
      for (const key of Object.keys(g)) if (!(key in saved[i])) delete g[key];
      Object.assign(g, saved[i]);
    });
  };
}

/** Momentum values one update writes, into `momentum` or into `betas[0]` (Adam-family rules). */
export interface MomentumUpdate {
  values: number[];
  useBeta1: boolean;
}

/**
 * Base of the epoch-driven schedulers, with PyTorch's `LRScheduler` protocol:
 *
 * - the constructor records `initialLr` in every group (if absent) and takes the base lrs from it;
 *   the subclass constructor then performs the initial step (`lastEpoch` −1 → 0), which sets the
 *   epoch-0 lr;
 * - `step()` increments `lastEpoch` and writes `getLr()` into the groups. `getLr()` is PyTorch's
 *   chainable (recursive) form where PyTorch has one, which reads each group's current `lr`, so an
 *   lr edited by hand mid-training carries on from the edited value, exactly as in PyTorch;
 * - `updateLr(epoch)` jumps to `epoch` and uses the closed form when the scheduler has one (how
 *   `SequentialLR` restarts a scheduler at its milestone).
 *
 * Every update is checked before anything is written: a computed lr (or momentum) that is not a
 * finite number is an error naming the scheduler, the group, the epoch and the value, and leaves
 * the scheduler and the groups as they were. A constructor that throws leaves the groups as they
 * were; `loadStateDict` checks the whole state before applying any of it.
 */
export abstract class LRScheduler {
  /** The class name, written into `stateDict()` and checked by `loadStateDict()` (minifier-proof). */
  readonly kind: string;
  /** The wrapped optimizer. */
  readonly optimizer: SchedulableOptimizer;
  /** The schedulers a composite scheduler (SequentialLR, ChainedScheduler) drives. */
  declare readonly schedulers?: readonly LRScheduler[];
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
  /** Undoes what the constructor wrote into the groups; set until the initial step succeeds. */
  private undoConstruction: (() => void) | undefined;

  /**
   * @param kind the subclass's name, for messages and the state's `kind`.
   * @param lastEpoch the index of the last epoch when resuming; −1 (the default) starts fresh.
   *   Resuming requires every group to already hold `initialLr`.
   * @param prepareGroups writes the subclass's keys into the groups before `initialLr` is recorded
   *   (CyclicLR's lr, OneCycleLR's `initialLr`, ...); undone if construction fails.
   */
  constructor(
    kind: string,
    optimizer: SchedulableOptimizer,
    lastEpoch = -1,
    prepareGroups?: (groups: readonly SchedulerParamGroup[]) => void,
  ) {
    this.kind = kind;
    checkOptimizer(kind, optimizer);
    checkNumber(lastEpoch, `${kind}: lastEpoch`, { integer: true, min: -1 });
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups;
    this.undoConstruction = snapshotGroups(groups);
    try {
      prepareGroups?.(groups);
      if (lastEpoch === -1) {
        for (const group of groups) if (group.initialLr === undefined) group.initialLr = group.lr;
      }
      groups.forEach((group, i) => {
        if (group.initialLr === undefined) {
          throw new Error(
            `${kind}: param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer (lastEpoch ${lastEpoch})`,
          );
        }
        checkNumber(group.initialLr, `${kind}: paramGroups[${i}].initialLr`);
      });
    } catch (error) {
      this.undoConstruction();
      throw error;
    }
    this.baseLrs = groups.map((group) => group.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /**
   * Ends a subclass constructor: performs the initial step (unless `initialStep` is false, for the
   * composite schedulers) and, if it throws, puts the groups back as they were before the
   * constructor.
   */
  protected start(initialStep = true): void {
    try {
      if (initialStep) this.initialStep();
    } catch (error) {
      this.undoConstruction?.();
      throw error;
    } finally {
      this.undoConstruction = undefined;
    }
  }

  /** The lrs for epoch `lastEpoch`, in PyTorch's chainable form (may read the groups' current lr). */
  protected abstract getLr(): number[];

  /** The lrs for epoch `lastEpoch` in closed form, for schedulers that have one. */
  protected closedFormLr?(): number[];

  /** The momentum (or beta1) to write along with the lrs, for schedulers that cycle it. */
  protected getMomentum?(): MomentumUpdate | undefined;

  /**
   * The options and counters saved in `stateDict()` besides the common fields: instance property
   * names, each with the check that validates it on load.
   */
  protected abstract stateFields(): Record<string, Check<unknown>>;

  /** PyTorch's `_initial_step`: resets the step count and performs a step in "initial" mode. */
  initialStep(): void {
    const stepCount = this.stepCount;
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } catch (error) {
      this.stepCount = stepCount;
      throw error;
    } finally {
      this.isInitial = false;
    }
  }

  /** Advances one epoch (or batch) and writes the new lr into every param group. */
  step(): void {
    this.stepCount += 1;
    try {
      this.updateLr();
    } catch (error) {
      this.stepCount -= 1;
      throw error;
    }
  }

  /**
   * Without `epoch`: `lastEpoch += 1` and the chainable `getLr()`. With `epoch` (an integer ≥ 0):
   * `lastEpoch = epoch` and the closed form if there is one (PyTorch's `_update_lr`). Writes the
   * lrs into the groups, after checking them all.
   */
  updateLr(epoch?: number): void {
    if (epoch !== undefined) checkNumber(epoch, `${this.kind}.updateLr: epoch`, { integer: true, min: 0 });
    const previous = this.lastEpoch;
    this.lastEpoch = epoch === undefined ? previous + 1 : epoch;
    try {
      const lrs = epoch !== undefined && this.closedFormLr ? this.closedFormLr() : this.getLr();
      this.writeGroups(lrs, this.getMomentum?.());
    } catch (error) {
      this.lastEpoch = previous;
      throw error;
    }
  }

  /**
   * Writes one update into the groups: checks every value first (throwing, with nothing written,
   * unless each lr is a finite number and each momentum valid), then writes them all and records
   * the groups' lrs as the last lrs. As PyTorch's `zip(param_groups, values)`, a group beyond the
   * values keeps its lr.
   */
  protected writeGroups(lrs: readonly number[], momentum?: MomentumUpdate): void {
    this.checkUpdate(lrs, momentum);
    const groups = this.optimizer.paramGroups;
    if (momentum !== undefined) {
      const n = Math.min(groups.length, momentum.values.length);
      for (let i = 0; i < n; i++) setMomentum(groups[i], momentum.values[i], momentum.useBeta1);
    }
    const n = Math.min(groups.length, lrs.length);
    for (let i = 0; i < n; i++) groups[i].lr = lrs[i];
    this.lastLr = groups.map((group) => group.lr);
  }

  /** Throws, naming the group and the value, unless every lr (and momentum) is a finite number. */
  private checkUpdate(lrs: readonly number[], momentum: MomentumUpdate | undefined): void {
    const groups = this.optimizer.paramGroups;
    const at = `${this.kind}: at epoch ${this.lastEpoch}`;
    const n = Math.min(groups.length, lrs.length);
    for (let i = 0; i < n; i++) {
      const lr = lrs[i];
      if (typeof lr !== "number" || !Number.isFinite(lr)) {
        throw new RangeError(
          `${at}, the new lr of paramGroups[${i}] would be ${show(lr)} (its lr is ${show(groups[i].lr)}); nothing was changed`,
        );
      }
    }
    if (momentum === undefined) return;
    const key = momentum.useBeta1 ? "betas[0]" : "momentum";
    momentum.values.forEach((m, i) => {
      if (i >= groups.length) return;
      const ok =
        typeof m === "number" && m >= 0 && (momentum.useBeta1 ? m < 1 : m < Number.POSITIVE_INFINITY);
      if (!ok) {
        const range = momentum.useBeta1 ? "in [0, 1)" : "a finite number >= 0";
        throw new RangeError(
          `${at}, the new ${key} of paramGroups[${i}] would be ${show(m)} (must be ${range}); nothing was changed`,
        );
      }
      if (momentum.useBeta1 && (!Array.isArray(groups[i].betas) || groups[i].betas?.length !== 2)) {
        throw new TypeError(
          `${at}: paramGroups[${i}].betas must be a pair of numbers, got ${show(groups[i].betas)}`,
        );
      }
    });
  }

  /** The lrs written by the last step, one per param group (a copy). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /**
   * The scheduler's state as a plain JSON object (no functions, no optimizer); a composite
   * scheduler's holds its schedulers' states under `schedulers`.
   */
  stateDict(): SchedulerState {
    const self = this as unknown as Record<string, JsonValue>;
    const extra: Record<string, JsonValue> = {};
    for (const key of Object.keys(this.stateFields())) extra[key] = structuredClone(self[key]);
    if (this.schedulers !== undefined) extra.schedulers = this.schedulers.map((s) => s.stateDict());
    return {
      kind: this.kind,
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: this.baseLrs.slice(),
      lastLr: this.lastLr.slice(),
      ...extra,
    };
  }

  /**
   * Restores a state written by `stateDict()` of the same kind of scheduler (options included,
   * as in PyTorch). The whole state is checked first; on any error nothing changes. Load the
   * optimizer's state too: the chainable forms continue from each group's current lr.
   */
  loadStateDict(state: SchedulerState): void {
    this.prepareLoadStateDict(state)();
  }

  /**
   * Checks `state` as `loadStateDict` would and returns a function that applies it; nothing
   * changes until that function is called. Composite schedulers check all their schedulers' states
   * this way before loading any. `minLastEpoch` is −1 except for a scheduler waiting inside a
   * (nested) SequentialLR, whose `lastEpoch` may sit below −1.
   */
  prepareLoadStateDict(state: SchedulerState, minLastEpoch = -1): () => void {
    const fields = this.stateFields();
    const keys = ["kind", "lastEpoch", "stepCount", "baseLrs", "lastLr", ...Object.keys(fields)];
    if (this.schedulers !== undefined) keys.push("schedulers");
    const s = checkStateFrame(this.kind, state, keys);
    const label = (key: string) => `${this.kind}.loadStateDict: '${key}'`;
    const groups = this.optimizer.paramGroups.length;
    const lastEpoch = checkNumber(s.lastEpoch, label("lastEpoch"), { integer: true, min: minLastEpoch });
    const stepCount = checkNumber(s.stepCount, label("stepCount"), { integer: true, min: 0 });
    const baseLrs = groupArray(num())(s.baseLrs, label("baseLrs"), groups);
    const lastLr = groupArray(num())(s.lastLr, label("lastLr"), groups);
    const values: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(fields)) {
      values[key] = check(s[key], `${this.kind}.loadStateDict: ${key}`, groups);
    }
    const applyNested = this.prepareNested(s.schedulers, minLastEpoch);
    return () => {
      Object.assign(this, values);
      this.lastEpoch = lastEpoch;
      this.stepCount = stepCount;
      this.baseLrs = baseLrs;
      this.lastLr = lastLr;
      applyNested();
    };
  }

  /** For composite schedulers: checks the wrapped schedulers' states; returns what loads them all. */
  private prepareNested(states: unknown, minLastEpoch: number): () => void {
    const schedulers = this.schedulers;
    if (schedulers === undefined) return () => {};
    if (!Array.isArray(states) || states.length !== schedulers.length) {
      throw new RangeError(
        `${this.kind}.loadStateDict: 'schedulers' must hold ${schedulers.length} scheduler states, got ${show(states)}`,
      );
    }
    // A scheduler waiting inside a SequentialLR sits one epoch back per level of nesting.
    const applies = schedulers.map((s, i) => s.prepareLoadStateDict(states[i], minLastEpoch - 1));
    return () => {
      for (const apply of applies) apply();
    };
  }
}

/** The `lastEpoch` option every epoch-driven scheduler takes: an integer ≥ −1, default −1. */
export const LAST_EPOCH = withDefault(int({ min: -1 }), -1);

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

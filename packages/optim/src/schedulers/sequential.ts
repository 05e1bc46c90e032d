import { show } from "../validate.js";
import { atomically, schedulerList } from "./composite.js";
import { type Check, readOptions, required } from "./options.js";
import {
  bisectRight,
  checkOptimizer,
  LAST_EPOCH,
  LRScheduler,
  type SchedulableOptimizer,
} from "./scheduler.js";

/** Options of {@link SequentialLR}. */
export interface SequentialLROptions {
  /** The schedulers, in order; all on the same optimizer. At least one. */
  schedulers: readonly LRScheduler[];
  /** The epochs at which to switch to the next scheduler: one fewer than `schedulers`, non-decreasing. */
  milestones: readonly number[];
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Non-decreasing integers ≥ 0. */
const milestoneList: Check<number[]> = (value, label) => {
  const kind = label.slice(0, label.indexOf(": "));
  if (!Array.isArray(value)) throw new TypeError(`${label} must be an array of integers, got ${show(value)}`);
  value.forEach((m, i) => {
    if (!Number.isSafeInteger(m) || m < 0) {
      throw new TypeError(`${kind}: milestones must be integers >= 0, got ${show(m)} at index ${i}`);
    }
    if (i > 0 && m < value[i - 1]) {
      throw new RangeError(`${kind}: milestones must be increasing, got ${value.join(", ")}`);
    }
  });
  return value.slice();
};

/**
 * Runs schedulers one after the other (PyTorch's `SequentialLR`), e.g. warmup then decay.
 *
 * The constructor resets every group's lr to its `initialLr`, undoes the initial step the wrapped
 * schedulers took when they were built (`lastEpoch −= 1` each, recursively through composite
 * schedulers) and performs the first scheduler's initial step. At step t, scheduler
 * i = (number of milestones ≤ t) is in charge; at its milestone it restarts from epoch 0 in closed
 * form (`updateLr(0)`), after which it steps normally. A step that throws changes nothing.
 *
 * @example
 * const warmup = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 * const decay = new CosineAnnealingLR(optimizer, { tMax: 95 });
 * const sched = new SequentialLR(optimizer, { schedulers: [warmup, decay], milestones: [5] });
 */
export class SequentialLR extends LRScheduler {
  override readonly schedulers: LRScheduler[];
  milestones: number[];

  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    const kind = "SequentialLR";
    checkOptimizer(kind, optimizer);
    const spec = {
      schedulers: required(
        schedulerList(kind, optimizer, "expects at least one scheduler, but got no scheduler."),
      ),
      milestones: required(milestoneList),
      lastEpoch: LAST_EPOCH,
    };
    const o = readOptions(kind, options, spec);
    if (o.milestones.length !== o.schedulers.length - 1) {
      throw new RangeError(
        "Sequential Schedulers expects number of schedulers provided to be one more than the number of " +
          `milestone points, but got number of schedulers ${o.schedulers.length} and the number of milestones ` +
          `to be equal to ${o.milestones.length}`,
      );
    }
    super(kind, optimizer, o.lastEpoch);
    this.schedulers = o.schedulers;
    this.milestones = o.milestones;
    this.lastEpoch = o.lastEpoch + 1;
    atomically(optimizer, this.schedulers, () => {
      for (const group of optimizer.paramGroups) group.lr = group.initialLr as number;
      undoInitialSteps(this);
      this.schedulers[0].initialStep();
    });
    this.lastLr = this.schedulers[0].getLastLr();
    this.start(false);
  }

  override step(): void {
    atomically(this.optimizer, [this], () => {
      this.lastEpoch += 1;
      const idx = bisectRight(this.milestones, this.lastEpoch);
      const scheduler = this.schedulers[idx];
      if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.updateLr(0);
      else scheduler.step();
      this.lastLr = scheduler.getLastLr();
    });
  }

  /** Not used by `step()`; returns the groups' current lrs. */
  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected stateFields() {
    return { milestones: milestoneList };
  }
}

/** PyTorch's `recursive_undo`: one epoch back for every wrapped scheduler, through composite schedulers. */
function undoInitialSteps(scheduler: LRScheduler): void {
  for (const s of scheduler.schedulers ?? []) {
    if (s.schedulers !== undefined) undoInitialSteps(s);
    else s.lastEpoch -= 1;
  }
}

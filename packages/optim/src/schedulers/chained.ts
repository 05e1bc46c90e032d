import { atomically, schedulerList } from "./composite.js";
import { readOptions, required } from "./options.js";
import { checkOptimizer, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** Options of {@link ChainedScheduler}. */
export interface ChainedSchedulerOptions {
  /** The schedulers to step together, in order; all on the same optimizer. At least one. */
  schedulers: readonly LRScheduler[];
}

/**
 * Steps several schedulers together (PyTorch's `ChainedScheduler`): each `step()` calls `step()`
 * on every scheduler in order, so chainable schedulers compose, e.g. a constant warmup factor on
 * top of an exponential decay. The lr after a step is whatever the last scheduler left in the
 * groups. A step that throws changes nothing (no scheduler and no group is left half-stepped).
 *
 * The constructor steps nothing: each scheduler already took its initial step when it was built.
 * `stateDict()` holds every scheduler's state under `schedulers`. `lastEpoch` counts the chained
 * steps (PyTorch's ChainedScheduler has no epoch counter of its own); it has no closed form, so a
 * SequentialLR cannot restart it at a milestone (PyTorch raises NotImplementedError there too).
 *
 * @example
 * // lr = 0.05·0.1·0.9^t for t < 20, then 0.05·0.9^t
 * const sched = new ChainedScheduler(optimizer, {
 *   schedulers: [
 *     new ConstantLR(optimizer, { factor: 0.1, totalIters: 20 }),
 *     new ExponentialLR(optimizer, { gamma: 0.9 }),
 *   ],
 * });
 */
export class ChainedScheduler extends LRScheduler {
  override readonly schedulers: LRScheduler[];

  constructor(optimizer: SchedulableOptimizer, options: ChainedSchedulerOptions) {
    const kind = "ChainedScheduler";
    checkOptimizer(kind, optimizer);
    const empty = "expects at least one scheduler to be chained, but got no scheduler.";
    const o = readOptions(kind, options, { schedulers: required(schedulerList(kind, optimizer, empty)) });
    super(kind, optimizer, -1);
    this.schedulers = o.schedulers;
    this.lastEpoch = 0;
    this.stepCount = 1;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
    this.start(false);
  }

  /** Steps every scheduler in order; the last lrs are the groups' lrs after the last one. */
  override step(): void {
    atomically(this.optimizer, [this], () => {
      for (const scheduler of this.schedulers) scheduler.step();
      this.lastEpoch += 1;
      this.stepCount += 1;
      this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
    });
  }

  /** Jumping to an epoch needs a closed form, which a chain of schedulers does not have. */
  override updateLr(epoch?: number): void {
    throw new Error(
      `ChainedScheduler has no closed form to jump to epoch ${epoch} (PyTorch raises NotImplementedError); ` +
        "use it as the first scheduler of a SequentialLR, or step it instead",
    );
  }

  /** Not used by `step()`; returns the groups' current lrs. */
  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected stateFields() {
    return {};
  }
}

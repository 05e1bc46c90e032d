import { bisectRight, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";
import { describe, type JsonValue, readNumbers, type SchedulerState } from "./state.js";

/** Options of {@link SequentialLR}. */
export interface SequentialLROptions {
  /** The schedulers, in order; all on the same optimizer. At least one. */
  schedulers: readonly LRScheduler[];
  /** The epochs at which to switch to the next scheduler: one fewer than `schedulers`, increasing. */
  milestones: readonly number[];
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Runs schedulers one after the other (PyTorch's `SequentialLR`), e.g. warmup then decay.
 *
 * The constructor resets every group's lr to its `initialLr`, undoes the initial step the wrapped
 * schedulers took when they were built (`lastEpoch −= 1` each) and performs the first scheduler's
 * initial step. At step t, scheduler i = (number of milestones ≤ t) is in charge; at its milestone
 * it restarts from epoch 0 in closed form (`updateLr(0)`), after which it steps normally.
 *
 * @example
 * const warmup = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 * const decay = new CosineAnnealingLR(optimizer, { tMax: 95 });
 * const sched = new SequentialLR(optimizer, { schedulers: [warmup, decay], milestones: [5] });
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  milestones: number[];

  constructor(
    optimizer: SchedulableOptimizer,
    { schedulers, milestones, lastEpoch = -1 }: SequentialLROptions,
  ) {
    const name = "SequentialLR";
    if (!Array.isArray(schedulers) || schedulers.length < 1) {
      throw new RangeError(`${name} expects at least one scheduler, but got no scheduler.`);
    }
    schedulers.forEach((scheduler, i) => {
      if (!(scheduler instanceof LRScheduler)) {
        const plateau = (scheduler as { kind?: unknown })?.kind === "ReduceLROnPlateau";
        throw new TypeError(
          plateau
            ? `${name} does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be ` +
                `specified when calling \`step\`, but got one at index ${i} in the given schedulers sequence.`
            : `${name}: the scheduler at index ${i} is not an LRScheduler, got ${describe(scheduler)}`,
        );
      }
      if (scheduler.optimizer !== optimizer) {
        throw new TypeError(
          `${name} expects all schedulers to belong to the same optimizer, but got scheduler ` +
            `${scheduler.kind} at index ${i} with a different optimizer.`,
        );
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        "Sequential Schedulers expects number of schedulers provided to be one more than the number of " +
          `milestone points, but got number of schedulers ${schedulers.length} and the number of milestones ` +
          `to be equal to ${Array.isArray(milestones) ? milestones.length : describe(milestones)}`,
      );
    }
    checkMilestones(name, milestones);
    super(name, optimizer, lastEpoch);
    this.schedulers = schedulers.slice();
    this.milestones = milestones.slice();
    this.lastEpoch = lastEpoch + 1;
    for (const group of optimizer.paramGroups) group.lr = group.initialLr as number;
    undoInitialSteps(this);
    this.schedulers[0].initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.updateLr(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  /** Not used by `step()`; returns the groups' current lrs. */
  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Also holds each wrapped scheduler's state, under `schedulers`. */
  protected extraState(): Record<string, JsonValue> {
    return {
      milestones: this.milestones.slice(),
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  protected loadExtraState(state: SchedulerState): void {
    const milestones = readNumbers(state, "milestones");
    const inner = state.schedulers;
    if (!Array.isArray(inner) || inner.length !== this.schedulers.length) {
      throw new RangeError(
        `SequentialLR.loadStateDict: 'schedulers' must hold ${this.schedulers.length} scheduler states, ` +
          `got ${describe(inner)}`,
      );
    }
    if (milestones.length !== this.schedulers.length - 1) {
      throw new RangeError(
        `SequentialLR.loadStateDict: 'milestones' must hold ${this.schedulers.length - 1} values, got ${milestones.length}`,
      );
    }
    checkMilestones("SequentialLR.loadStateDict", milestones);
    inner.forEach((s, i) => {
      this.schedulers[i].loadStateDict(s as SchedulerState);
    });
    this.milestones = milestones;
  }
}

/** PyTorch's `recursive_undo`: one epoch back for every wrapped scheduler, through nested SequentialLRs. */
function undoInitialSteps(scheduler: SequentialLR): void {
  for (const s of scheduler.schedulers) {
    if (s instanceof SequentialLR) undoInitialSteps(s);
    else s.lastEpoch -= 1;
  }
}

function checkMilestones(name: string, milestones: readonly number[]): void {
  milestones.forEach((m, i) => {
    if (!Number.isInteger(m)) {
      throw new TypeError(`${name}: milestones must be integers, got ${describe(m)} at index ${i}`);
    }
    if (i > 0 && m < milestones[i - 1]) {
      throw new RangeError(`${name}: milestones must be increasing, got ${milestones.join(", ")}`);
    }
  });
}

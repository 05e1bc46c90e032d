import { callLambda, type LrLambda, lrLambdas } from "./lambda.js";
import { readOptions, required } from "./options.js";
import { checkOptimizer, LAST_EPOCH, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** Options of {@link MultiplicativeLR}. */
export interface MultiplicativeLROptions {
  /** The factor for each epoch: one function for every group, or one per group. */
  lrLambda: LrLambda | readonly LrLambda[];
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies every group's lr by a function of the epoch at each step (PyTorch's
 * `MultiplicativeLR`): η_t = η_{t−1} · λ(t) for t ≥ 1 (the initial step leaves the lr alone).
 * It is chainable: it always multiplies the group's current lr. The functions are not part of
 * `stateDict()`. A function that returns anything but a finite number is an error at that step.
 *
 * @example
 * const sched = new MultiplicativeLR(optimizer, { lrLambda: () => 0.95 });
 */
export class MultiplicativeLR extends LRScheduler {
  /** One function per param group. */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: MultiplicativeLROptions) {
    checkOptimizer("MultiplicativeLR", optimizer);
    const spec = { lrLambda: required(lrLambdas), lastEpoch: LAST_EPOCH };
    const o = readOptions("MultiplicativeLR", options, spec, optimizer.paramGroups.length);
    super("MultiplicativeLR", optimizer, o.lastEpoch);
    this.lrLambdas = o.lrLambda;
    this.start();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.isInitial) return groups.map((g) => g.lr);
    const n = Math.min(groups.length, this.lrLambdas.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++)
      out.push(groups[i].lr * callLambda(this.kind, this.lrLambdas, i, this.lastEpoch));
    return out;
  }

  protected stateFields() {
    return {};
  }
}

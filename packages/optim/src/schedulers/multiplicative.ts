import type { LrLambda } from "./lambda.js";
import { LRScheduler, type SchedulableOptimizer } from "./scheduler.js";
import { describe, type SchedulerState } from "./state.js";

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
 * `stateDict()`.
 *
 * @example
 * const sched = new MultiplicativeLR(optimizer, { lrLambda: () => 0.95 });
 */
export class MultiplicativeLR extends LRScheduler {
  /** One function per param group. */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, { lrLambda, lastEpoch = -1 }: MultiplicativeLROptions) {
    const groups = optimizer?.paramGroups?.length ?? 0;
    let lambdas: LrLambda[];
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== groups) {
        throw new RangeError(`MultiplicativeLR: expected ${groups} lrLambdas, but got ${lrLambda.length}`);
      }
      lambdas = lrLambda.slice();
    } else {
      lambdas = new Array<LrLambda>(groups).fill(lrLambda as LrLambda);
    }
    for (const fn of lambdas) {
      if (typeof fn !== "function") {
        throw new TypeError(`MultiplicativeLR: lrLambda should be a function, but got ${describe(fn)}`);
      }
    }
    super("MultiplicativeLR", optimizer, lastEpoch);
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.isInitial) return groups.map((g) => g.lr);
    const n = Math.min(groups.length, this.lrLambdas.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(groups[i].lr * this.lrLambdas[i](this.lastEpoch));
    return out;
  }

  protected extraState() {
    return {};
  }

  protected loadExtraState(_state: SchedulerState): void {}
}

import { LRScheduler, type SchedulableOptimizer } from "./scheduler.js";
import { describe, type SchedulerState } from "./state.js";

/** A multiplicative factor as a function of the epoch index. */
export type LrLambda = (epoch: number) => number;

/** Options of {@link LambdaLR}. */
export interface LambdaLROptions {
  /** One function for every group, or one per group (as many as the optimizer has groups). */
  lrLambda: LrLambda | readonly LrLambda[];
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/**
 * Sets each group's lr to its initial lr times a function of the epoch (PyTorch's `LambdaLR`):
 *
 *   η_t = η_0 · λ(t)
 *
 * There is no chainable form: an lr edited by hand is overwritten at the next step. The functions
 * are not part of `stateDict()`; construct the scheduler with the same functions before loading.
 *
 * @example
 * // linear warmup over 10 epochs, then constant
 * const sched = new LambdaLR(optimizer, { lrLambda: (epoch) => Math.min(1, (epoch + 1) / 10) });
 */
export class LambdaLR extends LRScheduler {
  /** One function per param group. */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, { lrLambda, lastEpoch = -1 }: LambdaLROptions) {
    const groups = optimizer?.paramGroups?.length ?? 0;
    let lambdas: LrLambda[];
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== groups) {
        throw new RangeError(`LambdaLR: expected ${groups} lrLambdas, but got ${lrLambda.length}`);
      }
      lambdas = lrLambda.slice();
    } else {
      lambdas = new Array<LrLambda>(groups).fill(lrLambda as LrLambda);
    }
    for (const fn of lambdas) {
      if (typeof fn !== "function") {
        throw new TypeError(`LambdaLR: lrLambda should be a function, but got ${describe(fn)}`);
      }
    }
    super("LambdaLR", optimizer, lastEpoch);
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  protected getLr(): number[] {
    const n = Math.min(this.lrLambdas.length, this.baseLrs.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.baseLrs[i] * this.lrLambdas[i](this.lastEpoch));
    return out;
  }

  protected extraState() {
    return {};
  }

  protected loadExtraState(_state: SchedulerState): void {}
}

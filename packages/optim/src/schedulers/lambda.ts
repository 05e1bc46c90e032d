import { show } from "../validate.js";
import { type Check, readOptions, required } from "./options.js";
import { checkOptimizer, LAST_EPOCH, LRScheduler, type SchedulableOptimizer } from "./scheduler.js";

/** A multiplicative factor as a function of the epoch index. */
export type LrLambda = (epoch: number) => number;

/** Options of {@link LambdaLR}. */
export interface LambdaLROptions {
  /** One function for every group, or one per group (as many as the optimizer has groups). */
  lrLambda: LrLambda | readonly LrLambda[];
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** One function per group from one function or an array of them (LambdaLR, MultiplicativeLR). */
export const lrLambdas: Check<LrLambda[]> = (value, label, groups) => {
  const kind = label.slice(0, label.indexOf(": "));
  if (!Array.isArray(value) && typeof value !== "function") {
    throw new TypeError(`${kind}: lrLambda should be a function, but got ${show(value)}`);
  }
  let lambdas: unknown[];
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw new RangeError(`${kind}: expected ${groups} lrLambdas, but got ${value.length}`);
    }
    lambdas = value.slice();
  } else {
    lambdas = new Array<unknown>(groups).fill(value);
  }
  for (const f of lambdas) {
    if (typeof f !== "function") {
      throw new TypeError(`${kind}: lrLambda should be a function, but got ${show(f)}`);
    }
  }
  return lambdas as LrLambda[];
};

/** Calls group `i`'s lambda at `epoch` and checks that it returned a finite number. */
export function callLambda(kind: string, lambdas: readonly LrLambda[], i: number, epoch: number): number {
  const factor = lambdas[i](epoch);
  if (typeof factor !== "number" || !Number.isFinite(factor)) {
    throw new RangeError(
      `${kind}: lrLambda of paramGroups[${i}] returned ${show(factor)} at epoch ${epoch} (expected a finite number); nothing was changed`,
    );
  }
  return factor;
}

/**
 * Sets each group's lr to its initial lr times a function of the epoch (PyTorch's `LambdaLR`):
 *
 *   η_t = η_0 · λ(t)
 *
 * There is no chainable form: an lr edited by hand is overwritten at the next step. The functions
 * are not part of `stateDict()`; construct the scheduler with the same functions before loading.
 * A function that returns anything but a finite number is an error at that step.
 *
 * @example
 * // linear warmup over 10 epochs, then constant
 * const sched = new LambdaLR(optimizer, { lrLambda: (epoch) => Math.min(1, (epoch + 1) / 10) });
 */
export class LambdaLR extends LRScheduler {
  /** One function per param group. */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: LambdaLROptions) {
    checkOptimizer("LambdaLR", optimizer);
    const spec = { lrLambda: required(lrLambdas), lastEpoch: LAST_EPOCH };
    const o = readOptions("LambdaLR", options, spec, optimizer.paramGroups.length);
    super("LambdaLR", optimizer, o.lastEpoch);
    this.lrLambdas = o.lrLambda;
    this.start();
  }

  protected getLr(): number[] {
    const n = Math.min(this.lrLambdas.length, this.baseLrs.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++)
      out.push(this.baseLrs[i] * callLambda(this.kind, this.lrLambdas, i, this.lastEpoch));
    return out;
  }

  protected stateFields() {
    return {};
  }
}

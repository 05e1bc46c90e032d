import type { FloatArray } from "./param.js";

/**
 * What `step()` does when a gradient holds NaN or ±Infinity.
 *
 * - `"error"` (default): throw before anything is changed. No parameter, no state and no step
 *   count is touched, so the caller can catch, fix the cause (lower the lr, clip, skip the batch)
 *   and carry on from a clean state.
 * - `"skip"`: skip the whole step, like PyTorch's `GradScaler` does on overflow: nothing is
 *   changed and `optimizer.skippedSteps` is incremented.
 * - `"propagate"`: PyTorch's behaviour: the values flow into the state and the parameters.
 *
 * The check is one extra read of every gradient per step; `"propagate"` skips it.
 */
export type NonFinitePolicy = "error" | "skip" | "propagate";

/** The non-finite policies, for validation. */
export const NON_FINITE_POLICIES: readonly NonFinitePolicy[] = ["error", "skip", "propagate"];

/** Index of the first NaN or ±Infinity in `values`, or −1 if all are finite. */
export function firstNonFinite(values: FloatArray): number {
  for (let i = 0; i < values.length; i++) {
    // x − x is 0 for finite x and NaN for NaN and ±Infinity.
    const x = values[i];
    if (x - x !== 0) return i;
  }
  return -1;
}

/**
 * Thrown by `step()` under the `"error"` policy when a gradient holds NaN or ±Infinity. Nothing was
 * updated. A `RangeError`, so existing `catch` clauses keep working; the fields say where it was.
 */
export class NonFiniteGradientError extends RangeError {
  override readonly name = "NonFiniteGradientError";
  constructor(
    message: string,
    /** Index of the param group. */
    readonly groupIndex: number,
    /** Index of the parameter inside its group. */
    readonly paramIndex: number,
    /** Index of the first non-finite element of the gradient. */
    readonly elementIndex: number,
    /** That element: NaN, Infinity or -Infinity. */
    readonly value: number,
  ) {
    super(message);
  }
}

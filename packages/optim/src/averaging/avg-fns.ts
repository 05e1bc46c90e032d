import { checkLength, f, isFloat32 } from "../kernel-check.js";
import { lerp } from "../lerp.js";
import type { FloatArray } from "../param.js";
import { show } from "../validate.js";

/**
 * A per-parameter averaging function, PyTorch's `avg_fn(averaged_param, current_param,
 * num_averaged)`: returns the new average of one parameter, given its current average, the live
 * parameter and the number of updates averaged so far (1 at the second update).
 *
 * The result is copied into the average (rounded to its dtype), unless it *is* the `averaged`
 * array, which lets a function update it in place and return it, as the built-in ones do. It must
 * not modify `current`, which is the live parameter's own array.
 */
export type AvgFn = (averaged: FloatArray, current: FloatArray, nAveraged: number) => ArrayLike<number>;

/**
 * An averaging function over a list of parameters, PyTorch's `multi_avg_fn(averaged_param_list,
 * current_param_list, num_averaged)`: updates every array of `averaged` in place from the matching
 * array of `current`. `AveragedParams` calls it once per dtype (all arrays of one call are
 * `Float32Array`s, or all `Float64Array`s), as PyTorch calls it once per device and dtype.
 */
export type MultiAvgFn = (averaged: FloatArray[], current: FloatArray[], nAveraged: number) => void;

/**
 * One equal-weight (SWA) averaging step, in place, PyTorch's `get_swa_avg_fn()` (the default of
 * `AveragedModel` for CPU tensors):
 *
 *     a ← a + (p − a) / (n + 1)
 *
 * so that after the first copy (a = p₁) and n further steps, a = (p₁ + … + p_{n+1}) / (n + 1), up to
 * rounding. Float32 arrays are computed in float32 with one rounding per operation, subtraction,
 * division by n + 1 (itself rounded to float32, as PyTorch converts the count to the parameter's
 * dtype), addition.
 *
 * @param nAveraged n: how many values the average already holds (≥ 1).
 */
export function swaStep(averaged: FloatArray, current: FloatArray, nAveraged: number): void {
  const n = averaged.length;
  checkLength("swaStep", "current", current, n);
  const count = nAveraged + 1;
  if (isFloat32(averaged) && isFloat32(current)) {
    const c = f(count);
    for (let i = 0; i < n; i++) {
      const a = averaged[i];
      averaged[i] = f(a + f(f(current[i] - a) / c));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const a = averaged[i];
    averaged[i] = a + (current[i] - a) / count;
  }
}

/**
 * One exponential-moving-average step, in place, PyTorch's `get_ema_multi_avg_fn(decay)`
 * (`torch._foreach_lerp_(ema, current, 1 − decay)`):
 *
 *     a ← lerp(a, p, 1 − β)  =  β·a + (1 − β)·p   (up to rounding)
 *
 * computed as ATen's `lerp`: with w = 1 − β, `a + w·(p − a)` when |w| < 0.5, else
 * `p − (p − a)·(1 − w)`. Float32 arrays: w is rounded to float32 first, then every operation.
 *
 * @param decay β, in [0, 1].
 */
export function emaLerpStep(averaged: FloatArray, current: FloatArray, decay: number): void {
  const n = averaged.length;
  checkLength("emaLerpStep", "current", current, n);
  const weight = 1 - decay;
  if (isFloat32(averaged) && isFloat32(current)) {
    const w = f(weight);
    const wc = f(1 - w);
    const small = Math.abs(w) < 0.5;
    for (let i = 0; i < n; i++) {
      const a = averaged[i];
      const p = current[i];
      averaged[i] = small ? f(a + f(w * f(p - a))) : f(p - f(f(p - a) * wc));
    }
    return;
  }
  for (let i = 0; i < n; i++) averaged[i] = lerp(averaged[i], current[i], weight);
}

/**
 * One exponential-moving-average step, in place, PyTorch's single-tensor `get_ema_avg_fn(decay)`:
 *
 *     a ← β·a + (1 − β)·p
 *
 * evaluated as written (two products, one sum), which rounds differently from
 * {@link emaLerpStep}'s `lerp`. Float32 arrays: β and 1 − β are rounded to float32, then every
 * operation.
 *
 * @param decay β, in [0, 1].
 */
export function emaStep(averaged: FloatArray, current: FloatArray, decay: number): void {
  const n = averaged.length;
  checkLength("emaStep", "current", current, n);
  const keep = decay;
  const take = 1 - decay;
  if (isFloat32(averaged) && isFloat32(current)) {
    const k = f(keep);
    const t = f(take);
    for (let i = 0; i < n; i++) averaged[i] = f(f(k * averaged[i]) + f(t * current[i]));
    return;
  }
  for (let i = 0; i < n; i++) averaged[i] = keep * averaged[i] + take * current[i];
}

/**
 * Throws unless `decay` is a number in [0, 1] (PyTorch's message; NaN, which PyTorch lets through,
 * is an error here too).
 */
export function checkDecay(decay: unknown): void {
  if (typeof decay !== "number" || !(decay >= 0 && decay <= 1)) {
    throw new RangeError(
      `Invalid decay value ${show(decay)} provided. Please provide a value in [0,1] range.`,
    );
  }
}

/**
 * PyTorch's `get_swa_avg_fn()`: the equal-weight average {@link swaStep} as an {@link AvgFn}. It is
 * what `AveragedParams` does when given no averaging function.
 */
export function getSwaAvgFn(): AvgFn {
  return (averaged, current, nAveraged) => {
    swaStep(averaged, current, nAveraged);
    return averaged;
  };
}

/**
 * PyTorch's `get_ema_avg_fn(decay = 0.999)`: `a ← β·a + (1 − β)·p` ({@link emaStep}) as an
 * {@link AvgFn}. Throws for a decay outside [0, 1].
 */
export function getEmaAvgFn(decay = 0.999): AvgFn {
  checkDecay(decay);
  return (averaged, current) => {
    emaStep(averaged, current, decay);
    return averaged;
  };
}

/**
 * PyTorch's `get_ema_multi_avg_fn(decay = 0.999)`: `a ← lerp(a, p, 1 − β)` ({@link emaLerpStep})
 * on every parameter, as a {@link MultiAvgFn}. This is the EMA PyTorch's documentation recommends
 * (`AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))`). Throws for a decay outside
 * [0, 1].
 *
 * @example
 * ```ts
 * const ema = new AveragedParams(params, { multiAvgFn: getEmaMultiAvgFn(0.999) });
 * ```
 */
export function getEmaMultiAvgFn(decay = 0.999): MultiAvgFn {
  checkDecay(decay);
  return (averaged, current) => {
    if (averaged.length !== current.length) {
      throw new RangeError(
        `getEmaMultiAvgFn: ${averaged.length} averages but ${current.length} current parameters`,
      );
    }
    for (let i = 0; i < averaged.length; i++) emaLerpStep(averaged[i], current[i], decay);
  };
}

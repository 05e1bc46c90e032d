/** A float typed array: the storage of a parameter, its gradient and its optimizer state. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Anything an optimizer can update: a tensor from any engine, or a plain object.
 *
 * `data` is updated in place by `step()`. `grad` is `null` (the parameter is skipped: no state
 * change, no step count) or an object whose `data` has the same length as the parameter's.
 */
export interface Param {
  readonly data: FloatArray;
  grad: { readonly data: FloatArray } | null;
}

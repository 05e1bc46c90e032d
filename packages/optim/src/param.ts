/** A float typed array: the storage of a parameter, its gradient and its optimizer state. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Anything an optimizer can update: a tensor from any engine, or a plain object.
 *
 * `data` is updated in place by `step()`. `grad` is `null` (the parameter is skipped: no state
 * change, no step count) or an object whose `data` has the same length as the parameter's.
 *
 * `shape` (optional) is the parameter's shape, row-major over `data` (`[rows, cols]` for a
 * matrix): the rules that treat a parameter as a matrix (Muon, Adafactor) read it and reject a
 * parameter without one; the element-wise rules ignore it. `@descent/tensor` tensors have it.
 */
export interface Param {
  readonly data: FloatArray;
  grad: { readonly data: FloatArray } | null;
  readonly shape?: readonly number[];
}

/**
 * The mark every `Tensor` carries (on its prototype), so that argument checks can recognise a
 * tensor without importing the class: `check.ts`, `shape.ts` and `nested.ts` stay out of the
 * `tensor.ts` import cycle. Module-local, so a tensor from another copy of this package is not
 * taken for one of ours (its internals may differ), exactly as `instanceof` would decide.
 */
export const TENSOR_BRAND: unique symbol = Symbol("@descent/tensor.Tensor");

/** Element type of a tensor. `float32` is the default, as in PyTorch. */
export type DType = "float32" | "float64";

/** The storage of a tensor: a contiguous row-major typed array. */
export type FloatArray = Float32Array | Float64Array;

/** A new zero-filled array of `n` elements of `dtype`. */
export function allocate(dtype: DType, n: number): FloatArray {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}

/** The dtype of a storage array. */
export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? "float64" : "float32";
}

/**
 * Type promotion of a binary op, as in PyTorch: `float32 ∘ float64 → float64`.
 * Plain numbers never promote (`x.mul(2)` keeps `x.dtype`).
 */
export function promote(a: DType, b: DType): DType {
  return a === "float64" || b === "float64" ? "float64" : "float32";
}

/** `a` itself when it already has `dtype`, else a converted copy. */
export function castArray(a: FloatArray, dtype: DType): FloatArray {
  if (dtypeOf(a) === dtype) return a;
  return dtype === "float64" ? Float64Array.from(a) : Float32Array.from(a);
}

/** Validates a user-supplied dtype option. */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === "float32" || dtype === "float64") return dtype;
  throw new TypeError(`${op}: unsupported dtype ${JSON.stringify(dtype)} (expected "float32" or "float64")`);
}

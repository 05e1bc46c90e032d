import { allocationError, describeAllocation, fmtBytes, isAllocationFailure } from "./memory.js";

/** Element type of a tensor. `float32` is the default, as in PyTorch. */
export type DType = "float32" | "float64";

/** The storage of a tensor: a contiguous row-major typed array. */
export type FloatArray = Float32Array | Float64Array;

/**
 * A new zero-filled array of `n` elements of `dtype`. When the engine cannot allocate it, a
 * RangeError `out of memory: cannot allocate n dtype elements (size)` (callers add the op and shape).
 */
export function allocate(dtype: DType, n: number): FloatArray {
  try {
    return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  } catch (e) {
    if (!isAllocationFailure(e)) throw e;
    const bytes = fmtBytes(n * (dtype === "float64" ? 8 : 4));
    throw allocationError(`out of memory: cannot allocate ${n} ${dtype} elements (${bytes})`, e);
  }
}

/**
 * The zero-filled storage of a `dtype` tensor of `shape` for `op`; when the engine cannot allocate
 * it, `op: out of memory: cannot allocate a float64 tensor of shape […] (n elements, size)`.
 */
export function allocateShape(op: string, dtype: DType, shape: readonly number[]): FloatArray {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  try {
    return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  } catch (e) {
    if (!isAllocationFailure(e)) throw e;
    throw allocationError(`${op}: out of memory: cannot allocate ${describeAllocation(dtype, shape, n)}`, e);
  }
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

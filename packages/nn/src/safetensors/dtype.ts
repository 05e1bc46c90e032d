/**
 * The safetensors dtypes: names, element sizes and the order the reference writer sorts by.
 *
 * The reference implementation (huggingface/safetensors, `safetensors/src/tensor.rs`) declares
 * `enum Dtype` "in increasing alignment order" and its writer sorts tensors by that enum
 * *descending*, then by name. `DTYPE_RANK` reproduces the enum's declaration order.
 */

/** The dtypes this package reads and writes. */
export type SafetensorsDtype =
  | "BOOL"
  | "U8"
  | "I8"
  | "I16"
  | "U16"
  | "F16"
  | "BF16"
  | "I32"
  | "U32"
  | "F32"
  | "F64"
  | "I64"
  | "U64";

/** Every dtype this package reads and writes, in the reference enum's order. */
export const SUPPORTED_DTYPES: readonly SafetensorsDtype[] = [
  "BOOL",
  "U8",
  "I8",
  "I16",
  "U16",
  "F16",
  "BF16",
  "I32",
  "U32",
  "F32",
  "F64",
  "I64",
  "U64",
];

/**
 * Dtypes the format defines that this package recognises but does not decode (sub-byte and
 * 8-bit floats, complex). A file using one is rejected with an error that says so.
 */
export const UNSUPPORTED_KNOWN_DTYPES: readonly string[] = [
  "F4",
  "F6_E2M3",
  "F6_E3M2",
  "F8_E5M2",
  "F8_E4M3",
  "F8_E8M0",
  "F8_E4M3FNUZ",
  "F8_E5M2FNUZ",
  "C64",
];

/** Position in the reference `enum Dtype` (BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_*, I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64). */
export const DTYPE_RANK: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 0,
  U8: 4,
  I8: 5,
  I16: 11,
  U16: 12,
  F16: 13,
  BF16: 14,
  I32: 15,
  U32: 16,
  F32: 17,
  F64: 19,
  I64: 20,
  U64: 21,
};

/** Bytes per element. */
export const DTYPE_SIZE: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** The array a decoded tensor's elements come back in, per dtype (F16 and BF16 widen to Float32). */
export interface DtypeArray {
  BOOL: Uint8Array;
  U8: Uint8Array;
  I8: Int8Array;
  I16: Int16Array;
  U16: Uint16Array;
  F16: Float32Array;
  BF16: Float32Array;
  I32: Int32Array;
  U32: Uint32Array;
  F32: Float32Array;
  F64: Float64Array;
  I64: BigInt64Array;
  U64: BigUint64Array;
}

/** Any array `decodeSafetensors` returns. */
export type SafetensorsArray = DtypeArray[SafetensorsDtype];

export function isSupportedDtype(name: string): name is SafetensorsDtype {
  return Object.hasOwn(DTYPE_SIZE, name);
}

/**
 * The safetensors writer, byte-compatible with the reference implementation
 * (huggingface/safetensors `serialize`):
 *
 *   [u64 little-endian N] [N bytes: UTF-8 JSON header, space-padded to a multiple of 8] [data]
 *
 * The header is compact JSON (no whitespace) with `"__metadata__"` first (when given), then one
 * entry per tensor `{"dtype":…,"shape":[…],"data_offsets":[begin,end]}`. Tensors are laid out in
 * the reference order: by dtype descending (U64, I64, F64, F32, U32, I32, BF16, F16, U16, I16, I8,
 * U8, BOOL), then by name (code-point order). Offsets are relative to the start of the data.
 * Metadata keys are written in code-point order (the reference uses a hash map, so any order is
 * valid; sorting keeps our output deterministic).
 */
import { DTYPE_RANK, DTYPE_SIZE, isSupportedDtype, type SafetensorsDtype } from "./dtype.js";
import { SafetensorsError } from "./error.js";
import { numberToBf16Bits, numberToF16Bits } from "./half.js";
import { compareCodePoints, isWellFormed } from "./strings.js";

/** One tensor to write: `data` holds `shape`'s product elements in row-major (C) order. */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: ArrayLike<number> | ArrayLike<bigint>;
}

/** The header length the reference reader accepts at most (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

interface Planned {
  name: string;
  tensor: SafetensorsTensor;
  nbytes: number;
}

/**
 * Serialise named tensors (and optional string metadata) to safetensors bytes.
 *
 * @example
 * const bytes = encodeSafetensors(
 *   { "0.weight": { dtype: "F32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } },
 *   { format: "pt" },
 * );
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, SafetensorsTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  if (tensors === null || typeof tensors !== "object") {
    throw new SafetensorsError("encodeSafetensors expects an object mapping names to tensors");
  }
  const planned: Planned[] = [];
  for (const name of Object.keys(tensors)) {
    planned.push({ name, tensor: tensors[name], nbytes: checkTensor(name, tensors[name]) });
  }
  planned.sort(
    (a, b) => DTYPE_RANK[b.tensor.dtype] - DTYPE_RANK[a.tensor.dtype] || compareCodePoints(a.name, b.name),
  );

  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${metadataJson(metadata)}`);
  let offset = 0;
  for (const p of planned) {
    const { dtype, shape } = p.tensor;
    parts.push(
      `${JSON.stringify(p.name)}:{"dtype":"${dtype}","shape":[${shape.join(",")}],"data_offsets":[${offset},${offset + p.nbytes}]}`,
    );
    offset += p.nbytes;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new SafetensorsError(`header of ${headerLength} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }

  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true); // high 32 bits stay 0: headerLength < 2^32
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const p of planned) {
    writeData(view, at, p.name, p.tensor);
    at += p.nbytes;
  }
  return out;
}

function metadataJson(metadata: Readonly<Record<string, string>>): string {
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new SafetensorsError("metadata must be an object mapping strings to strings");
  }
  const keys = Object.keys(metadata).sort(compareCodePoints);
  const entries = keys.map((k) => {
    const v = metadata[k];
    if (typeof v !== "string") {
      throw new SafetensorsError(
        `metadata value for key ${JSON.stringify(k)} must be a string, got ${typeof v}`,
      );
    }
    if (!isWellFormed(k) || !isWellFormed(v)) {
      throw new SafetensorsError(`metadata entry ${JSON.stringify(k)} contains a lone UTF-16 surrogate`);
    }
    return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
  });
  return `{${entries.join(",")}}`;
}

/** Validate one tensor; returns its byte length. */
function checkTensor(name: string, t: SafetensorsTensor): number {
  if (name === "__metadata__")
    throw new SafetensorsError('"__metadata__" is reserved and cannot name a tensor');
  if (!isWellFormed(name)) throw new SafetensorsError("name contains a lone UTF-16 surrogate", name);
  if (t === null || typeof t !== "object")
    throw new SafetensorsError("expected { dtype, shape, data }", name);
  if (typeof t.dtype !== "string" || !isSupportedDtype(t.dtype)) {
    throw new SafetensorsError(`unsupported dtype ${JSON.stringify(t.dtype)}`, name);
  }
  if (!Array.isArray(t.shape)) throw new SafetensorsError("shape must be an array of integers", name);
  let count = 1;
  for (const d of t.shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new SafetensorsError(`shape [${t.shape.join(", ")}] has an invalid dimension ${d}`, name);
    }
    count *= d;
  }
  if (!Number.isSafeInteger(count))
    throw new SafetensorsError(`shape [${t.shape.join(", ")}] is too large`, name);
  if (t.data === null || typeof t.data !== "object" || typeof t.data.length !== "number") {
    throw new SafetensorsError("data must be an array or typed array", name);
  }
  if (t.data.length !== count) {
    throw new SafetensorsError(
      `data has ${t.data.length} elements but shape [${t.shape.join(", ")}] needs ${count}`,
      name,
    );
  }
  return count * DTYPE_SIZE[t.dtype];
}

const INT_RANGE: Record<string, readonly [number, number]> = {
  BOOL: [0, 1],
  U8: [0, 255],
  I8: [-128, 127],
  U16: [0, 65535],
  I16: [-32768, 32767],
  U32: [0, 4294967295],
  I32: [-2147483648, 2147483647],
};

const BIG_RANGE: Record<string, readonly [bigint, bigint]> = {
  I64: [-(2n ** 63n), 2n ** 63n - 1n],
  U64: [0n, 2n ** 64n - 1n],
};

function writeData(view: DataView, at: number, name: string, t: SafetensorsTensor): void {
  const n = t.data.length;
  const data = t.data as ArrayLike<number | bigint>;
  const badElement = (i: number, why: string) =>
    new SafetensorsError(`element ${i} (${String(data[i])}) ${why} for dtype ${t.dtype}`, name);
  const bad = (i: number, why: string): never => {
    throw badElement(i, why);
  };
  const num = (i: number): number => {
    const v = data[i];
    if (typeof v !== "number") bad(i, "is not a number");
    return v as number;
  };
  switch (t.dtype) {
    case "F64":
      for (let i = 0; i < n; i++) view.setFloat64(at + 8 * i, num(i), true);
      return;
    case "F32":
      for (let i = 0; i < n; i++) view.setFloat32(at + 4 * i, num(i), true);
      return;
    case "F16":
      for (let i = 0; i < n; i++) view.setUint16(at + 2 * i, numberToF16Bits(num(i)), true);
      return;
    case "BF16":
      for (let i = 0; i < n; i++) view.setUint16(at + 2 * i, numberToBf16Bits(num(i)), true);
      return;
    case "I64":
    case "U64": {
      const [lo, hi] = BIG_RANGE[t.dtype];
      for (let i = 0; i < n; i++) {
        const v = data[i];
        let b: bigint;
        if (typeof v === "bigint") b = v;
        else if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
        else throw badElement(i, "is not an integer");
        if (b < lo || b > hi) bad(i, "is out of range");
        if (t.dtype === "I64") view.setBigInt64(at + 8 * i, b, true);
        else view.setBigUint64(at + 8 * i, b, true);
      }
      return;
    }
    default: {
      const [lo, hi] = INT_RANGE[t.dtype];
      const size = DTYPE_SIZE[t.dtype];
      for (let i = 0; i < n; i++) {
        const v = num(i);
        if (!Number.isInteger(v)) bad(i, "is not an integer");
        if (v < lo || v > hi) bad(i, "is out of range");
        if (size === 1) view.setUint8(at + i, v & 0xff);
        else if (size === 2) view.setUint16(at + 2 * i, v & 0xffff, true);
        else view.setUint32(at + 4 * i, v >>> 0, true);
      }
    }
  }
}

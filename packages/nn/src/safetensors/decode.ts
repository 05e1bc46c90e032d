/**
 * The safetensors reader. Its input is untrusted: every check the reference reader
 * (huggingface/safetensors `SafeTensors::read_metadata` + `Metadata::validate`) makes is made
 * here, plus a few it leaves to serde (duplicate keys, unexpected keys), and each failure is a
 * `SafetensorsError` that names the tensor and the problem. Nothing is allocated before the
 * header has been validated against the actual byte length, so a hostile file cannot ask for a
 * huge allocation; the parser is linear and depth-capped, so it cannot hang or overflow the stack.
 *
 * Checks, in order:
 * 1. at least 8 bytes; u64 LE header length N ≤ 100 000 000 (the reference cap) and 8 + N ≤ size;
 * 2. the N header bytes are valid UTF-8 (BOM not stripped) holding one JSON object, no duplicate keys;
 * 3. `"__metadata__"`, when present, maps strings to strings (or is null);
 * 4. every other entry is exactly `{ dtype, shape, data_offsets }`: a known dtype, non-negative
 *    integer dims, two non-negative integer offsets with begin ≤ end ≤ data size, and
 *    end − begin = ∏shape × element size;
 * 5. sorted by offset, the tensors tile the data exactly: the first starts at 0, each starts where
 *    the previous ended (no gap, no overlap) and the last ends at the end of the file;
 * 6. BOOL bytes are 0 or 1 (the only values a `torch.bool` holds).
 */
import {
  DTYPE_SIZE,
  type DtypeArray,
  isSupportedDtype,
  type SafetensorsDtype,
  SUPPORTED_DTYPES,
  UNSUPPORTED_KNOWN_DTYPES,
} from "./dtype.js";
import { MAX_HEADER_BYTES } from "./encode.js";
import { SafetensorsError } from "./error.js";
import { bf16BitsToNumber, f16BitsToNumber } from "./half.js";
import { JsonNumber, type JsonObject, type JsonValue, parseJson } from "./json.js";

/** A tensor read from safetensors bytes: a fresh array (never a view of the input). */
export type DecodedTensor = {
  [D in SafetensorsDtype]: { dtype: D; shape: number[]; data: DtypeArray[D] };
}[SafetensorsDtype];

export interface DecodedSafetensors {
  /** Tensors by name, in file (offset) order. A null-prototype object: any name is safe as a key. */
  tensors: Record<string, DecodedTensor>;
  /** The `"__metadata__"` map, or undefined when the file has none. */
  metadata: Record<string, string> | undefined;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

const TENSOR_KEYS = ["dtype", "shape", "data_offsets"];

/** Parse and validate safetensors bytes. Throws `SafetensorsError` on any malformed input. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (!(bytes instanceof Uint8Array)) throw new SafetensorsError("decodeSafetensors expects a Uint8Array");
  const size = bytes.length;
  if (size < 8) throw new SafetensorsError(`file is ${size} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_BYTES) {
    const n = BigInt(hi) * 2n ** 32n + BigInt(lo);
    throw new SafetensorsError(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const n = lo;
  if (8 + n > size) {
    throw new SafetensorsError(
      `header length ${n} runs past the end of the file (${size - 8} bytes follow it)`,
    );
  }

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError("header is not valid UTF-8");
  }
  const header = parseJson(text);
  if (!(header instanceof Map)) throw new SafetensorsError("header is not a JSON object");

  const dataSize = size - 8 - n;
  const entries: Entry[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, value] of header) {
    if (name === "__metadata__") metadata = readMetadata(value);
    else entries.push(readEntry(name, value, dataSize));
  }

  // Tile check, as the reference does it: sort by (begin, end), then demand contiguity.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < expected) {
      throw new SafetensorsError(
        `data_offsets [${e.begin}, ${e.end}] overlap tensor "${previous!.name}" [${previous!.begin}, ${previous!.end}]`,
        e.name,
      );
    }
    if (e.begin > expected) {
      throw new SafetensorsError(
        `data_offsets [${e.begin}, ${e.end}] leave bytes ${expected}..${e.begin} of the data unused`,
        e.name,
      );
    }
    expected = e.end;
    previous = e;
  }
  if (expected !== dataSize) {
    throw new SafetensorsError(
      `the tensors cover ${expected} bytes of data but the file has ${dataSize} bytes after the header`,
    );
  }

  const tensors = Object.create(null) as Record<string, DecodedTensor>;
  const dataStart = bytes.byteOffset + 8 + n;
  for (const e of sorted) {
    const data = readData(bytes.buffer, dataStart + e.begin, e.end - e.begin, e.dtype);
    if (e.dtype === "BOOL") {
      const bad = data.findIndex((v) => v !== 0 && v !== 1);
      if (bad >= 0) throw new SafetensorsError(`BOOL element ${bad} is ${data[bad]}, not 0 or 1`, e.name);
    }
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data } as DecodedTensor;
  }
  return { tensors, metadata };
}

function readMetadata(value: JsonValue): Record<string, string> | undefined {
  if (value === null) return undefined; // serde reads `null` as "no metadata"
  if (!(value instanceof Map)) throw new SafetensorsError('"__metadata__" must be an object of strings');
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of value) {
    if (typeof v !== "string") {
      throw new SafetensorsError(`"__metadata__" value for key ${JSON.stringify(k)} is not a string`);
    }
    out[k] = v;
  }
  return out;
}

function readEntry(name: string, value: JsonValue, dataSize: number): Entry {
  if (!(value instanceof Map)) throw new SafetensorsError("entry is not an object", name);
  const info = value as JsonObject;
  for (const k of info.keys()) {
    if (!TENSOR_KEYS.includes(k)) throw new SafetensorsError(`unexpected key ${JSON.stringify(k)}`, name);
  }
  for (const k of TENSOR_KEYS) {
    if (!info.has(k)) throw new SafetensorsError(`missing "${k}"`, name);
  }

  const dtype = info.get("dtype");
  if (typeof dtype !== "string") throw new SafetensorsError('"dtype" is not a string', name);
  if (!isSupportedDtype(dtype)) {
    if (UNSUPPORTED_KNOWN_DTYPES.includes(dtype)) {
      throw new SafetensorsError(
        `dtype ${dtype} is not supported by this reader (supported: ${SUPPORTED_DTYPES.join(", ")})`,
        name,
      );
    }
    throw new SafetensorsError(`unknown dtype ${JSON.stringify(dtype)}`, name);
  }

  const shapeValue = info.get("shape");
  if (!Array.isArray(shapeValue)) throw new SafetensorsError('"shape" is not an array', name);
  const shape = shapeValue.map((d) => integer(d, name, '"shape" entry'));
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER) {
      throw new SafetensorsError(`shape [${shape.join(", ")}] overflows the element count`, name);
    }
  }

  const offsets = info.get("data_offsets");
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw new SafetensorsError('"data_offsets" is not an array of two integers', name);
  }
  const begin = integer(offsets[0], name, '"data_offsets" entry');
  const end = integer(offsets[1], name, '"data_offsets" entry');
  if (end < begin) throw new SafetensorsError(`data_offsets [${begin}, ${end}] end before they begin`, name);
  if (end > dataSize) {
    throw new SafetensorsError(
      `data_offsets [${begin}, ${end}] run past the ${dataSize} bytes of data in the file`,
      name,
    );
  }
  const nbytes = count * DTYPE_SIZE[dtype];
  if (end - begin !== nbytes) {
    throw new SafetensorsError(
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape [${shape.join(", ")}] of ${dtype} needs ${nbytes}`,
      name,
    );
  }
  return { name, dtype, shape, begin, end };
}

function integer(v: JsonValue, name: string, what: string): number {
  if (!(v instanceof JsonNumber) || !/^(0|[1-9][0-9]*)$/.test(v.text)) {
    throw new SafetensorsError(`${what} ${describe(v)} is not a non-negative integer`, name);
  }
  const x = Number(v.text);
  if (!Number.isSafeInteger(x)) throw new SafetensorsError(`${what} ${v.text} is too large`, name);
  return x;
}

function describe(v: JsonValue): string {
  if (v instanceof JsonNumber) return v.text;
  if (v instanceof Map) return "(an object)";
  if (Array.isArray(v)) return "(an array)";
  return JSON.stringify(v);
}

/** Copy `nbytes` little-endian bytes at `offset` into a fresh array of the dtype's element type. */
function readData(buffer: ArrayBufferLike, offset: number, nbytes: number, dtype: SafetensorsDtype) {
  const view = new DataView(buffer, offset, nbytes);
  const n = nbytes / DTYPE_SIZE[dtype];
  switch (dtype) {
    case "BOOL":
    case "U8":
      return new Uint8Array(buffer.slice(offset, offset + nbytes));
    case "I8":
      return new Int8Array(buffer.slice(offset, offset + nbytes));
    case "I16":
      return fill(new Int16Array(n), (i) => view.getInt16(2 * i, true));
    case "U16":
      return fill(new Uint16Array(n), (i) => view.getUint16(2 * i, true));
    case "F16":
      return fill(new Float32Array(n), (i) => f16BitsToNumber(view.getUint16(2 * i, true)));
    case "BF16":
      return fill(new Float32Array(n), (i) => bf16BitsToNumber(view.getUint16(2 * i, true)));
    case "I32":
      return fill(new Int32Array(n), (i) => view.getInt32(4 * i, true));
    case "U32":
      return fill(new Uint32Array(n), (i) => view.getUint32(4 * i, true));
    case "F32":
      return fill(new Float32Array(n), (i) => view.getFloat32(4 * i, true));
    case "F64":
      return fill(new Float64Array(n), (i) => view.getFloat64(8 * i, true));
    case "I64": {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getBigInt64(8 * i, true);
      return out;
    }
    case "U64": {
      const out = new BigUint64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getBigUint64(8 * i, true);
      return out;
    }
  }
}

function fill<A extends { length: number; [i: number]: number }>(out: A, get: (i: number) => number): A {
  for (let i = 0; i < out.length; i++) out[i] = get(i);
  return out;
}

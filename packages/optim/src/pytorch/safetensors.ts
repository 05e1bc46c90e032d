/**
 * A minimal safetensors codec for optimizer state: float32 and float64 tensors only, the format
 * rules of the reference implementation (huggingface/safetensors):
 *
 *   [u64 little-endian N] [N bytes: UTF-8 JSON header, space-padded to a multiple of 8] [data]
 *
 * The header is compact JSON, `"__metadata__"` (string to string) first, then one entry per tensor
 * `{"dtype":"F64"|"F32","shape":[…],"data_offsets":[begin,end]}`, offsets relative to the start of
 * the data. Tensors are laid out in the reference order (F64 before F32, then by name in code-point
 * order) and tile the data exactly. Values are little-endian.
 */
import { show } from "../validate.js";

/** A tensor of the codec: its dtype, shape and row-major values. */
export interface StateTensor {
  dtype: "F32" | "F64";
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

/** The reference reader's cap on the header length (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;
const SIZE = { F32: 4, F64: 8 } as const;
const RANK = { F64: 1, F32: 0 } as const;
const KEYS = ["dtype", "shape", "data_offsets"];

const byCodePoint = (a: string, b: string): number => {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Writes named tensors (and string metadata) as safetensors bytes. */
export function encodeSafetensors(
  tensors: Readonly<Record<string, StateTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort(
    (a, b) => RANK[tensors[b].dtype] - RANK[tensors[a].dtype] || byCodePoint(a, b),
  );
  const parts: string[] = [];
  const meta = Object.keys(metadata).sort(byCodePoint);
  if (meta.length > 0) {
    parts.push(
      `"__metadata__":{${meta.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(",")}}`,
    );
  }
  let offset = 0;
  for (const name of names) {
    const { dtype, shape, data } = tensors[name];
    if (data.length !== count(shape)) {
      throw new RangeError(
        `safetensors: tensor "${name}" has ${data.length} values for shape [${shape.join(", ")}]`,
      );
    }
    const bytes = data.length * SIZE[dtype];
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${shape.join(",")}],"data_offsets":[${offset},${offset + bytes}]}`,
    );
    offset += bytes;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    const { dtype, data } = tensors[name];
    for (let i = 0; i < data.length; i++, at += SIZE[dtype]) {
      if (dtype === "F64") view.setFloat64(at, data[i], true);
      else view.setFloat32(at, data[i], true);
    }
  }
  return out;
}

/** Reads safetensors bytes, checking the format; errors name `file` and the tensor. */
export function decodeSafetensors(
  bytes: Uint8Array,
  file = "safetensors",
): { tensors: Record<string, StateTensor>; metadata: Record<string, string> } {
  const fail = (message: string): never => {
    throw new TypeError(`${file}: ${message}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes (a Uint8Array), got ${show(bytes)}`);
  if (bytes.length < 8) fail(`${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  if (view.getUint32(4, true) !== 0 || n > MAX_HEADER_BYTES) fail("header length exceeds the 100 MB limit");
  if (8 + n > bytes.length)
    fail(`header length ${n} runs past the end of the file (${bytes.length - 8} bytes follow it)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    fail("the header is not UTF-8 JSON");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    fail("the header is not a JSON object");
  const dataSize = bytes.length - 8 - n;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: "F32" | "F64"; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (value === null) continue;
      if (typeof value !== "object" || Array.isArray(value))
        fail('"__metadata__" is not an object of strings');
      for (const [k, v] of Object.entries(value as object)) {
        if (typeof v !== "string") fail(`"__metadata__" value for ${JSON.stringify(k)} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      fail(`${where} is not an object`);
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    for (const k of Object.keys(info))
      if (!KEYS.includes(k)) fail(`${where} has an unexpected key ${JSON.stringify(k)}`);
    if (info.dtype !== "F32" && info.dtype !== "F64") {
      fail(`${where} has dtype ${show(info.dtype)}; optimizer state must be F32 or F64`);
    }
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where} has shape ${show(shape)}, not a list of non-negative integers`);
    }
    const offsets = info.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1] ||
      offsets[1] > dataSize
    ) {
      fail(
        `${where} has data_offsets ${show(offsets)}, not [begin, end] within the ${dataSize} bytes of data`,
      );
    }
    const [begin, end] = offsets as number[];
    const dtype = info.dtype as "F32" | "F64";
    if (end - begin !== count(shape as number[]) * SIZE[dtype]) {
      fail(
        `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} [${(shape as number[]).join(", ")}] needs ${count(shape as number[]) * SIZE[dtype]}`,
      );
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected)
      fail(
        `tensor "${e.name}" starts at byte ${e.begin} of the data, expected ${expected} (tensors must tile the data)`,
      );
    expected = e.end;
  }
  if (expected !== dataSize)
    fail(`the tensors cover ${expected} bytes of data, but the file has ${dataSize}`);
  const tensors: Record<string, StateTensor> = Object.create(null);
  for (const e of entries) {
    const size = SIZE[e.dtype];
    const length = (e.end - e.begin) / size;
    const data = e.dtype === "F64" ? new Float64Array(length) : new Float32Array(length);
    const at = 8 + n + e.begin;
    for (let i = 0; i < length; i++) {
      data[i] =
        e.dtype === "F64" ? view.getFloat64(at + i * size, true) : view.getFloat32(at + i * size, true);
    }
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data };
  }
  return { tensors, metadata };
}

/**
 * Byte-for-byte agreement with the reference implementation on a file covering every supported
 * dtype. The expected bytes were produced by the Python package `safetensors` 0.8.0:
 *
 *   import numpy as np; from safetensors.numpy import save
 *   t = {"weight": np.arange(6, dtype=np.float32).reshape(2, 3) * np.float32(0.1),
 *        "bias": np.array([1.5, -2.25, 3e-8], np.float32), "step": np.array(7, np.int64),
 *        "mask": np.array([True, False, True, True]), "half": np.array([1.0, 0.1, -65504.0], np.float16),
 *        "u8": np.array([0, 255, 7], np.uint8), "i8": np.array([-128, 127], np.int8),
 *        "i16": np.array([-32768, 5], np.int16), "u16": np.array([65535], np.uint16),
 *        "i32": np.array([-2**31, 2**31-1], np.int32), "u32": np.array([2**32-1], np.uint32),
 *        "u64": np.array([2**64-1, 3], np.uint64), "f64": np.array([[np.pi], [-1e-300]]),
 *        "empty": np.zeros((3, 0), np.float32), "layers.0.wéighté": np.array([2.0])}
 *   save(t, metadata={"format": "pt"})
 *
 * (It also reads back every file this package writes; see the package README.)
 */
import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "./safetensors.js";

const HEADER =
  '{"__metadata__":{"format":"pt"},"u64":{"dtype":"U64","shape":[2],"data_offsets":[0,16]},' +
  '"step":{"dtype":"I64","shape":[],"data_offsets":[16,24]},"f64":{"dtype":"F64","shape":[2,1],"data_offsets":[24,40]},' +
  '"layers.0.wéighté":{"dtype":"F64","shape":[1],"data_offsets":[40,48]},"bias":{"dtype":"F32","shape":[3],"data_offsets":[48,60]},' +
  '"empty":{"dtype":"F32","shape":[3,0],"data_offsets":[60,60]},"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[60,84]},' +
  '"u32":{"dtype":"U32","shape":[1],"data_offsets":[84,88]},"i32":{"dtype":"I32","shape":[2],"data_offsets":[88,96]},' +
  '"half":{"dtype":"F16","shape":[3],"data_offsets":[96,102]},"u16":{"dtype":"U16","shape":[1],"data_offsets":[102,104]},' +
  '"i16":{"dtype":"I16","shape":[2],"data_offsets":[104,108]},"i8":{"dtype":"I8","shape":[2],"data_offsets":[108,110]},' +
  '"u8":{"dtype":"U8","shape":[3],"data_offsets":[110,113]},"mask":{"dtype":"BOOL","shape":[4],"data_offsets":[113,117]}}     ';
const HEADER_LENGTH = 928;
const DATA_HEX =
  "ffffffffffffffff03000000000000000700000000000000182d4454fb21094059f3f8c21f6ea58100000000000000400000c03f000010c0" +
  "59d9003300000000cdcccc3dcdcc4c3e9a99993ecdcccc3e0000003fffffffff00000080ffffff7f003c662efffbffff00800500807f00ff0701000101";

function referenceFile(): Uint8Array {
  const header = new TextEncoder().encode(HEADER);
  const data = Uint8Array.from(DATA_HEX.match(/../g)!, (h) => Number.parseInt(h, 16));
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setUint32(0, HEADER_LENGTH, true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

const f32 = (x: number) => Math.fround(x);

const TENSORS: Record<string, SafetensorsTensor> = {
  weight: { dtype: "F32", shape: [2, 3], data: [0, 1, 2, 3, 4, 5].map((k) => f32(k * f32(0.1))) },
  bias: { dtype: "F32", shape: [3], data: [1.5, -2.25, 3e-8] },
  step: { dtype: "I64", shape: [], data: [7n] },
  mask: { dtype: "BOOL", shape: [4], data: [1, 0, 1, 1] },
  half: { dtype: "F16", shape: [3], data: [1, 0.1, -65504] },
  u8: { dtype: "U8", shape: [3], data: [0, 255, 7] },
  i8: { dtype: "I8", shape: [2], data: [-128, 127] },
  i16: { dtype: "I16", shape: [2], data: [-32768, 5] },
  u16: { dtype: "U16", shape: [1], data: [65535] },
  i32: { dtype: "I32", shape: [2], data: [-(2 ** 31), 2 ** 31 - 1] },
  u32: { dtype: "U32", shape: [1], data: [2 ** 32 - 1] },
  u64: { dtype: "U64", shape: [2], data: [2n ** 64n - 1n, 3n] },
  f64: { dtype: "F64", shape: [2, 1], data: [Math.PI, -1e-300] },
  empty: { dtype: "F32", shape: [3, 0], data: [] },
  "layers.0.wéighté": { dtype: "F64", shape: [1], data: [2] },
};

describe("agreement with the reference implementation (safetensors 0.8.0)", () => {
  it("encodes the same tensors to the same bytes", () => {
    const ours = encodeSafetensors(TENSORS, { format: "pt" });
    const ref = referenceFile();
    expect(new TextEncoder().encode(HEADER).length).toBe(HEADER_LENGTH);
    expect(ours.length).toBe(ref.length);
    expect([...ours]).toEqual([...ref]);
  });

  it("decodes the reference file to the same values", () => {
    const { tensors, metadata } = decodeSafetensors(referenceFile());
    expect(metadata).toEqual({ format: "pt" });
    expect(Object.keys(tensors)).toEqual(
      HEADER.match(/"([^"]+)":\{"dtype"/g)!.map((s) => s.slice(1, s.indexOf('"', 1))),
    );
    expect(tensors.half.data).toEqual(new Float32Array([1, 0.0999755859375, -65504]));
    expect(tensors.step).toEqual({ dtype: "I64", shape: [], data: new BigInt64Array([7n]) });
    expect(tensors.u64.data).toEqual(new BigUint64Array([2n ** 64n - 1n, 3n]));
    expect(tensors.weight.data).toEqual(new Float32Array(TENSORS.weight.data as number[]));
    expect(tensors.f64.data).toEqual(new Float64Array([Math.PI, -1e-300]));
    expect(tensors.i32.data).toEqual(new Int32Array([-(2 ** 31), 2 ** 31 - 1]));
    expect([...tensors.mask.data]).toEqual([1, 0, 1, 1]);
    expect(tensors.empty).toEqual({ dtype: "F32", shape: [3, 0], data: new Float32Array(0) });
  });
});

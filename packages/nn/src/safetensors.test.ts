import { describe, expect, it } from "vitest";
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  type SafetensorsTensor,
} from "./safetensors.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Build a file from a raw header string and data bytes (no validation: for malformed inputs). */
function rawFile(header: string, data: number[] | Uint8Array = [], headerLength?: number): Uint8Array {
  const h = utf8(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, headerLength ?? h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function f32Bytes(values: number[]): number[] {
  return [...new Uint8Array(new Float32Array(values).buffer)];
}

describe("encodeSafetensors: byte-exact with the reference writer", () => {
  // Expected bytes are published in huggingface/safetensors, safetensors/src/tensor.rs,
  // tests `test_serialization`, `test_serialization_forced_alignement` and `test_empty`.
  const data6 = new Float32Array([0, 1, 2, 3, 4, 5]);

  it("test_serialization: one F32 [1, 2, 3] tensor named attn.0", () => {
    const out = encodeSafetensors({ "attn.0": { dtype: "F32", shape: [1, 2, 3], data: data6 } });
    expect([...out]).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101,
      34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34,
      100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0,
      0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it("test_serialization_forced_alignement: the header is space-padded to a multiple of 8", () => {
    const out = encodeSafetensors({ attn0: { dtype: "F32", shape: [1, 1, 2, 3], data: data6 } });
    expect([...out]).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34,
      58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44,
      34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125,
      32, 32, 32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ]);
  });

  it("test_empty: no tensors, with and without metadata", () => {
    expect([...encodeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...encodeSafetensors({}, { framework: "pt" })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34,
      102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });
});

describe("encodeSafetensors: header layout, hand-computed", () => {
  it("metadata first, tensors by dtype descending then name, offsets relative to the data", () => {
    const out = encodeSafetensors(
      {
        a: { dtype: "F32", shape: [2], data: [1, 2] },
        b: { dtype: "F64", shape: [], data: [1.5] },
      },
      { format: "pt" },
    );
    // F64 sorts before F32, so "b" is laid out first even though "a" < "b".
    const json =
      '{"__metadata__":{"format":"pt"},' +
      '"b":{"dtype":"F64","shape":[],"data_offsets":[0,8]},' +
      '"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}';
    // Counted by hand: 1 + 14 + 1 + 15 + 1 + 3 + 1 + 47 + 1 + 3 + 1 + 49 + 1 = 138 bytes, padded to 144.
    expect(json.length).toBe(138);
    expect(out.length).toBe(8 + 144 + 16);
    expect([...out.subarray(0, 8)]).toEqual([144, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(out.subarray(8, 8 + 138))).toBe(json);
    expect([...out.subarray(8 + 138, 8 + 144)]).toEqual([32, 32, 32, 32, 32, 32]);
    // 1.5 = 0x3FF8000000000000 (f64), 1 = 0x3F800000 and 2 = 0x40000000 (f32), all little-endian.
    expect([...out.subarray(152)]).toEqual([0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
  });

  it("sorts every dtype in the reference order and names by code point", () => {
    const dtypes = [
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
    const tensors: Record<string, SafetensorsTensor> = {};
    for (const d of dtypes)
      tensors[`t_${d}`] = { dtype: d as SafetensorsTensor["dtype"], shape: [1], data: [1] };
    // U+FF5E (BMP) sorts before U+1F600 (astral) by code point, though not by UTF-16 code unit.
    tensors["\u{1F600}"] = { dtype: "F32", shape: [0], data: [] };
    tensors["\uFF5E"] = { dtype: "F32", shape: [0], data: [] };
    const out = encodeSafetensors(tensors);
    const n = new DataView(out.buffer).getUint32(0, true);
    const names = [...new TextDecoder().decode(out.subarray(8, 8 + n)).matchAll(/"([^"]+)":\{"dtype"/gu)].map(
      (m) => m[1],
    );
    expect(names).toEqual([
      "t_U64",
      "t_I64",
      "t_F64",
      "t_F32",
      "\uFF5E",
      "\u{1F600}",
      "t_U32",
      "t_I32",
      "t_BF16",
      "t_F16",
      "t_U16",
      "t_I16",
      "t_I8",
      "t_U8",
      "t_BOOL",
    ]);
    expect(Object.keys(decodeSafetensors(out).tensors)).toEqual(names); // file order
  });

  it("escapes names exactly as serde_json does", () => {
    const out = encodeSafetensors({ 'a"b\\c\n\u0001é': { dtype: "U8", shape: [0], data: [] } });
    const n = new DataView(out.buffer).getUint32(0, true);
    expect(new TextDecoder().decode(out.subarray(8, 8 + n)).trimEnd()).toBe(
      '{"a\\"b\\\\c\\n\\u0001é":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}',
    );
  });
});

describe("round trip", () => {
  it("F32 and F64 values, metadata, empty tensors and scalars", () => {
    const w = new Float32Array([0.1, -2.5, 3e-8, 1e30, Number.POSITIVE_INFINITY, -0]);
    const v = new Float64Array([Math.PI, -1e-300, 5e-324, Number.NaN]);
    const bytes = encodeSafetensors(
      {
        "layers.0.weight": { dtype: "F32", shape: [2, 3], data: w },
        "layers.0.bias": { dtype: "F64", shape: [4], data: v },
        scalar: { dtype: "F64", shape: [], data: [42.25] },
        empty: { dtype: "F32", shape: [0], data: [] },
        empty2d: { dtype: "F64", shape: [3, 0], data: new Float64Array(0) },
      },
      { format: "pt", note: "ünïcödé ✓" },
    );
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: "pt", note: "ünïcödé ✓" });
    expect(tensors["layers.0.weight"]).toEqual({ dtype: "F32", shape: [2, 3], data: w });
    expect(tensors["layers.0.weight"].data).toBeInstanceOf(Float32Array);
    expect(tensors["layers.0.bias"].data).toBeInstanceOf(Float64Array);
    expect([...tensors["layers.0.bias"].data]).toEqual([...v]); // toEqual treats NaN as equal to NaN
    expect(Object.is(tensors["layers.0.weight"].data[5], -0)).toBe(true);
    expect(tensors.scalar).toEqual({ dtype: "F64", shape: [], data: new Float64Array([42.25]) });
    expect(tensors.empty).toEqual({ dtype: "F32", shape: [0], data: new Float32Array(0) });
    expect(tensors.empty2d).toEqual({ dtype: "F64", shape: [3, 0], data: new Float64Array(0) });
  });

  it("F32 data given as float64 numbers is rounded to float32", () => {
    const { tensors } = decodeSafetensors(
      encodeSafetensors({ x: { dtype: "F32", shape: [1], data: [0.1] } }),
    );
    expect(tensors.x.data[0]).toBe(Math.fround(0.1));
  });

  it("no metadata decodes as undefined; empty metadata as {}", () => {
    expect(decodeSafetensors(encodeSafetensors({})).metadata).toBeUndefined();
    expect(decodeSafetensors(encodeSafetensors({}, {})).metadata).toEqual({});
  });

  it("integer, bool and 16-bit float dtypes", () => {
    const bytes = encodeSafetensors({
      b: { dtype: "BOOL", shape: [3], data: [1, 0, 1] },
      u8: { dtype: "U8", shape: [2], data: [0, 255] },
      i8: { dtype: "I8", shape: [2], data: [-128, 127] },
      i16: { dtype: "I16", shape: [2], data: [-32768, 32767] },
      u16: { dtype: "U16", shape: [1], data: [65535] },
      i32: { dtype: "I32", shape: [2], data: new Int32Array([-2147483648, 2147483647]) },
      u32: { dtype: "U32", shape: [1], data: [4294967295] },
      i64: { dtype: "I64", shape: [3], data: [-(2n ** 63n), 2n ** 63n - 1n, -5n] },
      u64: { dtype: "U64", shape: [2], data: new BigUint64Array([2n ** 64n - 1n, 7n]) },
      f16: { dtype: "F16", shape: [3], data: [1, 0.1, 65504] },
      bf16: { dtype: "BF16", shape: [2], data: [Math.PI, -2] },
    });
    const { tensors: t } = decodeSafetensors(bytes);
    expect([...t.b.data]).toEqual([1, 0, 1]);
    expect(t.i8.data).toEqual(new Int8Array([-128, 127]));
    expect(t.i16.data).toEqual(new Int16Array([-32768, 32767]));
    expect(t.u16.data).toEqual(new Uint16Array([65535]));
    expect(t.i32.data).toEqual(new Int32Array([-2147483648, 2147483647]));
    expect(t.u32.data).toEqual(new Uint32Array([4294967295]));
    expect(t.i64.data).toEqual(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, -5n]));
    expect(t.u64.data).toEqual(new BigUint64Array([2n ** 64n - 1n, 7n]));
    expect(t.f16.data).toEqual(new Float32Array([1, 0.0999755859375, 65504]));
    expect(t.bf16.data).toEqual(new Float32Array([3.140625, -2]));
  });

  it("decodes from a Uint8Array view at an odd offset into a larger buffer", () => {
    const bytes = encodeSafetensors({ x: { dtype: "F64", shape: [2], data: [1.25, -7] } });
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 1);
    expect(decodeSafetensors(big.subarray(1, 1 + bytes.length)).tensors.x.data).toEqual(
      new Float64Array([1.25, -7]),
    );
  });

  it("a tensor named __proto__ is an ordinary entry", () => {
    const { tensors } = decodeSafetensors(
      encodeSafetensors({ ["__proto__"]: { dtype: "U8", shape: [1], data: [9] } }),
    );
    expect(Object.keys(tensors)).toEqual(["__proto__"]);
    const [name] = Object.keys(tensors);
    expect([...tensors[name].data]).toEqual([9]);
    expect(Object.getPrototypeOf(tensors)).toBe(null);
  });
});

describe("encodeSafetensors rejects bad input", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "wrong element count",
      { w: { dtype: "F32", shape: [2, 2], data: [1, 2, 3] } },
      /"w".*3 elements.*needs 4/,
    ],
    ["bad dim", { w: { dtype: "F32", shape: [-1], data: [] } }, /"w".*invalid dimension -1/],
    ["unknown dtype", { w: { dtype: "F8_E4M3", shape: [0], data: [] } }, /"w".*unsupported dtype "F8_E4M3"/],
    [
      "int out of range",
      { w: { dtype: "U8", shape: [1], data: [256] } },
      /"w".*element 0 \(256\) is out of range/,
    ],
    ["non-integer", { w: { dtype: "I32", shape: [1], data: [1.5] } }, /"w".*not an integer/],
    ["bool not 0/1", { w: { dtype: "BOOL", shape: [1], data: [2] } }, /out of range for dtype BOOL/],
    ["reserved name", { __metadata__: { dtype: "U8", shape: [0], data: [] } }, /reserved/],
    ["lone surrogate", { "\uD800": { dtype: "U8", shape: [0], data: [] } }, /lone UTF-16 surrogate/],
  ];
  it.each(cases)("%s", (_, tensors, message) => {
    expect(() => encodeSafetensors(tensors as Record<string, SafetensorsTensor>)).toThrow(SafetensorsError);
    expect(() => encodeSafetensors(tensors as Record<string, SafetensorsTensor>)).toThrow(message);
  });

  it("metadata values must be strings", () => {
    expect(() => encodeSafetensors({}, { epoch: 3 as unknown as string })).toThrow(
      /"epoch" must be a string/,
    );
  });
});

describe("decodeSafetensors rejects malformed files with a named error", () => {
  const good = (name = "w") => `{"${name}":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`;
  const d8 = f32Bytes([1, 2]);
  const cases: [string, Uint8Array, RegExp, string?][] = [
    ["shorter than 8 bytes", new Uint8Array(5), /5 bytes, too short/],
    ["header length over the 100 MB cap", rawFile("{}", [], 100_000_001), /header length 100000001 exceeds/],
    ["header length past the end", rawFile("{}", [], 3), /header length 3 runs past the end/],
    [
      "invalid UTF-8",
      (() => {
        const f = rawFile('{"\u00e9":1}');
        f[10] = 0xff;
        return f;
      })(),
      /not valid UTF-8/,
    ],
    ["not JSON", rawFile("{nope}"), /not valid JSON: expected a string key/],
    ["trailing garbage", rawFile("{}x"), /unexpected data after/],
    ["byte-order mark", rawFile("\uFEFF{}"), /not valid JSON/],
    ["not an object", rawFile("[1,2]"), /not a JSON object/],
    ["deep nesting", rawFile(`{"a":${"[".repeat(100_000)}`), /nesting deeper than 32/],
    [
      "duplicate tensor",
      rawFile(
        `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`,
        d8,
      ),
      /duplicate key "w"/,
    ],
    [
      "unknown dtype",
      rawFile(`{"w":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}}`, d8),
      /unknown dtype "F128"/,
      "w",
    ],
    [
      "unsupported dtype",
      rawFile(`{"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}`, d8),
      /F8_E4M3 is not supported/,
      "w",
    ],
    [
      "unexpected key",
      rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`, d8),
      /unexpected key "x"/,
      "w",
    ],
    ["missing key", rawFile(`{"w":{"dtype":"F32","shape":[2]}}`, d8), /missing "data_offsets"/, "w"],
    [
      "negative dim",
      rawFile(`{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, d8),
      /"shape" entry -2 is not a non-negative integer/,
      "w",
    ],
    [
      "fractional dim",
      rawFile(`{"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}`, d8),
      /2\.0 is not a non-negative integer/,
      "w",
    ],
    [
      "huge dim",
      rawFile(`{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}}`, d8),
      /too large/,
      "w",
    ],
    [
      "overflowing shape",
      rawFile(`{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, d8),
      /overflows/,
      "w",
    ],
    [
      "three offsets",
      rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}`, d8),
      /array of two integers/,
      "w",
    ],
    [
      "end before begin",
      rawFile(`{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, d8),
      /end before they begin/,
      "w",
    ],
    [
      "offsets past the data",
      rawFile(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, d8),
      /run past the 8 bytes of data/,
      "w",
    ],
    [
      "shape × size ≠ bytes",
      rawFile(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, d8),
      /hold 8 bytes but shape \[3\] of F32 needs 12/,
      "w",
    ],
    [
      "overlap",
      rawFile(
        `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`,
        d8,
      ),
      /overlap tensor "a"/,
      "b",
    ],
    [
      "gap",
      rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, d8),
      /leave bytes 0\.\.4 of the data unused/,
      "a",
    ],
    ["trailing data", rawFile(good(), [...d8, 0, 0]), /cover 8 bytes of data but the file has 10/],
    [
      "BOOL byte 2",
      rawFile(`{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}`, [1, 2]),
      /BOOL element 1 is 2, not 0 or 1/,
      "m",
    ],
    [
      "metadata not strings",
      rawFile(`{"__metadata__":{"epoch":3}}`),
      /value for key "epoch" is not a string/,
    ],
    ["lone surrogate escape", rawFile(`{"\\ud800":1}`), /lone surrogate/],
    ["control character", rawFile(`{"a\u0001":1}`), /control character/],
  ];
  it.each(cases)("%s", (_, bytes, message, tensor) => {
    let err: unknown;
    try {
      decodeSafetensors(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as Error).message).toMatch(message);
    expect((err as SafetensorsError).tensor).toBe(tensor);
  });

  it("accepts what the reference accepts: padding, leading whitespace, null metadata, any key order", () => {
    const f = rawFile(
      ` \n{"b":{"data_offsets":[4,8],"shape":[],"dtype":"F32"},"__metadata__":null,"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}   `,
      f32Bytes([1, 2]),
    );
    const { tensors, metadata } = decodeSafetensors(f);
    expect(metadata).toBeUndefined();
    expect(Object.keys(tensors)).toEqual(["a", "b"]);
    expect(tensors.b).toEqual({ dtype: "F32", shape: [], data: new Float32Array([2]) });
  });

  it("rejects a 64-bit header length with high bits set", () => {
    const f = rawFile("{}");
    f[7] = 1;
    expect(() => decodeSafetensors(f)).toThrow(/header length 72057594037927938 exceeds/);
  });
});

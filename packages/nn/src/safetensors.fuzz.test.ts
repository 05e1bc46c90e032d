import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsTensor,
} from "./safetensors.js";

const SEED = 20261128;
const RUNS = 400;

const FLOAT_DTYPES: SafetensorsDtype[] = ["F64", "F32", "F16", "BF16"];
const INT_RANGES: Record<string, [number, number]> = {
  BOOL: [0, 1],
  U8: [0, 255],
  I8: [-128, 127],
  I16: [-32768, 32767],
  U16: [0, 65535],
  I32: [-2147483648, 2147483647],
  U32: [0, 4294967295],
};

/** A random tensor of any supported dtype, with values exactly representable in that dtype. */
const tensorArb: fc.Arbitrary<SafetensorsTensor> = fc
  .tuple(
    fc.constantFrom<SafetensorsDtype>(
      ...FLOAT_DTYPES,
      ...(Object.keys(INT_RANGES) as SafetensorsDtype[]),
      "I64",
      "U64",
    ),
    fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  )
  .chain(([dtype, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    let value: fc.Arbitrary<number | bigint>;
    if (dtype === "I64") value = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    else if (dtype === "U64") value = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    else if (dtype === "F64") value = fc.double({ noNaN: true });
    else if (dtype === "F32") value = fc.float({ noNaN: true });
    // 16-bit floats: small integers and binary fractions are exact in both F16 and BF16.
    else if (dtype === "F16" || dtype === "BF16") value = fc.integer({ min: -64, max: 64 }).map((k) => k / 4);
    else value = fc.integer({ min: INT_RANGES[dtype][0], max: INT_RANGES[dtype][1] });
    return fc
      .array(value, { minLength: n, maxLength: n })
      .map((data) => ({ dtype, shape, data }) as SafetensorsTensor);
  });

const nameArb = fc.oneof(
  fc.constantFrom(
    "weight",
    "bias",
    "0.weight",
    "layers.1.bias",
    "__proto__",
    "constructor",
    "é",
    "\u{1F600}",
  ),
  fc.string({ unit: "grapheme", maxLength: 6 }),
);

const fileArb = fc.tuple(
  fc.dictionary(
    nameArb.filter((s) => s !== "__metadata__"),
    tensorArb,
    { maxKeys: 5 },
  ),
  fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), {
    nil: undefined,
  }),
);

/** Decoding must either succeed or throw SafetensorsError: never another error, never a hang. */
function decodeOrSafetensorsError(bytes: Uint8Array): "accepted" | "rejected" {
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(bytes);
  } catch (e) {
    if (!(e instanceof SafetensorsError)) throw e;
    return "rejected";
  }
  // Whatever was accepted is a consistent file: re-encoding and decoding gives the same tensors.
  let elements = 0;
  for (const t of Object.values(decoded.tensors)) elements += t.data.length;
  expect(elements).toBeLessThanOrEqual(bytes.length);
  const again = decodeSafetensors(encodeSafetensors(decoded.tensors, decoded.metadata));
  expect(sortedEntries(again.tensors)).toEqual(sortedEntries(decoded.tensors));
  return "accepted";
}

function sortedEntries<T>(r: Record<string, T>): [string, T][] {
  return Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe("safetensors fuzz", () => {
  it("round-trips random files of every dtype", () => {
    fc.assert(
      fc.property(fileArb, ([tensors, metadata]) => {
        const { tensors: out, metadata: meta } = decodeSafetensors(encodeSafetensors(tensors, metadata));
        expect(meta).toEqual(metadata);
        expect(Object.keys(out).sort()).toEqual(Object.keys(tensors).sort());
        for (const [name, t] of Object.entries(tensors)) {
          expect(out[name].dtype).toBe(t.dtype);
          expect(out[name].shape).toEqual(t.shape);
          const expected =
            t.dtype === "F32"
              ? Array.from(t.data as number[], Math.fround)
              : Array.from(t.data as ArrayLike<number | bigint>);
          expect(Array.from(out[name].data as ArrayLike<number | bigint>)).toEqual(expected);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  const mutation = fc.oneof(
    // overwrite a few bytes anywhere (biased to the header, where parsing happens)
    fc.record({
      kind: fc.constant("overwrite" as const),
      edits: fc.array(fc.tuple(fc.nat({ max: 400 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
    // overwrite bytes counted from the end, i.e. mostly tensor data: usually still a valid file
    fc.record({
      kind: fc.constant("tail" as const),
      edits: fc.array(fc.tuple(fc.nat({ max: 64 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant("insert" as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    fc.record({ kind: fc.constant("length" as const), n: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    fc.record({
      kind: fc.constant("json" as const),
      at: fc.nat(),
      text: fc.constantFrom(
        "0",
        "1",
        "99999999999",
        "-1",
        "1e3",
        "null",
        "[]",
        "{}",
        '"F32"',
        '"x":1',
        ",",
        "]",
      ),
    }),
  );

  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

  /** Apply one mutation; a mutation that does not fit a (by now tiny) file leaves it unchanged. */
  function mutate(file: Uint8Array, m: Mutation): Uint8Array {
    const out = file.slice();
    switch (m.kind) {
      case "overwrite":
        for (const [at, v] of m.edits) if (out.length > 0) out[at % out.length] = v;
        return out;
      case "tail":
        for (const [back, v] of m.edits) if (back < out.length) out[out.length - 1 - back] = v;
        return out;
      case "truncate":
        return out.subarray(0, m.at % (out.length + 1));
      case "insert": {
        const at = m.at % (out.length + 1);
        const r = new Uint8Array(out.length + m.bytes.length);
        r.set(out.subarray(0, at));
        r.set(m.bytes, at);
        r.set(out.subarray(at), at + m.bytes.length);
        return r;
      }
      case "length":
        if (out.length < 8) return out;
        new DataView(out.buffer).setBigUint64(0, m.n, true);
        return out;
      case "json": {
        // Splice text into the JSON header and fix up the length prefix so the parser sees it.
        if (out.length < 8) return out;
        const n = new DataView(out.buffer).getUint32(0, true);
        if (n > out.length - 8) return out;
        const header = new TextDecoder().decode(out.subarray(8, 8 + n));
        const at = m.at % (header.length + 1);
        const replaced = header.slice(0, at) + m.text + header.slice(at + m.text.length);
        const h = new TextEncoder().encode(replaced);
        const r = new Uint8Array(8 + h.length + out.length - 8 - n);
        new DataView(r.buffer).setUint32(0, h.length, true);
        r.set(h, 8);
        r.set(out.subarray(8 + n), 8 + h.length);
        return r;
      }
    }
  }

  it("mutated or truncated files decode or throw SafetensorsError, nothing else", () => {
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(fileArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), ([tensors, metadata], ms) => {
        let bytes = encodeSafetensors(tensors, metadata);
        for (const m of ms) bytes = mutate(bytes, m);
        outcomes[decodeOrSafetensorsError(bytes)]++;
      }),
      { seed: SEED, numRuns: 2000 },
    );
    // Both paths must be exercised, or the property proves little.
    expect(outcomes.accepted).toBeGreaterThan(30); // 54 with this seed
    expect(outcomes.rejected).toBeGreaterThan(500);
  });

  it("random bytes decode or throw SafetensorsError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodeOrSafetensorsError(bytes);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("random JSON headers over random data decode or throw SafetensorsError", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.uint8Array({ maxLength: 64 }), (json, data) => {
        const h = new TextEncoder().encode(json);
        const bytes = new Uint8Array(8 + h.length + data.length);
        new DataView(bytes.buffer).setUint32(0, h.length, true);
        bytes.set(h, 8);
        bytes.set(data, 8 + h.length);
        decodeOrSafetensorsError(bytes);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("a hostile header length or shape does not allocate: 100 MB claimed, 16 bytes present", () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setUint32(0, 100_000_000, true);
    expect(() => decodeSafetensors(bytes)).toThrow(/runs past the end/);
    const huge = `{"w":{"dtype":"F64","shape":[1000000000,1000],"data_offsets":[0,8000000000000]}}`;
    const h = new TextEncoder().encode(huge);
    const f = new Uint8Array(8 + h.length);
    new DataView(f.buffer).setUint32(0, h.length, true);
    f.set(h, 8);
    expect(() => decodeSafetensors(f)).toThrow(/run past the 0 bytes of data/);
  });
});

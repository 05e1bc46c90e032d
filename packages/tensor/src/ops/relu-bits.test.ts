import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { reluF32, reluGradF32 } from "./relu-bits.js";

// The bit-mask kernels must give exactly the bits of the comparisons they replace.
const reluByComparison = (v: number): number => (v > 0 ? v : Number.isNaN(v) ? v : 0);
const reluGradByComparison = (g: number, y: number): number => (y <= 0 ? 0 : g);

/** float32 values from their bits: every class (zeros, subnormals, normals, infinities, NaNs of both signs). */
function fromBits(words: number[]): Float32Array {
  return new Float32Array(Int32Array.from(words).buffer);
}

const SPECIAL = fromBits([
  0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x80800000, 0x3f800000,
  0xbf800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001,
]);

function sameBits(a: Float32Array, b: Float32Array): void {
  expect(Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length))).toEqual(
    Array.from(new Uint32Array(b.buffer, b.byteOffset, b.length)),
  );
}

describe("ReLU on float32 bit patterns", () => {
  test("relu: every special value, including NaNs of both signs (payload kept) and −0 → +0", () => {
    const out = new Float32Array(SPECIAL.length);
    reluF32(SPECIAL, out, SPECIAL.length);
    const want = new Float32Array(SPECIAL.length);
    for (let i = 0; i < SPECIAL.length; i++) want[i] = reluByComparison(SPECIAL[i]);
    // The comparison returns NaN inputs unchanged too; only compare NaN-ness where V8 may canonicalize.
    for (let i = 0; i < SPECIAL.length; i++) {
      if (Number.isNaN(SPECIAL[i]))
        expect(new Uint32Array(out.buffer)[i]).toBe(new Uint32Array(SPECIAL.buffer)[i]);
      else expect(Object.is(out[i], want[i]), `relu(${SPECIAL[i]})`).toBe(true);
    }
    expect(Object.is(out[1], 0)).toBe(true); // relu(−0) is +0
  });

  test("relu′: every pair of special values for (y, g)", () => {
    const n = SPECIAL.length ** 2;
    const y = new Float32Array(n);
    const g = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = SPECIAL[Math.floor(i / SPECIAL.length)];
      g[i] = SPECIAL[i % SPECIAL.length];
    }
    const out = new Float32Array(n);
    reluGradF32(g, y, out, n);
    for (let i = 0; i < n; i++) {
      const want = reluGradByComparison(g[i], y[i]);
      if (Number.isNaN(want)) expect(Number.isNaN(out[i]), `g=${g[i]} y=${y[i]}`).toBe(true);
      else expect(Object.is(out[i], want), `g=${g[i]} y=${y[i]}: ${out[i]} vs ${want}`).toBe(true);
    }
  });

  test("random arrays, subarrays at offsets, and n shorter than the arrays (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.nat(5),
        (values, offset) => {
          const base = new Float32Array(values.length + offset + 3).fill(7);
          base.set(values, offset);
          const x = base.subarray(offset, offset + values.length);
          const n = values.length;
          const out = new Float32Array(n + 2).fill(9);
          reluF32(x, out, n);
          const want = new Float32Array(n + 2).fill(9);
          for (let i = 0; i < n; i++) want[i] = reluByComparison(x[i]);
          sameBits(out, want);
          const g = x.map((v) => v * 3 + 1);
          reluGradF32(g, x, out, n);
          for (let i = 0; i < n; i++) want[i] = reluGradByComparison(g[i], x[i]);
          sameBits(out, want);
        },
      ),
      { numRuns: 200 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { multiplyTransposed, transposeInto } from "./matrix.js";

function random(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 4;
  });
}

/** The plain triple loop: each entry summed in increasing k, one rounding per product and sum. */
function naive(a: Float64Array, b: Float64Array, p: number, q: number, k: number): Float64Array {
  const out = new Float64Array(p * q);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < q; j++) {
      let c = 0;
      for (let t = 0; t < k; t++) c += a[i * k + t] * b[j * k + t];
      out[i * q + j] = c;
    }
  }
  return out;
}

function expectSameBits(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  const i = actual.findIndex((x, k) => !Object.is(x, expected[k]));
  expect(i, `entry ${i}: ${actual[i]} vs ${expected[i]}`).toBe(-1);
}

// Sizes around the 4-row blocks, the 4-column micro-tiles and the 64-row tiles of B.
const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [3, 1, 5],
  [4, 4, 4],
  [5, 9, 2],
  [7, 63, 11],
  [8, 64, 16],
  [9, 65, 17],
  [13, 130, 1],
  [66, 70, 33],
];

describe("multiplyTransposed", () => {
  it.each(SIZES)("A (%i×k) · Bᵀ (%i×k), k = %i: the plain triple loop's bits", (p, q, k) => {
    const a = random(p * k, p + 17 * k);
    const b = random(q * k, q + 31 * k);
    const out = new Float64Array(p * q).fill(Number.NaN);
    multiplyTransposed(a, b, p, q, k, out);
    expectSameBits(out, naive(a, b, p, q, k));
  });

  it.each(SIZES)("symmetric A·Aᵀ (%i×k, k = %i): the full product's bits, from half the work", (p, _q, k) => {
    const a = random(p * k, 5 * p + k);
    const out = new Float64Array(p * p).fill(Number.NaN);
    multiplyTransposed(a, a, p, p, k, out, true);
    expectSameBits(out, naive(a, a, p, p, k));
  });

  it("k = 0 gives zeros; a product of NaN or ∞ propagates as in the plain loop", () => {
    const out = new Float64Array(6).fill(7);
    multiplyTransposed(new Float64Array(0), new Float64Array(0), 2, 3, 0, out);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0]);
    const a = Float64Array.from([
      1,
      Number.NaN,
      2,
      3,
      Number.POSITIVE_INFINITY,
      0,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
    ]);
    const b = random(4 * 4, 3);
    const got = new Float64Array(16);
    multiplyTransposed(a, b, 4, 4, 4, got);
    expectSameBits(got, naive(a, b, 4, 4, 4));
  });

  it("checks that the arrays are long enough", () => {
    expect(() =>
      multiplyTransposed(new Float64Array(5), new Float64Array(6), 2, 2, 3, new Float64Array(4)),
    ).toThrow("multiplyTransposed: arrays too short for 2×3 · (2×3)ᵀ (have 5, 6, 4)");
  });
});

describe("transposeInto", () => {
  it("transposes row-major matrices, including rows and columns", () => {
    const out = new Float64Array(6);
    transposeInto([1, 2, 3, 4, 5, 6], 2, 3, out);
    expect([...out]).toEqual([1, 4, 2, 5, 3, 6]);
    transposeInto([1, 2, 3], 1, 3, out);
    expect([...out.subarray(0, 3)]).toEqual([1, 2, 3]);
  });
});

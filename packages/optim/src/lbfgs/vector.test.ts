// The flat-vector operations against the real ATen operations recorded in fixtures/lbfgs.json
// (PyTorch 1.13 on x86-64 with AVX2), bit for bit.
import { describe, expect, it } from "vitest";
import { loadFixture } from "./problems.testutil.js";
import { absMax, absSum, addScaled, dot } from "./vector.js";

const fixture = loadFixture();
const arrayOf = (dtype: "float64" | "float32", values: number[]) =>
  dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values);

describe("absSum", () => {
  it("is x.abs().sum() of ATen, bit for bit, for lengths 1 to 4099 in both dtypes", () => {
    expect(fixture.absSum.length).toBeGreaterThanOrEqual(36);
    for (const { dtype, x, absSum: expected } of fixture.absSum) {
      expect(absSum(arrayOf(dtype, x)), `${dtype}, ${x.length} elements`).toBe(expected);
    }
  });

  it("is x.abs().sum() of ATen for 70001 and 300007 elements (every level of the cascade)", () => {
    expect(fixture.absSumLong.length).toBe(4);
    for (const { dtype, n, absSum: expected } of fixture.absSumLong) {
      const x = arrayOf(
        dtype,
        Array.from({ length: n }, (_, i) => (((7919 * i) % 1000) - 500) / 37),
      );
      expect(absSum(x), `${dtype}, ${n} elements`).toBe(expected);
    }
  });

  it("is not the plain left-to-right sum (the fixture can tell the orders apart)", () => {
    let differs = 0;
    for (const { dtype, x, absSum: expected } of fixture.absSum) {
      const r = dtype === "float32" ? Math.fround : (v: number) => v;
      let s = 0;
      for (const v of x) s = r(s + Math.abs(v));
      if (s !== expected) differs++;
    }
    expect(differs).toBeGreaterThan(10);
  });
});

describe("addScaled", () => {
  it("is x.add_(y, alpha) of ATen (a fused multiply-add), bit for bit", () => {
    for (const { dtype, alpha, x, y, result } of fixture.fusedAdd) {
      const out = arrayOf(dtype, x);
      addScaled(out, arrayOf(dtype, y), alpha);
      expect(Array.from(out), `${dtype}, ${x.length} elements`).toEqual(result);
    }
  });

  it("reads y from an offset", () => {
    const x = new Float64Array([1, 2]);
    addScaled(x, new Float64Array([9, 9, 10, 20]), 0.5, 2);
    expect(Array.from(x)).toEqual([6, 12]);
  });
});

describe("dot", () => {
  it("sums left to right (reference BLAS)", () => {
    // 1e16 + 1 − 1e16 + 1: left to right, the first +1 is lost to rounding.
    expect(dot(new Float64Array([1e16, 1, -1e16, 1]), new Float64Array([1, 1, 1, 1]))).toBe(1);
  });

  it("rounds every product and every sum to float32 for float32 vectors", () => {
    const x = Float32Array.from([1 + 2 ** -12, 3]);
    // (1 + 2^-12)² = 1 + 2^-11 + 2^-24 rounds to 1 + 2^-11 in float32 (ties to even), then + 3.
    expect(dot(x, Float32Array.from([1 + 2 ** -12, 0]))).toBe(1 + 2 ** -11);
    expect(dot(x, Float32Array.from([1 + 2 ** -12, 1]))).toBe(Math.fround(4 + 2 ** -11));
  });
});

describe("absMax", () => {
  it("is max |x|, NaN if any element is NaN", () => {
    expect(absMax(new Float64Array([1, -3, 2]))).toBe(3);
    expect(absMax(new Float64Array([1, Number.NaN, 5]))).toBeNaN();
    expect(absMax(new Float64Array([Number.NEGATIVE_INFINITY, 1]))).toBe(Number.POSITIVE_INFINITY);
  });

  it("scales first, rounding to the dtype (x.mul(t).abs().max())", () => {
    expect(absMax(new Float64Array([1, -3]), 0.5)).toBe(1.5);
    // 3·0.1 in float32: fround(0.1) = 0.100000001490116..., times 3 rounded to float32.
    expect(absMax(Float32Array.from([1, -3]), 0.1)).toBe(Math.fround(3 * Math.fround(0.1)));
  });
});

import { describe, expect, test } from "vitest";
import { firstNonFinite } from "./non-finite.js";

describe("firstNonFinite", () => {
  test("finds the first NaN / ±Infinity at every position of arrays of every length up to 20", () => {
    for (const Arr of [Float32Array, Float64Array]) {
      for (let n = 1; n <= 20; n++) {
        for (let at = 0; at < n; at++) {
          for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
            const v = new Arr(n).map((_, i) => (i % 3) - 1.5);
            v[at] = bad;
            if (at + 2 < n) v[at + 2] = Number.NaN; // a later one must not be reported
            expect(firstNonFinite(v), `${Arr.name} n=${n} at=${at} ${bad}`).toBe(at);
          }
        }
      }
    }
  });

  test("−1 for finite arrays, extremes and signed zeros included", () => {
    expect(firstNonFinite(new Float32Array(0))).toBe(-1);
    expect(firstNonFinite(new Float32Array([3.4e38, -3.4e38, 1e-45, -0, 0, 0, 0, 0, 0, 7]))).toBe(-1);
    expect(
      firstNonFinite(new Float64Array([Number.MAX_VALUE, -Number.MAX_VALUE, -0, 5e-324, 1, 2, 3, 4, 5])),
    ).toBe(-1);
    expect(firstNonFinite(new Float64Array(1001).fill(-0))).toBe(-1);
  });
});

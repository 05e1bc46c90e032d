import { describe, expect, it } from "vitest";
import { erf, erfc } from "./erf.js";

/** Reference values: Abramowitz & Stegun table 7.1 / scipy.special.erf (float64, 16 digits). */
const REL = 1e-14;

function close(a: number, b: number, rel: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b));
}

describe("erf", () => {
  it("matches published values", () => {
    close(erf(0.5), 0.5204998778130465, REL);
    close(erf(1), 0.8427007929497149, REL);
    close(erf(2), 0.9953222650189527, REL);
    close(erf(-1), -0.8427007929497149, REL);
    close(erf(0.1), 0.1124629160182849, REL);
    close(erf(3), 0.9999779095030014, REL);
    expect(erf(0)).toBe(0);
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NaN)).toBeNaN();
  });
  it("is within 2 ulp of mpmath (50 digits) on a grid, incl. |x| in (2, 2.5) where gelu needs it", () => {
    // mpmath 1.3.0: erf at x = 0.05, 0.3, 0.7, 1.3, 2.2, 2.45, 3.7, 5.5 (rounded to float64).
    const REF: [number, number][] = [
      [0.05, 0.05637197779701662],
      [0.3, 0.32862675945912745],
      [0.7, 0.6778011938374184],
      [1.3, 0.9340079449406524],
      [2.2, 0.998137153702018],
      [2.45, 0.999469419887749],
      [3.7, 0.9999998328489421],
      [5.5, 0.9999999999999927],
    ];
    for (const [x, e] of REF) {
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(e))) - 52);
      expect(Math.abs(erf(x) - e)).toBeLessThanOrEqual(2 * ulp);
      expect(Math.abs(erf(-x) + e)).toBeLessThanOrEqual(2 * ulp);
    }
  });

  it("erfc keeps relative accuracy in the tail", () => {
    close(erfc(3), 2.209049699858544e-5, 1e-13);
    close(erfc(5), 1.537459794428035e-12, 1e-13);
    close(erfc(1), 0.1572992070502851, 1e-13);
  });
});

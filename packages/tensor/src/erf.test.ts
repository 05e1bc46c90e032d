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
  it("erfc keeps relative accuracy in the tail", () => {
    close(erfc(3), 2.209049699858544e-5, 1e-13);
    close(erfc(5), 1.537459794428035e-12, 1e-13);
    close(erfc(1), 0.1572992070502851, 1e-13);
  });
});

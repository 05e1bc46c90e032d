import { describe, expect, it } from "vitest";
import { normFromSquares, trustRatio } from "./trust-ratio.js";

describe("trustRatio (Optax's scale_by_trust_ratio factor)", () => {
  it("is η·‖θ‖/(‖u‖ + ε), and 1 where either norm is 0", () => {
    expect(trustRatio(5, 2, 1, 0, false)).toBe(2.5);
    expect(trustRatio(5, 2, 0.001, 0.5, false)).toBe((0.001 * 5) / 2.5);
    expect(trustRatio(0, 2, 0.001, 0.5, false)).toBe(1);
    expect(trustRatio(5, 0, 0.001, 0.5, false)).toBe(1); // even with ε > 0
    expect(trustRatio(0, 0, 1, 0, true)).toBe(1);
  });

  it("propagates a NaN norm (a NaN parameter or update)", () => {
    expect(trustRatio(Number.NaN, 2, 1, 0, false)).toBeNaN();
    expect(trustRatio(5, Number.NaN, 1, 0, true)).toBeNaN();
  });

  it("in float32 rounds the coefficients and every operation", () => {
    const f = Math.fround;
    const [pn, un] = [f(3.7), f(1.3)];
    expect(trustRatio(pn, un, 0.001, 1e-3, true)).toBe(f(f(f(0.001) * pn) / f(un + f(1e-3))));
    expect(trustRatio(pn, un, 0.001, 1e-3, true)).not.toBe((0.001 * pn) / (un + 1e-3));
  });
});

describe("normFromSquares", () => {
  it("is √Σx², rounded once to float32 for float32 parameters", () => {
    expect(normFromSquares(25, false)).toBe(5);
    expect(normFromSquares(2, false)).toBe(Math.SQRT2);
    expect(normFromSquares(2, true)).toBe(Math.fround(Math.SQRT2));
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clipGradNorm, clipGradValue } from "./clip.js";
import type { Param } from "./param.js";

/** float64 results: the same few operations as the reference, at most a few ulps apart. */
const F64_RTOL = 1e-14;
/** float32 gradients against a float64 reference: float32 rounding of the norm, coef and product. */
const F32_RTOL = 4e-7;

function p64(grad: number[] | null): Param {
  return {
    data: new Float64Array(grad ? grad.length : 3),
    grad: grad ? { data: Float64Array.from(grad) } : null,
  };
}

function p32(grad: number[]): Param {
  return { data: new Float32Array(grad.length), grad: { data: Float32Array.from(grad) } };
}

function gradOf(p: Param): number[] {
  return Array.from(p.grad?.data ?? []);
}

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe("clipGradNorm", () => {
  it("returns the 2-norm of all grads (13 for [3, 4] and [12]) and scales by maxNorm/(13 + 1e-6)", () => {
    const a = p64([3, 4]);
    const b = p64([12]);
    const total = clipGradNorm([a, b], 1);
    expect(total).toBe(13);
    const coef = 1 / (13 + 1e-6);
    [3, 4].forEach((g, i) => {
      expectRel(gradOf(a)[i], g * coef, F64_RTOL);
    });
    expectRel(gradOf(b)[0], 12 * coef, F64_RTOL);
    // the clipped total norm is maxNorm·13/(13 + 1e-6), just under 1
    expectRel(Math.hypot(...gradOf(a), ...gradOf(b)), 13 / (13 + 1e-6), F64_RTOL);
  });

  it("evaluates the coefficient as PyTorch does: (1/(total + 1e-6))·maxNorm", () => {
    // with these values the two orders differ in the last bit; PyTorch's is reciprocal-then-multiply
    const grads = [0.7, -1.3, 2.9];
    const p = p64(grads);
    const maxNorm = 0.3;
    const total = clipGradNorm([p], maxNorm);
    const reference = Math.sqrt(0.7 * 0.7 + 1.3 * 1.3 + 2.9 * 2.9);
    expect(total).toBe(reference);
    const coef = (1 / (reference + 1e-6)) * maxNorm;
    expect(gradOf(p)).toEqual(grads.map((g) => g * coef));
  });

  it("leaves grads bit-identical when the norm is under maxNorm", () => {
    const grads = [0.1, -0.2, 0.3];
    const p = p64(grads);
    const total = clipGradNorm([p], 10);
    expectRel(total, Math.sqrt(0.14), F64_RTOL);
    expect(gradOf(p)).toEqual(grads);
  });

  it("supports Infinity (max |g|), 1, 3 and 0.5 norms as the norm of per-parameter norms", () => {
    const cases: [number, (xs: number[]) => number][] = [
      [Number.POSITIVE_INFINITY, (xs) => Math.max(...xs.map(Math.abs))],
      [1, (xs) => xs.reduce((s, x) => s + Math.abs(x), 0)],
      [3, (xs) => xs.reduce((s, x) => s + Math.abs(x) ** 3, 0) ** (1 / 3)],
      [0.5, (xs) => xs.reduce((s, x) => s + Math.abs(x) ** 0.5, 0) ** 2],
    ];
    for (const [p, norm] of cases) {
      const ga = [1.5, -4, 0.25];
      const gb = [-2, 3];
      const a = p64(ga);
      const b = p64(gb);
      const total = clipGradNorm([a, b], 0.5, p);
      const reference = norm([norm(ga), norm(gb)]);
      expectRel(total, reference, F64_RTOL);
      const coef = Math.min(1, 0.5 / (reference + 1e-6));
      ga.forEach((g, i) => {
        expectRel(gradOf(a)[i], g * coef, F64_RTOL);
      });
      gb.forEach((g, i) => {
        expectRel(gradOf(b)[i], g * coef, F64_RTOL);
      });
    }
    expect(clipGradNorm([p64([3, -7, 5])], 100, Number.POSITIVE_INFINITY)).toBe(7);
  });

  it("ignores params whose grad is null; no grads give 0", () => {
    const a = p64([3, 4]);
    expect(clipGradNorm([p64(null), a, p64(null)], 100)).toBe(5);
    expect(clipGradNorm([], 1)).toBe(0);
    expect(clipGradNorm([p64(null)], 1)).toBe(0);
    expect(clipGradNorm(p64([6, 8]), 100)).toBe(10); // a single param
  });

  it("float32 grads: the norm and coefficient are rounded to float32, as PyTorch computes in float32", () => {
    const ga = [0.1, 0.2, -0.3];
    const gb = [1.7, -2.2];
    const a = p32(ga);
    const b = p32(gb);
    const total = clipGradNorm([a, b], 0.5);
    // float64 reference from the float32 inputs
    const xa = Array.from(Float32Array.from(ga));
    const xb = Array.from(Float32Array.from(gb));
    const reference = Math.hypot(Math.hypot(...xa), Math.hypot(...xb));
    expectRel(total, reference, F32_RTOL);
    expect(total).toBe(Math.fround(total));
    const coef = 0.5 / (reference + 1e-6);
    xa.forEach((g, i) => {
      expectRel(gradOf(a)[i], g * coef, F32_RTOL);
    });
    xb.forEach((g, i) => {
      expectRel(gradOf(b)[i], g * coef, F32_RTOL);
    });
    // and bit-for-bit what float32 arithmetic gives
    const f = Math.fround;
    const coef32 = f(f(1 / f(total + f(1e-6))) * f(0.5));
    xa.forEach((g, i) => {
      expect(gradOf(a)[i]).toBe(f(g * coef32));
    });
  });

  it("a non-finite norm spreads NaN unless errorIfNonfinite is set", () => {
    const a = p64([1, Number.NaN]);
    expect(clipGradNorm([a], 1)).toBeNaN();
    expect(gradOf(a).every(Number.isNaN)).toBe(true);
    const b = p64([1, Number.POSITIVE_INFINITY]);
    expect(() => clipGradNorm([b], 1, 2, { errorIfNonfinite: true })).toThrow(
      "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped",
    );
    expect(gradOf(b)).toEqual([1, Number.POSITIVE_INFINITY]);
    expect(clipGradNorm([b], 1)).toBe(Number.POSITIVE_INFINITY);
    expect(gradOf(b)[0]).toBe(0); // coef = 1·(1/∞) = 0
    expect(gradOf(b)[1]).toBeNaN(); // ∞·0
    expect(() =>
      clipGradNorm([p64([Number.NaN])], 1, Number.POSITIVE_INFINITY, { errorIfNonfinite: true }),
    ).toThrow("order inf");
  });

  it("rejects bad arguments with a message naming them", () => {
    expect(() => clipGradNorm([p64([1])], -1)).toThrow(
      "clipGradNorm: maxNorm must be a non-negative number, got -1",
    );
    expect(() => clipGradNorm([p64([1])], 1, Number.NaN)).toThrow("clipGradNorm: normType must be a number");
    const bad: Param = { data: new Float64Array(3), grad: { data: new Float64Array(2) } };
    expect(() => clipGradNorm([p64([1]), bad], 1)).toThrow(
      "clipGradNorm: the grad of parameter 1 has 2 elements but the parameter has 3",
    );
  });

  it("property: after clipping, the total 2-norm is min(norm, maxNorm·norm/(norm + 1e-6))", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(
            fc.integer({ min: -100_000, max: 100_000 }).map((i) => i / 1000),
            { minLength: 1, maxLength: 6 },
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        (grads, maxNorm) => {
          const params = grads.map(p64);
          const norm = Math.hypot(...grads.flat());
          const total = clipGradNorm(params, maxNorm);
          expect(Math.abs(total - norm)).toBeLessThanOrEqual(1e-13 * norm);
          const after = Math.hypot(...params.flatMap(gradOf));
          const expected = Math.min(norm, (maxNorm * norm) / (norm + 1e-6));
          expect(Math.abs(after - expected)).toBeLessThanOrEqual(1e-13 * expected);
        },
      ),
    );
  });
});

describe("clipGradValue", () => {
  it("clamps every element to [−c, c] in place and ignores null grads", () => {
    const a = p64([-3, -0.5, 0, 0.5, 3]);
    const b = p64(null);
    clipGradValue([a, b], 1);
    expect(gradOf(a)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(b.grad).toBeNull();
  });

  it("float32 grads are clamped to the float32 nearest c; NaN stays NaN", () => {
    const a = p32([0.2, -0.15, 0.05]);
    clipGradValue(a, 0.1);
    expect(gradOf(a)).toEqual([Math.fround(0.1), -Math.fround(0.1), Math.fround(0.05)]);
    const b = p64([Number.NaN, 5]);
    clipGradValue([b], 2);
    expect(gradOf(b)[0]).toBeNaN();
    expect(gradOf(b)[1]).toBe(2);
  });

  it("rejects a negative or NaN clipValue and mismatched grads", () => {
    expect(() => clipGradValue([p64([1])], -1)).toThrow(
      "clipGradValue: clipValue must be a non-negative number, got -1",
    );
    expect(() => clipGradValue([p64([1])], Number.NaN)).toThrow("clipValue");
    const bad: Param = { data: new Float32Array(1), grad: { data: new Float32Array(4) } };
    expect(() => clipGradValue([bad], 1)).toThrow(
      "the grad of parameter 0 has 4 elements but the parameter has 1",
    );
  });
});

import { tensor } from "@descent/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getSurface, inDomain, SURFACES } from "./surfaces.js";

/** Autograd vs hand-derived gradient: both float64, only rounding may differ. */
const GRAD_RTOL = 1e-12;
/** Central finite differences (step 1e-6) vs the hand-derived gradient: truncation error ~h². */
const FD_RTOL = 1e-6;

function close(a: number, b: number, rtol: number): boolean {
  return Math.abs(a - b) <= rtol * Math.max(1, Math.abs(b));
}

describe("surfaces", () => {
  for (const id of SURFACES) {
    const s = getSurface(id);
    const coord = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true });

    it(`${id}: the tensor form's value and autograd gradient equal the float64 value and hand-derived gradient`, () => {
      fc.assert(
        fc.property(coord(s.domain.xMin, s.domain.xMax), coord(s.domain.yMin, s.domain.yMax), (x0, y0) => {
          const x = tensor([x0], { dtype: "float64", requiresGrad: true });
          const y = tensor([y0], { dtype: "float64", requiresGrad: true });
          const f = s.tensor(x, y);
          f.sum().backward();
          const [gx, gy] = s.gradient(x0, y0);
          return (
            close(f.data[0], s.value(x0, y0), GRAD_RTOL) &&
            close(x.grad!.data[0], gx, GRAD_RTOL) &&
            close(y.grad!.data[0], gy, GRAD_RTOL)
          );
        }),
        { numRuns: 200, seed: 6 },
      );
    });

    it(`${id}: the hand-derived gradient matches central finite differences`, () => {
      const h = 1e-6;
      fc.assert(
        fc.property(coord(s.domain.xMin, s.domain.xMax), coord(s.domain.yMin, s.domain.yMax), (x, y) => {
          const [gx, gy] = s.gradient(x, y);
          const fx = (s.value(x + h, y) - s.value(x - h, y)) / (2 * h);
          const fy = (s.value(x, y + h) - s.value(x, y - h)) / (2 * h);
          const scale = Math.max(1, Math.abs(s.value(x, y)));
          return Math.abs(fx - gx) <= FD_RTOL * scale && Math.abs(fy - gy) <= FD_RTOL * scale;
        }),
        { numRuns: 200, seed: 7 },
      );
    });

    it(`${id}: the minima have zero gradient and the documented minimum value; the start is in the domain`, () => {
      for (const [x, y] of s.minima) {
        expect(s.value(x, y)).toBeCloseTo(s.minValue, 12);
        const [gx, gy] = s.gradient(x, y);
        expect(Math.abs(gx)).toBeLessThan(1e-12);
        expect(Math.abs(gy)).toBeLessThan(1e-12);
      }
      expect(inDomain(s.domain, s.defaultStart[0], s.defaultStart[1])).toBe(true);
    });
  }

  it("has the published values at known points", () => {
    // Rosenbrock at the classic start (−1.2, 1): (2.2)² + 100·(1 − 1.44)² = 4.84 + 19.36 = 24.2.
    expect(getSurface("rosenbrock").value(-1.2, 1)).toBeCloseTo(24.2, 12);
    // Beale at the origin: 1.5² + 2.25² + 2.625² = 14.203125.
    expect(getSurface("beale").value(0, 0)).toBe(14.203125);
    expect(getSurface("quadratic").gradient(1, 1)).toEqual([1, 50]);
    expect(getSurface("saddle").value(0, Math.SQRT2)).toBeCloseTo(-1, 14);
  });

  it("rejects an unknown surface by name", () => {
    expect(() => getSurface("himmelblau" as never)).toThrow(/unknown surface 'himmelblau'/);
  });
});

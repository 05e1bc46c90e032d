import { describe, expect, it } from "vitest";
import { getSurface } from "../surfaces/surfaces.js";
import { type Field, isoline, sampleField, View } from "./contour.js";

/**
 * Marching squares interpolates f linearly along a cell edge; on the cone f = r that misplaces the
 * level set r = 1 by at most max|f''|·h²/8 ≤ h²/(8·(1 − h)) (along an edge f'' ≤ 1/r, and the edges
 * it crosses stay within r ≥ 1 − h). Grid spacing h = 2·extent/(n − 1) = 0.05 below: 3.3e-4
 * (measured: 2.3e-4). A quarter-cell shift (0.0125) is far outside it.
 */
const H = 0.05;
const ISO_TOL = (H * H) / (8 * (1 - H));

function cone(n: number, extent: number): Field {
  const values = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const x = -extent + (2 * extent * i) / (n - 1);
      const y = extent - (2 * extent * j) / (n - 1);
      values[j * n + i] = Math.hypot(x, y);
    }
  }
  return { nx: n, ny: n, values, min: 0, max: extent * Math.SQRT2 };
}

describe("contours", () => {
  it("marching squares puts the level set of a cone on its circle", () => {
    const n = 81;
    const extent = 2;
    expect((2 * extent) / (n - 1)).toBe(H);
    const f = cone(n, extent);
    const segs = isoline(f, 1);
    expect(segs.length).toBeGreaterThan(100);
    const toXY = (gi: number, gj: number) => [
      -extent + (2 * extent * gi) / (n - 1),
      extent - (2 * extent * gj) / (n - 1),
    ];
    for (const [a, b, c, d] of segs) {
      for (const [x, y] of [toXY(a, b), toXY(c, d)])
        expect(Math.abs(Math.hypot(x, y) - 1)).toBeLessThan(ISO_TOL);
    }
  });

  it("draws nothing for a level outside the field's range", () => {
    const f = cone(11, 1);
    expect(isoline(f, -1)).toEqual([]);
    expect(isoline(f, 10)).toEqual([]);
  });

  it("samples ln(1 + f − f_min) with the minimum at the surface's minimum", () => {
    const s = getSurface("quadratic"); // domain [−4, 4]², minimum at the centre node of an odd grid
    const f = sampleField(s, 9, 9);
    expect(f.values[4 * 9 + 4]).toBe(0);
    expect(f.min).toBe(0);
    // Top-left node (−4, 4): f = (16 + 800)/2 = 408.
    expect(f.values[0]).toBeCloseTo(Math.log1p(408), 12);
    expect(f.max).toBeCloseTo(Math.log1p(408), 12);
  });

  it("maps surface points to canvas pixels and back (y up on the surface, down on the canvas)", () => {
    const v = new View(getSurface("rosenbrock").domain, 600, 600);
    expect(v.toPixel(-2, 3)).toEqual([0, 0]);
    expect(v.toPixel(2, -1)).toEqual([600, 600]);
    expect(v.toPixel(-1.5, 2)).toEqual([75, 150]);
    const [x, y] = v.toPoint(...v.toPixel(0.3, -0.7));
    expect(x).toBeCloseTo(0.3, 12);
    expect(y).toBeCloseTo(-0.7, 12);
  });
});

import type { Domain, Surface } from "../surfaces/surfaces.js";

/**
 * The contour map of a surface: f sampled on a grid, displayed on a log scale so that both the deep
 * valley and the steep walls show structure: s = ln(1 + f − f_min).
 */
export interface Field {
  /** Samples per row and per column. */
  readonly nx: number;
  readonly ny: number;
  /** s at (column i, row j), row-major, row 0 at the top (y = yMax); samples at the grid nodes. */
  readonly values: Float64Array;
  readonly min: number;
  readonly max: number;
}

/** Samples s = ln(1 + f − f_min) of `surface` on an nx × ny grid of nodes spanning the domain. */
export function sampleField(surface: Surface, nx: number, ny: number): Field {
  const d = surface.domain;
  const values = new Float64Array(nx * ny);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < ny; j++) {
    const y = d.yMax - (j * (d.yMax - d.yMin)) / (ny - 1);
    for (let i = 0; i < nx; i++) {
      const x = d.xMin + (i * (d.xMax - d.xMin)) / (nx - 1);
      const s = Math.log1p(Math.max(0, surface.value(x, y) - surface.minValue));
      values[j * nx + i] = s;
      if (s < min) min = s;
      if (s > max) max = s;
    }
  }
  return { nx, ny, values, min, max };
}

/** A line segment in grid coordinates (column, row; fractional). */
export type Segment = [number, number, number, number];

/**
 * Marching squares: the segments where the field crosses `level`, with linear interpolation along
 * cell edges. Saddle cells (both diagonals above) are resolved by the cell's centre value.
 */
export function isoline(field: Field, level: number): Segment[] {
  const { nx, ny, values: v } = field;
  const out: Segment[] = [];
  const t = (a: number, b: number) => (level - a) / (b - a);
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const a = v[j * nx + i]; // top-left
      const b = v[j * nx + i + 1]; // top-right
      const c = v[(j + 1) * nx + i + 1]; // bottom-right
      const d = v[(j + 1) * nx + i]; // bottom-left
      const code = (a > level ? 8 : 0) | (b > level ? 4 : 0) | (c > level ? 2 : 0) | (d > level ? 1 : 0);
      if (code === 0 || code === 15) continue;
      const top: [number, number] = [i + t(a, b), j];
      const right: [number, number] = [i + 1, j + t(b, c)];
      const bottom: [number, number] = [i + t(d, c), j + 1];
      const left: [number, number] = [i, j + t(a, d)];
      const seg = (p: [number, number], q: [number, number]) => out.push([p[0], p[1], q[0], q[1]]);
      switch (code) {
        case 1:
        case 14:
          seg(left, bottom);
          break;
        case 2:
        case 13:
          seg(bottom, right);
          break;
        case 3:
        case 12:
          seg(left, right);
          break;
        case 4:
        case 11:
          seg(top, right);
          break;
        case 6:
        case 9:
          seg(top, bottom);
          break;
        case 7:
        case 8:
          seg(left, top);
          break;
        case 5:
        case 10: {
          const centre = (a + b + c + d) / 4 > level;
          if ((code === 5) === centre) {
            seg(left, top);
            seg(bottom, right);
          } else {
            seg(left, bottom);
            seg(top, right);
          }
          break;
        }
      }
    }
  }
  return out;
}

/** Maps between the surface's (x, y) and canvas pixels (y up on the surface, down on the canvas). */
export class View {
  constructor(
    readonly domain: Domain,
    readonly width: number,
    readonly height: number,
  ) {}

  toPixel(x: number, y: number): [number, number] {
    const d = this.domain;
    return [
      ((x - d.xMin) / (d.xMax - d.xMin)) * this.width,
      ((d.yMax - y) / (d.yMax - d.yMin)) * this.height,
    ];
  }

  toPoint(px: number, py: number): [number, number] {
    const d = this.domain;
    return [d.xMin + (px / this.width) * (d.xMax - d.xMin), d.yMax - (py / this.height) * (d.yMax - d.yMin)];
  }
}

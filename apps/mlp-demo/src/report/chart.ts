/**
 * The geometry of a line chart, shared by the SVG, PNG and terminal renderers: data ranges, "nice"
 * ticks, and the maps from data to pixel coordinates.
 */

export interface Series {
  readonly label: string;
  /** `#rrggbb`. */
  readonly color: string;
  /** Dash pattern (px on, px off, ...); absent or empty: a solid line. */
  readonly dash?: readonly number[];
  /** (x, y) points in x order; non-finite y values break the line. */
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Logarithmic y axis (losses); non-positive values are dropped. */
  readonly logY?: boolean;
  /** Fixed y range (e.g. [0, 1] for accuracy); default: the data's range. */
  readonly yRange?: readonly [number, number];
}

export interface Tick {
  readonly value: number;
  readonly label: string;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly xTicks: readonly Tick[];
  readonly yTicks: readonly Tick[];
  x(v: number): number;
  y(v: number): number;
}

/** Margins around the plot area, in pixels. */
export const MARGIN = { left: 62, right: 16, top: 30, bottom: 44 } as const;

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}

/** Ticks for a log axis: powers of ten, plus 2× and 5× when the range spans at most three decades. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const k0 = Math.floor(Math.log10(lo));
  const k1 = Math.ceil(Math.log10(hi));
  const mults = Math.log10(hi / lo) <= 3 ? [1, 2, 5] : [1];
  for (let k = k0; k <= k1; k++) {
    for (const m of mults) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out.length >= 2 ? out : [lo, hi];
}

/** Rounds a positive value down (floor) or up (ceil) to the nearest 1, 2 or 5 × 10^k. */
export function snapLog(v: number, round: (x: number) => number): number {
  const k = Math.floor(Math.log10(v));
  const m = v / 10 ** k;
  const steps = [1, 2, 5, 10];
  const pick =
    round === Math.floor
      ? [...steps].reverse().find((s) => s <= m * (1 + 1e-12))
      : steps.find((s) => s >= m * (1 - 1e-12));
  return Number(((pick ?? 1) * 10 ** k).toPrecision(12));
}

/** A short label for a tick value: 0.001, 0.25, 12, 1e-5, 2e+4. */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(4)));
  return v.toExponential(0).replace("e+", "e");
}

/** Whether a point can be drawn: finite coordinates, and y > 0 on a log scale. */
export function plottable(spec: ChartSpec, x: number, y: number): boolean {
  return Number.isFinite(x) && Number.isFinite(y) && !(spec.logY && y <= 0);
}

/** The extent of the chart's plottable points, or null when it has none. */
export function dataExtent(spec: ChartSpec): { x0: number; x1: number; y0: number; y1: number } | null {
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const s of spec.series) {
    for (const [x, y] of s.points) {
      if (!plottable(spec, x, y)) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return x0 <= x1 ? { x0, x1, y0, y1 } : null;
}

function dataRange(spec: ChartSpec): { x0: number; x1: number; y0: number; y1: number } {
  let { x0, x1, y0, y1 } = dataExtent(spec) ?? {
    x0: 0,
    x1: 1,
    ...(spec.logY ? { y0: 0.1, y1: 1 } : { y0: 0, y1: 1 }),
  };
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = spec.logY ? [y0 / 2, y1 * 2] : [y0 - 1, y1 + 1];
  if (spec.yRange) [y0, y1] = spec.yRange;
  return { x0, x1, y0, y1 };
}

/** Places the chart in a `width × height` box: plot area, ticks and the data → pixel maps. */
export function layout(spec: ChartSpec, width: number, height: number): Layout {
  const r = dataRange(spec);
  const left = MARGIN.left;
  const top = MARGIN.top;
  const right = width - MARGIN.right;
  const bottom = height - MARGIN.bottom;
  let yTicks: number[];
  let ty: (v: number) => number;
  let y0 = r.y0;
  let y1 = r.y1;
  if (spec.logY) {
    if (!spec.yRange) {
      y0 = snapLog(y0, Math.floor);
      y1 = snapLog(y1, Math.ceil);
    }
    yTicks = logTicks(y0, y1);
    ty = Math.log10;
  } else {
    if (!spec.yRange) {
      // Widen the range to whole tick steps, so the axis starts and ends on a labelled tick.
      const t = niceTicks(y0, y1, 5);
      const step = t.length > 1 ? t[1] - t[0] : 0;
      if (step > 0) {
        y0 = Number((Math.floor(y0 / step + 1e-9) * step).toPrecision(12));
        y1 = Number((Math.ceil(y1 / step - 1e-9) * step).toPrecision(12));
      }
    }
    yTicks = niceTicks(y0, y1, 5);
    ty = (v) => v;
  }
  const ly0 = ty(y0);
  const ly1 = ty(y1);
  const xTicks = niceTicks(r.x0, r.x1, 6);
  return {
    width,
    height,
    left,
    top,
    right,
    bottom,
    xTicks: xTicks.map((value) => ({ value, label: formatTick(value) })),
    yTicks: yTicks.map((value) => ({ value, label: formatTick(value) })),
    x: (v) => left + ((v - r.x0) / (r.x1 - r.x0)) * (right - left),
    y: (v) => bottom - ((ty(v) - ly0) / (ly1 - ly0)) * (bottom - top),
  };
}

/**
 * The pixel polylines of a series: runs of consecutive drawable points (finite, and positive on a
 * log axis). A non-drawable point ends a run.
 */
export function pixelRuns(spec: ChartSpec, s: Series, l: Layout): [number, number][][] {
  const runs: [number, number][][] = [];
  let cur: [number, number][] = [];
  for (const [x, y] of s.points) {
    if (!Number.isFinite(x) || !Number.isFinite(y) || (spec.logY && y <= 0)) {
      if (cur.length) runs.push(cur);
      cur = [];
      continue;
    }
    cur.push([l.x(x), l.y(y)]);
  }
  if (cur.length) runs.push(cur);
  return runs;
}

/**
 * How many line pixels a legend box of `w × h` pixels would cover in each of the plot's four
 * corners (inset 8 px): top-right, bottom-right, top-left, bottom-left, with the box's top-left
 * corner. Lines are sampled every 2 px along each segment.
 */
export function legendCorners(
  spec: ChartSpec,
  l: Layout,
  w: number,
  h: number,
): { readonly at: [number, number]; readonly hits: number }[] {
  const inset = 8;
  const corners: [number, number][] = [
    [l.right - w - inset, l.top + inset],
    [l.right - w - inset, l.bottom - h - inset],
    [l.left + inset, l.top + inset],
    [l.left + inset, l.bottom - h - inset],
  ];
  const hits = corners.map(() => 0);
  for (const s of spec.series) {
    for (const run of pixelRuns(spec, s, l)) {
      for (let i = 0; i < run.length; i++) {
        const [ax, ay] = run[i];
        const [bx, by] = run[Math.min(i + 1, run.length - 1)];
        const steps = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / 2));
        for (let k = 0; k < steps; k++) {
          const x = ax + ((bx - ax) * k) / steps;
          const y = ay + ((by - ay) * k) / steps;
          corners.forEach(([cx, cy], c) => {
            if (x >= cx - 4 && x <= cx + w + 4 && y >= cy - 4 && y <= cy + h + 4) hits[c]++;
          });
        }
      }
    }
  }
  return corners.map((at, c) => ({ at, hits: hits[c] }));
}

/**
 * Where a legend box of `w × h` pixels hides the fewest line pixels: the top-left corner of the
 * box, in one of the plot's four corners (see {@link legendCorners}); ties keep the first of
 * top-right, bottom-right, top-left, bottom-left.
 */
export function legendPosition(spec: ChartSpec, l: Layout, w: number, h: number): [number, number] {
  const corners = legendCorners(spec, l, w, h);
  let best = 0;
  for (let c = 1; c < corners.length; c++) if (corners[c].hits < corners[best].hits) best = c;
  return corners[best].at;
}

/** The most legend entries drawn inside the plot; more always go below it. */
export const LEGEND_INSIDE_MAX = 6;

/** A legend entry's sample line and the gap after its label, in pixels. */
export const LEGEND_SAMPLE = 24;
const LEGEND_GAP = 18;

/** Where a chart's legend goes: inside the plot, or in rows of columns below it. */
export type LegendPlacement =
  | { readonly kind: "inside"; readonly x: number; readonly y: number; readonly width: number }
  | {
      readonly kind: "below";
      /** Left edge of each column. */
      readonly columns: readonly number[];
      readonly rows: number;
      /** Height added below the chart for the legend. */
      readonly height: number;
    };

/**
 * Places a legend of `spec`'s series so that it never covers a line: inside the plot, in a corner
 * its box would hide no line pixel of, when there are at most {@link LEGEND_INSIDE_MAX} entries;
 * otherwise below the chart, entries in row-major order in as many columns (each as wide as its
 * longest label) as fit the chart's width. `labelWidth` measures a label in pixels.
 */
export function placeLegend(
  spec: ChartSpec,
  l: Layout,
  labelWidth: (label: string) => number,
  rowHeight: number,
): LegendPlacement {
  const widths = spec.series.map((s) => LEGEND_SAMPLE + labelWidth(s.label));
  const n = widths.length;
  if (n > 0 && n <= LEGEND_INSIDE_MAX) {
    const w = Math.max(...widths);
    const free = legendCorners(spec, l, w, n * rowHeight).find((c) => c.hits === 0);
    if (free) return { kind: "inside", x: free.at[0], y: free.at[1], width: w };
  }
  const available = l.width - l.left - 8;
  for (let cols = Math.max(1, n); cols >= 1; cols--) {
    const colWidths = Array.from({ length: cols }, (_, c) =>
      Math.max(0, ...widths.filter((_, i) => i % cols === c)),
    );
    const total = colWidths.reduce((a, b) => a + b, 0) + LEGEND_GAP * (cols - 1);
    if (total <= available || cols === 1) {
      const columns: number[] = [];
      let x = l.left;
      for (const w of colWidths) {
        columns.push(x);
        x += w + LEGEND_GAP;
      }
      const rows = Math.ceil(n / cols);
      return { kind: "below", columns, rows, height: rows === 0 ? 0 : rows * rowHeight + 10 };
    }
  }
  return { kind: "below", columns: [l.left], rows: 0, height: 0 };
}

/**
 * The "on" pieces of a dashed polyline: `points` cut by arc length into runs that follow the
 * `dash` pattern (px on, px off, ...), continuing across vertices. An empty pattern: the polyline
 * itself.
 */
export function dashRuns(
  points: readonly (readonly [number, number])[],
  dash: readonly number[],
): [number, number][][] {
  if (dash.length === 0 || points.length < 2) return [points.map(([x, y]) => [x, y] as [number, number])];
  const out: [number, number][][] = [];
  let k = 0;
  let left = dash[0];
  let cur: [number, number][] | null = [[points[0][0], points[0][1]]];
  for (let i = 1; i < points.length; i++) {
    let [ax, ay] = points[i - 1];
    const [bx, by] = points[i];
    let seg = Math.hypot(bx - ax, by - ay);
    while (seg > left) {
      const t = left / seg;
      const mx = ax + (bx - ax) * t;
      const my = ay + (by - ay) * t;
      if (cur) {
        cur.push([mx, my]);
        out.push(cur);
        cur = null;
      } else cur = [[mx, my]];
      seg -= left;
      [ax, ay] = [mx, my];
      k = (k + 1) % dash.length;
      left = dash[k];
    }
    left -= seg;
    if (cur) cur.push([bx, by]);
  }
  if (cur && cur.length > 1) out.push(cur);
  return out;
}

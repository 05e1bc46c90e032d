import { type ChartSpec, layout, legendPosition, pixelRuns } from "./chart.js";
import { encodePng } from "./png.js";
import { Canvas, hexToRgb, type Rgb, textWidth } from "./raster.js";

const AXIS: Rgb = [40, 40, 40];
const GRID: Rgb = [228, 228, 228];
const TEXT: Rgb = [30, 30, 30];

/** Rasterises a line chart (grid, axes, ticks, labels, legend, one anti-aliased line per series). */
export function renderChart(spec: ChartSpec, width = 720, height = 420): Canvas {
  const l = layout(spec, width, height);
  const c = new Canvas(width, height);
  for (const t of l.yTicks) {
    const y = Math.round(l.y(t.value)) + 0.5;
    c.line(l.left, y, l.right, y, GRID, 1);
    c.line(l.left - 5, y, l.left, y, AXIS, 1);
    c.text(t.label, l.left - 8 - textWidth(t.label), y - 3.5, TEXT);
  }
  for (const t of l.xTicks) {
    const x = Math.round(l.x(t.value)) + 0.5;
    c.line(x, l.top, x, l.bottom, GRID, 1);
    c.line(x, l.bottom, x, l.bottom + 5, AXIS, 1);
    c.text(t.label, x - textWidth(t.label) / 2, l.bottom + 9, TEXT);
  }
  c.line(l.left + 0.5, l.top, l.left + 0.5, l.bottom + 0.5, AXIS, 1);
  c.line(l.left, l.bottom + 0.5, l.right, l.bottom + 0.5, AXIS, 1);
  c.text(spec.title, (width - textWidth(spec.title, 2)) / 2, 8, TEXT, 2);
  c.text(spec.xLabel, (l.left + l.right - textWidth(spec.xLabel)) / 2, height - 14, TEXT);
  c.textVertical(spec.yLabel, 8, (l.top + l.bottom + textWidth(spec.yLabel)) / 2, TEXT);
  for (const s of spec.series) {
    for (const run of pixelRuns(spec, s, l)) c.polyline(run, hexToRgb(s.color), 2);
  }
  // Legend in the plot corner where it hides the least of the lines.
  const lw = Math.max(...spec.series.map((s) => textWidth(s.label)), 0) + 30;
  const lh = spec.series.length * 13;
  if (spec.series.length) {
    const [lx, ly0] = legendPosition(spec, l, lw, lh);
    c.fillRect(lx - 4, ly0 - 4, lw + 8, lh + 4, [255, 255, 255]);
    let ly = ly0;
    for (const s of spec.series) {
      c.line(lx, ly + 3.5, lx + 18, ly + 3.5, hexToRgb(s.color), 2);
      c.text(s.label, lx + 24, ly, TEXT);
      ly += 13;
    }
  }
  return c;
}

/** The chart as PNG bytes. */
export function chartPng(spec: ChartSpec, width = 720, height = 420): Uint8Array {
  const c = renderChart(spec, width, height);
  return encodePng(c.width, c.height, c.data);
}

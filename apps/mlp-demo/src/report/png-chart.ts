import { type ChartSpec, dashRuns, LEGEND_SAMPLE, layout, pixelRuns, placeLegend } from "./chart.js";
import { encodePng } from "./png.js";
import { Canvas, hexToRgb, type Rgb, textWidth } from "./raster.js";

const AXIS: Rgb = [40, 40, 40];
const GRID: Rgb = [228, 228, 228];
const TEXT: Rgb = [30, 30, 30];

/** Legend rows, in pixels. */
const LEGEND_ROW = 13;

/**
 * Rasterises a line chart (grid, axes, ticks, labels, legend, one anti-aliased line per series,
 * dashed where the series says so). The plot fills `width × height`; a legend that does not fit
 * in an empty corner of the plot goes below it, and the canvas grows by its height.
 */
export function renderChart(spec: ChartSpec, width = 720, height = 420): Canvas {
  const l = layout(spec, width, height);
  const legend = placeLegend(spec, l, (s) => textWidth(s), LEGEND_ROW);
  const c = new Canvas(width, height + (legend.kind === "below" ? legend.height : 0));
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
    for (const run of pixelRuns(spec, s, l)) {
      for (const piece of dashRuns(run, s.dash ?? [])) c.polyline(piece, hexToRgb(s.color), 2);
    }
  }
  const entry = (s: ChartSpec["series"][number], x: number, y: number) => {
    for (const piece of dashRuns(
      [
        [x, y + 3.5],
        [x + 18, y + 3.5],
      ],
      s.dash ?? [],
    )) {
      c.polyline(piece, hexToRgb(s.color), 2);
    }
    c.text(s.label, x + LEGEND_SAMPLE, y, TEXT);
  };
  if (legend.kind === "inside") {
    c.fillRect(
      legend.x - 4,
      legend.y - 4,
      legend.width + 8,
      spec.series.length * LEGEND_ROW + 4,
      [255, 255, 255],
    );
    spec.series.forEach((s, i) => {
      entry(s, legend.x, legend.y + i * LEGEND_ROW);
    });
  } else {
    const cols = legend.columns.length;
    spec.series.forEach((s, i) => {
      entry(s, legend.columns[i % cols], height + 4 + Math.floor(i / cols) * LEGEND_ROW);
    });
  }
  return c;
}

/** The chart as PNG bytes. */
export function chartPng(spec: ChartSpec, width = 720, height = 420): Uint8Array {
  const c = renderChart(spec, width, height);
  return encodePng(c.width, c.height, c.data);
}

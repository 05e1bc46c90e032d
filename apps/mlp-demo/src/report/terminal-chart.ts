import { formatLoss } from "../format.js";
import type { ChartSpec } from "./chart.js";
import { dataExtent, formatTick, plottable } from "./chart.js";

/**
 * Bit of each dot in a braille cell (U+2800 + bits), by [row][column] within the 4 × 2 cell:
 * dots 1,2,3,7 down the left column, 4,5,6,8 down the right.
 */
const DOT = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
] as const;

/** ANSI colours for up to six series (the terminal's own palette, which follows its theme). */
const ANSI = [34, 33, 32, 35, 31, 36];

/**
 * The SGR parameters of series `i`'s colour: the terminal's own six colours for a chart of up to
 * six series; beyond that, the xterm-256 colour nearest to each series' own `#rrggbb` (the 6×6×6
 * cube or the grey ramp), so a dozen curves stay apart and match the report's colours.
 */
function sgr(spec: ChartSpec, i: number): string {
  if (spec.series.length <= ANSI.length) return String(ANSI[i % ANSI.length]);
  return `38;5;${xterm256(spec.series[i].color)}`;
}

/** The xterm-256 colour index nearest to `#rrggbb`. */
export function xterm256(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16));
  const level = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.floor((v - 35) / 40));
  const value = (k: number) => (k === 0 ? 0 : 55 + 40 * k);
  const [cr, cg, cb] = [level(r), level(g), level(b)];
  const cube = 16 + 36 * cr + 6 * cg + cb;
  const dCube = (value(cr) - r) ** 2 + (value(cg) - g) ** 2 + (value(cb) - b) ** 2;
  const k = Math.max(0, Math.min(23, Math.round(((r + g + b) / 3 - 8) / 10)));
  const gv = 8 + 10 * k;
  const dGrey = (gv - r) ** 2 + (gv - g) ** 2 + (gv - b) ** 2;
  return dGrey < dCube ? 232 + k : cube;
}

/**
 * A small line chart drawn with unicode braille (2 × 4 dots per character), one line per series,
 * y axis labels on the left (the data's range; `formatLoss` on a log axis), a legend below.
 * `color` adds ANSI colours (for TTYs).
 */
export function terminalChart(spec: ChartSpec, cols = 56, rows = 10, color = false): string {
  const w = cols * 2;
  const h = rows * 4;
  const tf = spec.logY ? (v: number) => Math.log10(v) : (v: number) => v;
  const extent = dataExtent(spec);
  if (extent === null) return `${spec.title}: no data\n`;
  let { x0, x1, y0, y1 } = extent;
  if (spec.yRange) [y0, y1] = spec.yRange;
  if (!(y1 >= y0)) return `${spec.title}: no data\n`;
  if (x1 === x0) x1 = x0 + 1;
  const ty0 = tf(y0);
  const ty1 = tf(y1) === ty0 ? ty0 + 1 : tf(y1);
  const cells = spec.series.map(() => new Uint8Array(cols * rows));
  spec.series.forEach((s, si) => {
    let prev: [number, number] | null = null;
    for (const [x, y] of s.points) {
      if (!plottable(spec, x, y)) {
        prev = null;
        continue;
      }
      const px = ((x - x0) / (x1 - x0)) * (w - 1);
      const py = (1 - (tf(y) - ty0) / (ty1 - ty0)) * (h - 1);
      const steps = prev
        ? Math.max(1, Math.ceil(Math.max(Math.abs(px - prev[0]), Math.abs(py - prev[1]))))
        : 0;
      for (let k = 0; k <= steps; k++) {
        const t = steps === 0 ? 1 : k / steps;
        const qx = Math.round(prev ? prev[0] + (px - prev[0]) * t : px);
        const qy = Math.round(prev ? prev[1] + (py - prev[1]) * t : py);
        if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
        cells[si][Math.floor(qy / 4) * cols + Math.floor(qx / 2)] |= DOT[qy % 4][qx % 2];
      }
      prev = [px, py];
    }
  });
  // A log axis holds losses: its end labels are in the loss format used everywhere else.
  const yLabel = spec.logY ? formatLoss : (v: number) => formatTick(Number(v.toPrecision(3)));
  const labels = [yLabel(y1), yLabel(y0)];
  const lw = Math.max(...labels.map((s) => s.length));
  const lines = [`${spec.title}${spec.logY ? " (log scale)" : ""}`];
  for (let r = 0; r < rows; r++) {
    const label = r === 0 ? labels[0] : r === rows - 1 ? labels[1] : "";
    let line = `${label.padStart(lw)} ┤`;
    for (let c = 0; c < cols; c++) {
      let bits = 0;
      let owner = -1;
      for (let si = 0; si < cells.length; si++) {
        const b = cells[si][r * cols + c];
        if (b) {
          bits |= b;
          owner = si;
        }
      }
      const ch = String.fromCharCode(0x2800 + bits);
      line += color && owner >= 0 ? `\x1b[${sgr(spec, owner)}m${ch}\x1b[0m` : ch;
    }
    lines.push(line);
  }
  lines.push(`${" ".repeat(lw)} └${"─".repeat(cols)}`);
  const xl = formatTick(x0);
  const xr = formatTick(x1);
  lines.push(
    `${" ".repeat(lw + 2)}${xl}${spec.xLabel.padStart(Math.floor(cols / 2)).padEnd(cols - xl.length - xr.length)}${xr}`,
  );
  if (spec.series.length > 1) {
    // Entries wrapped to the chart's width, never split.
    const indent = " ".repeat(lw + 2);
    let row = "";
    let rowWidth = 0;
    spec.series.forEach((s, i) => {
      const text = color ? `\x1b[${sgr(spec, i)}m━━\x1b[0m ${s.label}` : `[${i + 1}] ${s.label}`;
      const width = color ? 3 + s.label.length : text.length;
      if (rowWidth > 0 && rowWidth + 2 + width > cols) {
        lines.push(indent + row);
        row = "";
        rowWidth = 0;
      }
      row += rowWidth > 0 ? `  ${text}` : text;
      rowWidth += (rowWidth > 0 ? 2 : 0) + width;
    });
    if (row) lines.push(indent + row);
  }
  return `${lines.join("\n")}\n`;
}

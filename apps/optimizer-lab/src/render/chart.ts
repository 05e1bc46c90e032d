import type { Marker } from "../optimizers/palette.js";
import { spreadLabels } from "./label-layout.js";
import { drawMarker } from "./markers.js";

/** One curve of a chart. */
export interface Series {
  readonly label: string;
  readonly color: string;
  /** y per x = 1, 2, … (epochs). */
  readonly values: readonly number[];
  readonly dashed?: boolean;
  /** Drawn a few times along the curve (a cue besides colour). */
  readonly marker?: Marker;
  /** The group the series belongs to (a rule): highlighting one dims the others. */
  readonly group?: string;
  /** Text at the curve's right end (at most one per group reads best). */
  readonly endLabel?: string;
}

export interface ChartOptions {
  /** Logarithmic y axis (default false). */
  logY?: boolean;
  xLabel: string;
  yLabel: string;
  /** The group drawn on top, the others faded (e.g. the rule under the pointer in the legend). */
  highlight?: string | null;
}

const PAD = { left: 52, right: 12, top: 10, bottom: 34 };
const FONT = "11px system-ui, sans-serif";
/** Vertical room of one end label. */
const LABEL_GAP = 13;
/** Markers per curve. */
const MARKERS_PER_CURVE = 5;

/**
 * Draws line series with axes and a few ticks onto the whole canvas. The canvas is resized to its
 * displayed width × the device pixel ratio (keeping the aspect ratio of its initial size), so text
 * stays crisp and legible at any width.
 *
 * Curves carry their marker a few times each, at places staggered between curves so markers of
 * different curves rarely coincide. End labels go in a right margin, spread apart so that none
 * overlaps another ({@link spreadLabels}), each tied to its curve's end by a short leader line; when
 * they cannot all fit, none is drawn (the page's legend lists every curve). The labels' positions
 * are recorded in the canvas's `data-labels` (JSON `[{label, y}]`, CSS pixels), for tests.
 */
export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], opts: ChartOptions): void {
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  canvas.dataset["aspect"] ??= String(canvas.height / canvas.width);
  const aspect = Number(canvas.dataset["aspect"]);
  const dpr = globalThis.devicePixelRatio || 1;
  const w = canvas.clientWidth > 0 ? canvas.clientWidth : canvas.width;
  const h = Math.round(w * aspect);
  if (canvas.width !== Math.round(w * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  ctx.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  const labelled = series.filter((s) => s.endLabel !== undefined && lastFinite(s.values, opts.logY) !== null);
  const labelWidth = Math.max(0, ...labelled.map((s) => ctx.measureText(s.endLabel!).width));
  // End labels need a margin; on a narrow chart they would squeeze the plot, so leave them out.
  const withLabels = labelled.length > 0 && labelWidth + 18 <= w * 0.3;
  const right = withLabels ? PAD.right + labelWidth + 18 : PAD.right;

  const all = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v) && (!opts.logY || v > 0)));
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const tf = (v: number) => (opts.logY ? Math.log10(v) : v);
  let lo = all.length ? Math.min(...all.map(tf)) : 0;
  let hi = all.length ? Math.max(...all.map(tf)) : 1;
  if (!opts.logY) lo = Math.min(0, lo);
  if (hi - lo < 1e-9) hi = lo + 1;
  const pw = w - PAD.left - right;
  const ph = h - PAD.top - PAD.bottom;
  const X = (i: number) => PAD.left + ((i - 1) / (n - 1)) * pw;
  const Y = (v: number) => PAD.top + (1 - (tf(v) - lo) / (hi - lo)) * ph;

  ctx.strokeStyle = "#e3e6ea";
  ctx.fillStyle = "#5b6570";
  ctx.lineWidth = 1;
  ctx.setLineDash([]);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const ticks = 4;
  for (let k = 0; k <= ticks; k++) {
    const tv = lo + ((hi - lo) * k) / ticks;
    const y = PAD.top + (1 - k / ticks) * ph;
    ctx.beginPath();
    ctx.moveTo(PAD.left, y);
    ctx.lineTo(PAD.left + pw, y);
    ctx.stroke();
    const v = opts.logY ? 10 ** tv : tv;
    ctx.fillText(formatTick(v), PAD.left - 6, y);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let k = 0; k <= 4; k++) {
    const i = 1 + Math.round(((n - 1) * k) / 4);
    ctx.fillText(String(i), X(i), h - PAD.bottom + 4);
  }
  ctx.fillText(opts.xLabel, PAD.left + pw / 2, h - 14);
  ctx.save();
  ctx.translate(12, PAD.top + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(opts.yLabel, 0, -6);
  ctx.restore();

  const plottable = (v: number) => Number.isFinite(v) && (!opts.logY || v > 0);
  const highlight = opts.highlight ?? null;
  const faded = (s: Series) => highlight !== null && s.group !== highlight;
  // Faded curves first, so the highlighted ones are on top.
  const order = series
    .map((s, i) => [s, i] as const)
    .sort((a, b) => Number(faded(b[0])) - Number(faded(a[0])));
  ctx.save();
  ctx.beginPath();
  ctx.rect(PAD.left, PAD.top, pw, ph);
  ctx.clip();
  for (const [s, index] of order) {
    ctx.globalAlpha = faded(s) ? 0.18 : 1;
    ctx.strokeStyle = s.color;
    ctx.lineWidth = highlight !== null && !faded(s) ? 3 : 2;
    ctx.setLineDash(s.dashed ? [5, 4] : []);
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (!plottable(v)) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(X(i + 1), Y(v));
      else ctx.moveTo(X(i + 1), Y(v));
      pen = true;
    });
    ctx.stroke();
    if (s.marker !== undefined && s.values.length > 1) {
      for (const i of markerIndexes(s.values.length, index)) {
        const v = s.values[i];
        if (plottable(v)) drawMarker(ctx, s.marker, X(i + 1), Y(v), 3.5, s.color, "#fff", 1);
      }
    }
  }
  ctx.restore();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = "#9aa4ae";
  ctx.lineWidth = 1;
  ctx.setLineDash([]);
  ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, pw, ph);

  const placed: { label: string; y: number }[] = [];
  if (withLabels) {
    const ends = labelled.map((s) => {
      const [i, v] = lastFinite(s.values, opts.logY)!;
      return { s, x: X(i + 1), y: Y(v) };
    });
    const ys = spreadLabels(
      ends.map((e) => e.y),
      LABEL_GAP,
      PAD.top + LABEL_GAP / 2,
      PAD.top + ph - LABEL_GAP / 2,
    );
    if (ys !== null) {
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ends.forEach((e, k) => {
        ctx.globalAlpha = faded(e.s) ? 0.35 : 1;
        const lx = PAD.left + pw + 6;
        ctx.strokeStyle = e.s.color;
        ctx.lineWidth = 1;
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(e.x, e.y);
        ctx.lineTo(lx, ys[k]);
        ctx.lineTo(lx + 4, ys[k]);
        ctx.stroke();
        ctx.fillStyle = "#1d2733";
        ctx.fillText(e.s.endLabel!, lx + 7, ys[k]);
        placed.push({ label: e.s.endLabel!, y: ys[k] });
      });
      ctx.globalAlpha = 1;
    }
  }
  canvas.dataset["labels"] = JSON.stringify(placed);
}

/** The index and value of the last plottable point of a curve, or null. */
function lastFinite(values: readonly number[], logY = false): [number, number] | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (Number.isFinite(v) && (!logY || v > 0)) return [i, v];
  }
  return null;
}

/**
 * Where curve number `curve` of `length` points carries its markers: evenly spaced, shifted by a
 * fraction of the spacing that differs between neighbouring curves.
 */
export function markerIndexes(length: number, curve: number): number[] {
  const spacing = (length - 1) / MARKERS_PER_CURVE;
  const shift = ((curve * 3) % 7) / 7;
  const out: number[] = [];
  for (let k = 0; k < MARKERS_PER_CURVE; k++) {
    const i = Math.round((k + 0.25 + 0.6 * shift) * spacing);
    if (i >= 0 && i < length && !out.includes(i)) out.push(i);
  }
  return out;
}

function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toExponential(0);
  return Number(v.toPrecision(2)).toString();
}

/** One curve of a chart. */
export interface Series {
  readonly label: string;
  readonly color: string;
  /** y per x = 1, 2, … (epochs). */
  readonly values: readonly number[];
  readonly dashed?: boolean;
}

export interface ChartOptions {
  /** Logarithmic y axis (default false). */
  logY?: boolean;
  xLabel: string;
  yLabel: string;
}

const PAD = { left: 52, right: 12, top: 10, bottom: 34 };

/**
 * Draws line series with axes and a few ticks onto the whole canvas. The canvas is resized to its
 * displayed width × the device pixel ratio (keeping the aspect ratio of its initial size), so text
 * stays crisp and legible at any width.
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
  const all = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v) && (!opts.logY || v > 0)));
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const tf = (v: number) => (opts.logY ? Math.log10(v) : v);
  let lo = all.length ? Math.min(...all.map(tf)) : 0;
  let hi = all.length ? Math.max(...all.map(tf)) : 1;
  if (!opts.logY) lo = Math.min(0, lo);
  if (hi - lo < 1e-9) hi = lo + 1;
  const pw = w - PAD.left - PAD.right;
  const ph = h - PAD.top - PAD.bottom;
  const X = (i: number) => PAD.left + ((i - 1) / (n - 1)) * pw;
  const Y = (v: number) => PAD.top + (1 - (tf(v) - lo) / (hi - lo)) * ph;

  ctx.font = "11px system-ui, sans-serif";
  ctx.strokeStyle = "#e3e6ea";
  ctx.fillStyle = "#5b6570";
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const ticks = 4;
  for (let k = 0; k <= ticks; k++) {
    const tv = lo + ((hi - lo) * k) / ticks;
    const y = PAD.top + (1 - k / ticks) * ph;
    ctx.beginPath();
    ctx.moveTo(PAD.left, y);
    ctx.lineTo(w - PAD.right, y);
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

  ctx.save();
  ctx.beginPath();
  ctx.rect(PAD.left, PAD.top, pw, ph);
  ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.setLineDash(s.dashed ? [5, 4] : []);
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (opts.logY && v <= 0)) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(X(i + 1), Y(v));
      else ctx.moveTo(X(i + 1), Y(v));
      pen = true;
    });
    ctx.stroke();
  }
  ctx.restore();
  ctx.strokeStyle = "#9aa4ae";
  ctx.setLineDash([]);
  ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, pw, ph);
}

function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toExponential(0);
  return Number(v.toPrecision(2)).toString();
}

import { type ChartSpec, LEGEND_SAMPLE, layout, pixelRuns, placeLegend } from "./chart.js";

/** Escapes text for XML/HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const r2 = (v: number) => Number(v.toFixed(2));

/** Legend rows, in pixels. */
const LEGEND_ROW = 15;

/** A label's width at font-size 11, generously (about 6.6 px per character). */
const labelWidth = (label: string) => Math.ceil(label.length * 6.6);

/**
 * A line chart as an inline SVG element. Each series is one `<path class="series"
 * data-series="label" d="M x y L x y ...">` (one `M` per unbroken run), so tests and scripts can
 * read the curves back out. The plot fills `width × height`; the legend (see `placeLegend`) sits
 * in a corner of the plot that no line crosses, or below the chart, which then grows by the
 * legend's height.
 */
export function lineChartSvg(spec: ChartSpec, width = 640, height = 380): string {
  const l = layout(spec, width, height);
  const legend = placeLegend(spec, l, labelWidth, LEGEND_ROW);
  const total = height + (legend.kind === "below" ? legend.height : 0);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" role="img" aria-label="${esc(spec.title)}">`,
    `<title>${esc(spec.title)}</title>`,
    `<rect width="${width}" height="${total}" fill="#fff"/>`,
  );
  for (const t of l.yTicks) {
    const y = r2(l.y(t.value));
    parts.push(
      `<line x1="${l.left}" x2="${l.right}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`,
      `<text x="${l.left - 8}" y="${y + 4}" text-anchor="end" font-size="11">${esc(t.label)}</text>`,
    );
  }
  for (const t of l.xTicks) {
    const x = r2(l.x(t.value));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${l.top}" y2="${l.bottom}" stroke="#e4e4e4"/>`,
      `<text x="${x}" y="${l.bottom + 16}" text-anchor="middle" font-size="11">${esc(t.label)}</text>`,
    );
  }
  parts.push(
    `<path d="M${l.left} ${l.top}V${l.bottom}H${l.right}" fill="none" stroke="#333"/>`,
    `<text x="${width / 2}" y="19" text-anchor="middle" font-size="14" font-weight="bold">${esc(spec.title)}</text>`,
    `<text x="${(l.left + l.right) / 2}" y="${height - 8}" text-anchor="middle" font-size="12">${esc(spec.xLabel)}</text>`,
    `<text transform="translate(14 ${(l.top + l.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(spec.yLabel)}</text>`,
  );
  for (const s of spec.series) {
    const d = pixelRuns(spec, s, l)
      .map((run) => run.map(([x, y], i) => `${i === 0 ? "M" : "L"}${r2(x)} ${r2(y)}`).join(""))
      .join("");
    parts.push(
      `<path class="series" data-series="${esc(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"${dashAttr(s.dash)}/>`,
    );
  }
  const entry = (s: ChartSpec["series"][number], x: number, y: number) =>
    `<line x1="${r2(x)}" x2="${r2(x + 18)}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${dashAttr(s.dash)}/>` +
    `<text x="${r2(x + LEGEND_SAMPLE)}" y="${y + 4}" font-size="11">${esc(s.label)}</text>`;
  parts.push('<g class="legend">');
  if (legend.kind === "inside") {
    const h = spec.series.length * LEGEND_ROW;
    parts.push(
      `<rect x="${r2(legend.x - 4)}" y="${r2(legend.y - 4)}" width="${r2(legend.width + 8)}" height="${h + 4}" fill="#fff"/>`,
    );
    spec.series.forEach((s, i) => {
      parts.push(entry(s, legend.x, legend.y + 6 + i * LEGEND_ROW));
    });
  } else {
    const cols = legend.columns.length;
    spec.series.forEach((s, i) => {
      parts.push(entry(s, legend.columns[i % cols], height + 8 + Math.floor(i / cols) * LEGEND_ROW));
    });
  }
  parts.push("</g>", "</svg>");
  return parts.join("\n");
}

/** The `stroke-dasharray` attribute of a dash pattern (none for a solid line). */
function dashAttr(dash: readonly number[] | undefined): string {
  return dash && dash.length > 0 ? ` stroke-dasharray="${dash.join(" ")}"` : "";
}

/** A model's predicted class over a regular grid of the plane, plus the points to show on it. */
export interface BoundarySpec {
  readonly title: string;
  /** Grid extent: x ∈ [x0, x1], y ∈ [y0, y1], `nx × ny` cells, row-major from the top row. */
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  readonly nx: number;
  readonly ny: number;
  readonly classes: Int32Array;
  /** Points (x, y, class) drawn on top: the test set. */
  readonly points: readonly (readonly [number, number, number])[];
}

/** Region tints and point colours per class. */
const REGION = ["#cfe3f3", "#fbe0c4", "#cdeadf", "#f2d7e6"];
const POINT = ["#0072b2", "#d55e00", "#009e73", "#cc79a7"];

/**
 * A decision boundary as inline SVG: one `<rect class="cell" data-class="k">` per grid cell (runs of
 * equal cells along a row merged), the test points as circles coloured by their true class.
 */
export function boundarySvg(b: BoundarySpec, size = 250): string {
  const cw = size / b.nx;
  const ch = size / b.ny;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="boundary" width="${size}" height="${size + 24}" viewBox="0 0 ${size} ${size + 24}" role="img" aria-label="${esc(b.title)}">`,
    `<title>${esc(b.title)}</title>`,
    `<text x="${size / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(b.title)}</text>`,
    `<g transform="translate(0 24)" shape-rendering="crispEdges">`,
  ];
  for (let r = 0; r < b.ny; r++) {
    let c = 0;
    while (c < b.nx) {
      const k = b.classes[r * b.nx + c];
      let e = c + 1;
      while (e < b.nx && b.classes[r * b.nx + e] === k) e++;
      parts.push(
        `<rect class="cell" data-class="${k}" x="${r2(c * cw)}" y="${r2(r * ch)}" width="${r2((e - c) * cw + 0.3)}" height="${r2(ch + 0.3)}" fill="${REGION[k % REGION.length]}"/>`,
      );
      c = e;
    }
  }
  parts.push("</g>", `<g transform="translate(0 24)">`);
  for (const [x, y, k] of b.points) {
    const px = ((x - b.x0) / (b.x1 - b.x0)) * size;
    const py = ((b.y1 - y) / (b.y1 - b.y0)) * size;
    if (px < 0 || py < 0 || px > size || py > size) continue;
    parts.push(
      `<circle cx="${r2(px)}" cy="${r2(py)}" r="2.2" fill="${POINT[k % POINT.length]}" stroke="#fff" stroke-width="0.5"/>`,
    );
  }
  parts.push(`<rect width="${size}" height="${size}" fill="none" stroke="#333"/>`, "</g>", "</svg>");
  return parts.join("\n");
}

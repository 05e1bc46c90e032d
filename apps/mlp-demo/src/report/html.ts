import { formatLoss } from "../format.js";
import type { ChartSpec } from "./chart.js";
import { type BoundarySpec, boundarySvg, esc, lineChartSvg } from "./svg.js";

/** One optimizer's line in the results table. */
export interface ResultRow {
  readonly optimizer: string;
  readonly lr: number;
  readonly finalTrainLoss: number;
  readonly testLoss: number;
  /** 0..1, or null for regression. */
  readonly testAccuracy: number | null;
  readonly seconds: number;
  /** Optimizer steps until the epoch-mean train loss first fell below the threshold; null: never. */
  readonly stepsToThreshold: number | null;
  /** Set when the run diverged: the step it stopped at and what happened. */
  readonly diverged: { readonly step: number; readonly message: string } | null;
}

export interface ReportData {
  readonly title: string;
  /** One line per setting: data set, network, epochs, batch size, seed... */
  readonly settings: readonly string[];
  readonly threshold: number;
  readonly rows: readonly ResultRow[];
  readonly charts: readonly ChartSpec[];
  readonly boundaries: readonly BoundarySpec[];
  /** File names of the PNG versions of the charts, linked from the page. */
  readonly pngs: readonly string[];
}

const fmt = (v: number | null) => (v === null ? "—" : formatLoss(v));

/** A self-contained HTML page (no external resources): settings, results table, SVG charts. */
export function reportHtml(d: ReportData): string {
  const rows = d.rows
    .map(
      (r) =>
        (r.diverged
          ? `<tr class="diverged"><td>${esc(r.optimizer)}</td><td>${r.lr}</td><td title="${esc(r.diverged.message)}">diverged at step ${r.diverged.step}</td><td>—</td><td>—</td>`
          : `<tr><td>${esc(r.optimizer)}</td><td>${r.lr}</td><td>${fmt(r.finalTrainLoss)}</td><td>${fmt(r.testLoss)}</td>` +
            `<td>${r.testAccuracy === null ? "—" : `${(100 * r.testAccuracy).toFixed(2)}%`}</td>`) +
        `<td>${r.seconds.toFixed(2)}</td><td>${r.stepsToThreshold ?? "never"}</td></tr>`,
    )
    .join("\n");
  const diverged = d.rows.filter((r) => r.diverged);
  const divergedNote = diverged.length
    ? `<p class="diverged">${diverged.map((r) => `<strong>${esc(r.optimizer)} diverged</strong>: ${esc(r.diverged?.message ?? "")}.`).join("<br>\n")}<br>\n` +
      `Its curves end at its last complete epoch.</p>\n`
    : "";
  const boundaries = d.boundaries.length
    ? `<h2>Decision boundaries (test points coloured by true class)</h2>\n<div class="grid">${d.boundaries.map((b) => boundarySvg(b)).join("\n")}</div>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1340px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.grid { display: flex; flex-wrap: wrap; gap: 1rem; } svg text { font-family: system-ui, sans-serif; fill: #222; }
ul.settings { color: #555; }
tr.diverged td { color: #b00020; } p.diverged { color: #b00020; }
</style>
</head>
<body>
<h1>${esc(d.title)}</h1>
<ul class="settings">${d.settings.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>
<h2>Results</h2>
<table>
<thead><tr><th>optimizer</th><th>lr</th><th>final train loss</th><th>test loss</th><th>test accuracy</th><th>seconds</th><th>steps to loss &lt; ${d.threshold}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${divergedNote}<h2>Curves</h2>
<div class="grid">
${d.charts.map((c) => lineChartSvg(c)).join("\n")}
</div>
<p>PNG versions: ${d.pngs.map((p) => `<a href="${esc(p)}">${esc(p)}</a>`).join(", ")}</p>
${boundaries}
</body>
</html>
`;
}

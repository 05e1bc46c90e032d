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

/** One run's rule as the report describes it (from the optimizer catalog). */
export interface RuleInfo {
  /** The name in the table and the legends. */
  readonly label: string;
  readonly id: string;
  /** Its curves' colour and dash pattern. */
  readonly color: string;
  readonly dash: readonly number[];
  /** The hyperparameters it ran with: `lr 0.001, beta2 0.99`. */
  readonly settings: string;
  readonly summary: string;
  /** The update rule, one statement per line. */
  readonly update: string;
  /** Where it comes from, in words and with its address. */
  readonly reference: string;
  /** Anything else to know (a partner rule for the parameters it does not take). */
  readonly notes: readonly string[];
}

export interface ReportData {
  readonly title: string;
  /** One line per setting: data set, network, epochs, batch size, seed... */
  readonly settings: readonly string[];
  readonly threshold: number;
  readonly rows: readonly ResultRow[];
  /** The rules of the runs, in the table's order, for the legend table. */
  readonly rules?: readonly RuleInfo[];
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
  const rules = d.rules?.length
    ? `<h2>Optimizers</h2>
<table class="rules">
<thead><tr><th>optimizer</th><th>settings</th><th>what it does</th><th>update rule</th><th>source</th></tr></thead>
<tbody>
${d.rules.map(ruleRow).join("\n")}
</tbody>
</table>
`
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
table.rules td, table.rules th { text-align: left; vertical-align: top; max-width: 28rem; overflow-wrap: anywhere; }
table.rules pre { margin: 0; font-size: 12px; white-space: pre-wrap; }
table.rules .id { color: #666; font-size: 12px; } table.rules .note { color: #555; font-size: 12px; }
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
${rules}${boundaries}
</body>
</html>
`;
}

/** A row of the rules table: swatch and name, settings, summary, update rule, source. */
function ruleRow(r: RuleInfo): string {
  const dash = r.dash.length ? ` stroke-dasharray="${r.dash.join(" ")}"` : "";
  const swatch = `<svg width="28" height="10" aria-hidden="true"><line x1="1" x2="27" y1="5" y2="5" stroke="${r.color}" stroke-width="3"${dash}/></svg>`;
  const notes = r.notes.map((n) => `<br><span class="note">${esc(n)}</span>`).join("");
  return (
    `<tr><td>${swatch} ${esc(r.label)}<br><span class="id">${esc(r.id)}</span></td>` +
    `<td>${esc(r.settings)}</td><td>${esc(r.summary)}${notes}</td>` +
    `<td><pre>${esc(r.update)}</pre></td><td>${esc(r.reference)}</td></tr>`
  );
}

import { ruleStyle } from "../optimizers/palette.js";
import { type Catalog, findRule } from "../optimizers/rules.js";
import { drawChart, type Series } from "../render/chart.js";
import type { CurvesId } from "../state/lab-state.js";
import type { CompareRule } from "../train/protocol.js";
import type { EpochReport } from "../train/trainer.js";
import { fmt, h } from "../ui/dom.js";
import { legendList } from "../ui/legend.js";
import { swatch } from "../ui/swatch.js";

/** A comparison's results so far: the rules it ran with their settings, their epochs, their failures. */
export interface CompareRun {
  readonly rules: readonly CompareRule[];
  readonly history: Map<string, EpochReport[]>;
  readonly failed: Map<string, string>;
}

/**
 * The comparison's chart with its legend beside it (a list, so it never overlaps the curves) and its
 * table. Pointing at a legend entry brings that rule's curves forward. Curves: train loss solid, test
 * loss dashed, each rule in its colour with its marker, its name at the end of its curve.
 */
export function compareResults(catalog: Catalog): {
  root: HTMLElement;
  render(run: CompareRun, curves: CurvesId): void;
} {
  const chart = h("canvas", { width: 720, height: 360, class: "chart wide", "data-testid": "compare-chart" });
  const legendBox = h("div", { class: "legend-box" });
  const caption = h("p", { class: "legend muted small", "data-testid": "compare-caption" });
  const body = h("tbody");
  let highlight: string | null = null;
  let last: { run: CompareRun; curves: CurvesId } | null = null;

  const nameOf = (id: string) => findRule(catalog, id)?.name ?? id;

  function series(run: CompareRun, curves: CurvesId): Series[] {
    return run.rules.flatMap(({ id }) => {
      const style = ruleStyle(id, catalog);
      const reports = run.history.get(id) ?? [];
      const base = { color: style.color, marker: style.marker, group: id };
      const train: Series = { ...base, label: `${id} train`, values: reports.map((r) => r.train.loss) };
      const test: Series = {
        ...base,
        label: `${id} test`,
        values: reports.map((r) => r.test.loss),
        dashed: true,
      };
      if (curves === "train") return [{ ...train, endLabel: nameOf(id) }];
      if (curves === "test") return [{ ...test, endLabel: nameOf(id) }];
      return [{ ...train, endLabel: nameOf(id) }, test];
    });
  }

  function drawCurves(): void {
    if (last === null) return;
    drawChart(chart, series(last.run, last.curves), {
      xLabel: "epoch",
      yLabel: "cross-entropy",
      logY: true,
      highlight,
    });
  }

  function render(run: CompareRun, curves: CurvesId): void {
    last = { run, curves };
    drawCurves();
    caption.textContent = {
      both: "solid: train loss · dashed: test loss (log scale)",
      train: "train loss (log scale)",
      test: "test loss (log scale)",
    }[curves];
    legendBox.replaceChildren(
      legendList(
        run.rules.map(({ id }) => {
          const reports = run.history.get(id) ?? [];
          const end = reports[reports.length - 1];
          const failed = run.failed.get(id);
          return {
            id,
            name: nameOf(id),
            style: ruleStyle(id, catalog),
            detail:
              failed !== undefined
                ? "failed"
                : end
                  ? fmt(curves === "test" ? end.test.loss : end.train.loss)
                  : undefined,
            off: failed !== undefined,
          };
        }),
        (id) => {
          highlight = id;
          drawCurves();
        },
        "compare-legend",
      ),
    );
    body.replaceChildren(
      ...run.rules.map(({ id, hyper }) => {
        const reports = run.history.get(id) ?? [];
        const end = reports[reports.length - 1];
        const failed = run.failed.get(id);
        return h(
          "tr",
          {
            "data-testid": `compare-row-${id}`,
            "data-train-loss": end?.train.loss ?? "",
            "data-epochs": reports.length,
            "data-status": failed === undefined ? "ok" : "failed",
            title: failed,
          },
          h("td", { class: "rule-cell" }, swatch(ruleStyle(id, catalog)), nameOf(id)),
          h("td", { class: "num" }, typeof hyper["lr"] === "number" ? fmt(hyper["lr"]) : "—"),
          h("td", { class: "num" }, end ? fmt(end.train.loss) : failed !== undefined ? "failed" : "—"),
          h("td", { class: "num" }, end ? fmt(end.test.loss) : "—"),
          h("td", { class: "num" }, end ? `${(100 * end.test.accuracy).toFixed(1)}%` : "—"),
        );
      }),
    );
  }

  window.addEventListener("resize", drawCurves);
  const root = h(
    "div",
    { class: "side wide compare-results" },
    h("div", { class: "chart-with-legend" }, h("div", { class: "chart-box" }, chart, caption), legendBox),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "results", "data-testid": "compare-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, "rule"),
            h("th", {}, "lr"),
            h("th", {}, "train loss"),
            h("th", {}, "test loss"),
            h("th", {}, "test acc."),
          ),
        ),
        body,
      ),
    ),
  );
  return { root, render };
}

import {
  DEFAULT_HYPER,
  HYPER_SPECS,
  OPTIMIZER_COLORS,
  OPTIMIZER_NAMES,
  RACERS,
  type RacerId,
} from "../optimizers/catalog.js";
import { drawChart, type Series } from "../render/chart.js";
import { type LabState, TRAIN_SPECS } from "../state/lab-state.js";
import type { FromWorker } from "../train/protocol.js";
import { trainConfig } from "../train/train-view.js";
import type { EpochReport } from "../train/trainer.js";
import TrainWorker from "../train/worker.ts?worker&inline";
import { fmt, h, numberField, onNextFrame } from "../ui/dom.js";

/**
 * Mounts the compare tab: the network tab's data set, network, batch size and seed, trained once per
 * rule from the same initial weights, each with its own learning rate and PyTorch's default for the
 * other options (momentum μ = 0.9), curves overlaid.
 */
export function mountCompare(root: HTMLElement, state: LabState, changed: () => void): { refresh(): void } {
  const worker = new TrainWorker();
  let running = false;
  let history: Record<RacerId, EpochReport[]> = emptyHistory();

  const chart = h("canvas", { width: 720, height: 340, class: "chart wide", "data-testid": "compare-chart" });
  const summary = h("p", { class: "muted", "data-testid": "compare-summary" });
  const runBtn = h("button", { type: "button", class: "primary", "data-testid": "compare-run" }, "Run");
  const status = h("span", { class: "muted", "data-testid": "compare-status" });
  const table = h("tbody");
  const errorBox = h("p", { class: "error", role: "alert", hidden: true });

  function emptyHistory(): Record<RacerId, EpochReport[]> {
    return { sgd: [], momentum: [], adagrad: [], rmsprop: [], adam: [] };
  }

  function setRunning(r: boolean): void {
    running = r;
    runBtn.textContent = r ? "Stop" : "Run";
    root.dataset["running"] = String(r);
  }

  runBtn.addEventListener("click", () => {
    if (running) {
      worker.postMessage({ type: "stop" });
      setRunning(false);
      render();
      return;
    }
    history = emptyHistory();
    const config = {
      ...trainConfig(state),
      momentum: DEFAULT_HYPER.momentum,
      alpha: DEFAULT_HYPER.alpha,
      beta1: DEFAULT_HYPER.beta1,
      beta2: DEFAULT_HYPER.beta2,
    };
    worker.postMessage({
      type: "compare",
      config,
      lrs: { ...state.compare.lrs },
      epochs: state.compare.epochs,
    });
    setRunning(true);
    render();
  });

  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === "compare-epoch") {
      for (const id of RACERS) history[id].push(m.reports[id]);
      scheduleRender();
    } else if (m.type === "compare-done") {
      setRunning(false);
      scheduleRender();
    } else if (m.type === "error") {
      errorBox.hidden = false;
      errorBox.textContent = `Comparison stopped: ${m.message}`;
      setRunning(false);
    }
  };

  const scheduleRender = onNextFrame(render);

  function render(): void {
    const series: Series[] = RACERS.flatMap((id) => [
      { label: `${id} train`, color: OPTIMIZER_COLORS[id], values: history[id].map((r) => r.train.loss) },
      {
        label: `${id} test`,
        color: OPTIMIZER_COLORS[id],
        values: history[id].map((r) => r.test.loss),
        dashed: true,
      },
    ]);
    drawChart(chart, series, { xLabel: "epoch", yLabel: "cross-entropy", logY: true });
    const epochs = history.sgd.length;
    status.textContent = running
      ? `epoch ${epochs} of ${state.compare.epochs}…`
      : epochs > 0
        ? `done: ${epochs} epochs`
        : "";
    table.replaceChildren(
      ...RACERS.map((id) => {
        const last = history[id][history[id].length - 1];
        return h(
          "tr",
          {
            "data-testid": `compare-row-${id}`,
            "data-train-loss": last?.train.loss ?? "",
            "data-epochs": history[id].length,
          },
          h(
            "td",
            {},
            h("span", { class: "swatch", style: `--c:${OPTIMIZER_COLORS[id]}` }),
            OPTIMIZER_NAMES[id],
          ),
          h("td", { class: "num" }, fmt(state.compare.lrs[id])),
          h("td", { class: "num" }, last ? fmt(last.train.loss) : "—"),
          h("td", { class: "num" }, last ? fmt(last.test.loss) : "—"),
          h("td", { class: "num" }, last ? `${(100 * last.test.accuracy).toFixed(1)}%` : "—"),
        );
      }),
    );
  }

  function refresh(): void {
    const t = state.train;
    summary.textContent = `Data set ${t.dataset} (${t.points} points, noise ${t.noise}), network 2 → ${[...t.hidden, 2].join(" → ")} (${t.activation}), batch ${t.batchSize}, seed ${t.seed}. Change these on the Network tab.`;
    render();
  }

  const lrFields = RACERS.map(
    (id) =>
      numberField({
        label: `${OPTIMIZER_NAMES[id]} lr`,
        value: state.compare.lrs[id],
        min: HYPER_SPECS.lr.min,
        max: HYPER_SPECS.lr.max,
        testId: `compare-lr-${id}`,
        onChange: (v) => {
          state.compare.lrs[id] = v;
          changed();
          render();
        },
      }).root,
  );
  root.append(
    h(
      "div",
      { class: "controls" },
      summary,
      h("div", { class: "lrs" }, ...lrFields),
      numberField({
        ...TRAIN_SPECS.epochs,
        label: "epochs",
        value: state.compare.epochs,
        step: 1,
        testId: "compare-epochs",
        onChange: (v) => {
          state.compare.epochs = v;
          changed();
        },
      }).root,
      h("div", { class: "buttons" }, runBtn, status),
      h(
        "p",
        { class: "hint" },
        "Every network starts from the same initial weights (the seed) and sees the same batches; only the update rule differs. Momentum uses μ = 0.9, RMSprop α = 0.99, Adam β = (0.9, 0.999).",
      ),
      errorBox,
    ),
    h(
      "div",
      { class: "stage" },
      h(
        "div",
        { class: "side wide" },
        chart,
        h("p", { class: "legend muted small" }, "solid: train loss · dashed: test loss (log scale)"),
        h(
          "table",
          { class: "results", "data-testid": "compare-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, "optimizer"),
              h("th", {}, "lr"),
              h("th", {}, "train loss"),
              h("th", {}, "test loss"),
              h("th", {}, "test acc."),
            ),
          ),
          table,
        ),
      ),
    ),
  );
  window.addEventListener("resize", scheduleRender);
  refresh();
  return { refresh };
}

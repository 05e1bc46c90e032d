import { ruleStyle } from "../optimizers/palette.js";
import { CATALOG, findRule } from "../optimizers/rules.js";
import { CURVES, type CurvesId, type LabState, TRAIN_SPECS } from "../state/lab-state.js";
import type { CompareRule, FromWorker } from "../train/protocol.js";
import { trainConfig } from "../train/train-view.js";
import TrainWorker from "../train/worker.ts?worker&inline";
import { h, numberField, onNextFrame, selectField } from "../ui/dom.js";
import { hyperEditor } from "../ui/hyper-editor.js";
import { ruleChooser } from "../ui/rule-chooser.js";
import { swatch } from "../ui/swatch.js";
import { type CompareRun, compareResults } from "./compare-results.js";

/**
 * Mounts the compare tab: the network tab's data set, network, batch size and seed, trained once per
 * chosen rule from the same initial weights, each rule with every hyperparameter of its catalog
 * entry, curves overlaid. A rule that fails (a rejected combination, a diverging step) is marked and
 * the others go on.
 */
export function mountCompare(root: HTMLElement, state: LabState, changed: () => void): { refresh(): void } {
  const worker = new TrainWorker();
  const catalog = CATALOG;
  const cmp = state.compare;
  let running = false;
  let run: CompareRun = emptyRun();

  const summary = h("p", { class: "muted", "data-testid": "compare-summary" });
  const runBtn = h("button", { type: "button", class: "primary", "data-testid": "compare-run" }, "Run");
  const status = h("span", { class: "muted", "data-testid": "compare-status" });
  const errorBox = h("p", { class: "error", role: "alert", hidden: true });
  const results = compareResults(catalog);
  const cards = h("div", { class: "racers compare-rules" });

  /** The chosen rules with their current settings (what a run would train). */
  function chosen(): CompareRule[] {
    return cmp.rules.map((id) => ({ id, hyper: { ...cmp.hyper[id] } }));
  }

  function emptyRun(): CompareRun {
    return { rules: chosen(), history: new Map(), failed: new Map() };
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
    errorBox.hidden = true;
    run = emptyRun();
    const { optimizer: _, hyper: __, ...config } = trainConfig(state);
    worker.postMessage({
      type: "compare",
      config,
      rules: run.rules.map((r) => ({ ...r })),
      epochs: cmp.epochs,
    });
    setRunning(run.rules.length > 0);
    render();
  });

  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === "compare-epoch") {
      for (const [id, report] of Object.entries(m.reports)) {
        const list = run.history.get(id) ?? [];
        list.push(report);
        run.history.set(id, list);
      }
      scheduleRender();
    } else if (m.type === "compare-failed") {
      run.failed.set(m.id, m.message);
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
    // Before any run, the table lists the chosen rules with their settings.
    if (!running && run.history.size === 0 && run.failed.size === 0) run = emptyRun();
    results.render(run, cmp.curves);
    const epochs = Math.max(0, ...[...run.history.values()].map((r) => r.length));
    const failures = [...run.failed].map(([id, why]) => `${findRule(catalog, id)?.name ?? id}: ${why}`);
    status.textContent = running
      ? `epoch ${epochs} of ${cmp.epochs}…`
      : epochs > 0 || run.failed.size > 0
        ? `done: ${epochs} epochs${failures.length > 0 ? ` (${failures.length} failed)` : ""}`
        : "";
    status.title = failures.join("\n");
  }

  function renderCards(): void {
    cards.replaceChildren(
      ...cmp.rules.flatMap((id) => {
        const entry = findRule(catalog, id);
        if (entry === undefined) return [];
        const style = ruleStyle(id, catalog);
        return [
          h(
            "div",
            { class: "racer", style: `--c:${style.color}`, "data-testid": `compare-card-${id}` },
            h("div", { class: "racer-head" }, h("span", { class: "racer-name" }, swatch(style), entry.name)),
            hyperEditor({
              entry,
              values: cmp.hyper[id],
              testIdPrefix: `compare-${id}`,
              onChange: (key, value) => {
                cmp.hyper[id][key] = value;
                changed();
                render();
              },
            }),
          ),
        ];
      }),
    );
  }

  function refresh(): void {
    const t = state.train;
    summary.textContent = `Data set ${t.dataset} (${t.points} points, noise ${t.noise}), network 2 → ${[...t.hidden, 2].join(" → ")} (${t.activation}), batch ${t.batchSize}, seed ${t.seed}. Change these on the Network tab.`;
    render();
  }

  const chooser = ruleChooser({
    catalog,
    chosen: cmp.rules,
    legend: "Compared rules",
    testIdPrefix: "compare-enable",
    onChange: (ids) => {
      cmp.rules = ids;
      renderCards();
      changed();
      render();
    },
  });
  root.append(
    h(
      "div",
      { class: "controls" },
      summary,
      chooser.root,
      h(
        "div",
        { class: "row2" },
        numberField({
          ...TRAIN_SPECS.epochs,
          label: "epochs",
          value: cmp.epochs,
          step: 1,
          testId: "compare-epochs",
          onChange: (v) => {
            cmp.epochs = v;
            changed();
          },
        }).root,
        selectField<CurvesId>({
          label: "curves",
          value: cmp.curves,
          options: CURVES.map(
            (c) => [c, { both: "train and test", train: "train loss", test: "test loss" }[c]] as const,
          ),
          testId: "compare-curves",
          onChange: (v) => {
            cmp.curves = v;
            changed();
            render();
          },
        }).root,
      ),
      h("div", { class: "buttons" }, runBtn, status),
      errorBox,
      h(
        "p",
        { class: "hint" },
        "Every network starts from the same initial weights (the seed) and sees the same batches; only the update rule and its settings differ. Each rule's options:",
      ),
      cards,
    ),
    h("div", { class: "stage" }, results.root),
  );
  renderCards();
  refresh();
  return { refresh };
}

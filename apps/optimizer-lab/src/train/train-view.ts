import { DATA_EXTENT, DATASETS, type Points } from "../data/datasets.js";
import { CATALOG, getRule } from "../optimizers/rules.js";
import { drawChart } from "../render/chart.js";
import { CLASS_COLORS } from "../render/colors.js";
import {
  ACTIVATIONS,
  type LabState,
  TRAIN_SPECS,
  type TrainState,
  trainDefaults,
} from "../state/lab-state.js";
import { parseHidden } from "../state/url-state.js";
import { fmt, h, numberField, onNextFrame, selectField } from "../ui/dom.js";
import { hyperEditor } from "../ui/hyper-editor.js";
import { ruleCard } from "../ui/rule-card.js";
import { type FromWorker, GRID_RES } from "./protocol.js";
import { type TrainConfig, Trainer } from "./trainer.js";
import TrainWorker from "./worker.ts?worker&inline";

const BOUNDARY_SIZE = 480;

/** The config a trainer is built from, taken from the page state. */
export function trainConfig(state: LabState): TrainConfig {
  const t = state.train;
  return { ...t, hidden: [...t.hidden], hyper: { ...t.hyper } };
}

/** Draws the class-probability grid (or a blank square) and the points onto the boundary canvas. */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  grid: Float32Array | null,
  train: Points,
  test: Points,
): void {
  const ctx = canvas.getContext("2d")!;
  const size = canvas.width;
  if (grid !== null) {
    const img = ctx.createImageData(GRID_RES, GRID_RES);
    for (let i = 0; i < GRID_RES * GRID_RES; i++) {
      const p = grid[i];
      const [a, b] = CLASS_COLORS;
      const w = Math.abs(p - 0.5) * 2 * 0.55; // pale near the boundary, stronger where sure
      const c = p >= 0.5 ? b : a;
      img.data[4 * i] = 255 + (c[0] - 255) * w;
      img.data[4 * i + 1] = 255 + (c[1] - 255) * w;
      img.data[4 * i + 2] = 255 + (c[2] - 255) * w;
      img.data[4 * i + 3] = 255;
    }
    const tmp = document.createElement("canvas");
    tmp.width = GRID_RES;
    tmp.height = GRID_RES;
    tmp.getContext("2d")!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tmp, 0, 0, size, size);
  } else {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, size, size);
  }
  const toPx = (v: number) => ((v + DATA_EXTENT) / (2 * DATA_EXTENT)) * size;
  const dot = (pts: Points, hollow: boolean) => {
    for (let i = 0; i < pts.labels.length; i++) {
      const c = CLASS_COLORS[pts.labels[i]];
      const x = toPx(pts.x[2 * i]);
      const y = size - toPx(pts.x[2 * i + 1]);
      ctx.beginPath();
      ctx.arc(x, y, 4.5, 0, 2 * Math.PI);
      ctx.lineWidth = hollow ? 2 : 1.2;
      if (hollow) {
        ctx.fillStyle = "#fff";
        ctx.strokeStyle = `rgb(${c.join(",")})`;
      } else {
        ctx.fillStyle = `rgb(${c.join(",")})`;
        ctx.strokeStyle = "#fff";
      }
      ctx.fill();
      ctx.stroke();
    }
  };
  dot(train, false);
  dot(test, true);
}

/** Mounts the network tab. */
export function mountTrain(root: HTMLElement, state: LabState, changed: () => void): void {
  const worker = new TrainWorker();
  let playing = false;
  let preview = new Trainer(trainConfig(state)); // the data, for drawing the points
  let grid: Float32Array | null = null;
  const trainLoss: number[] = [];
  const testLoss: number[] = [];

  const boundary = h("canvas", {
    width: BOUNDARY_SIZE,
    height: BOUNDARY_SIZE,
    class: "boundary",
    "data-testid": "train-boundary",
  });
  const chart = h("canvas", { width: 560, height: 240, class: "chart", "data-testid": "train-chart" });
  const readout = h("div", { class: "readout", "data-testid": "train-readout" });
  const playBtn = h("button", { type: "button", class: "primary", "data-testid": "train-play" }, "Train");
  const resetBtn = h("button", { type: "button", "data-testid": "train-reset" }, "Reset");
  const errorBox = h("p", { class: "error", role: "alert", hidden: true });

  function setPlaying(p: boolean): void {
    playing = p;
    playBtn.textContent = p ? "Pause" : "Train";
    worker.postMessage({ type: p ? "play" : "pause" });
  }

  /** Settings that change the data, the network or the start: a new run from epoch 0. */
  function reset(): void {
    const config = trainConfig(state);
    preview = new Trainer(config);
    trainLoss.length = 0;
    testLoss.length = 0;
    grid = null;
    worker.postMessage({ type: "reset", config });
    if (playing) worker.postMessage({ type: "play" });
    changed();
    render();
  }

  /** Numeric hyperparameters only: the running network keeps training with them, no reset. */
  function retune(): void {
    worker.postMessage({ type: "hyper", hyper: { ...state.train.hyper } });
    changed();
  }

  let lastLr = Number(state.train.hyper["lr"]);
  let epoch = 0;
  let last: { train: number; test: number; acc: number } | null = null;
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === "error") {
      errorBox.hidden = false;
      errorBox.textContent = `Training stopped: ${m.message}`;
      setPlaying(false);
      return;
    }
    if (m.type !== "epoch") return;
    errorBox.hidden = true;
    const r = m.report;
    if (r.epoch > 0 && r.epoch > trainLoss.length) {
      trainLoss.push(r.train.loss);
      testLoss.push(r.test.loss);
    }
    epoch = r.epoch;
    lastLr = m.lr;
    last = { train: r.train.loss, test: r.test.loss, acc: r.test.accuracy };
    if (m.grid) grid = m.grid;
    scheduleRender();
  };

  const scheduleRender = onNextFrame(render);

  function render(): void {
    drawBoundary(boundary, grid, preview.train, preview.test);
    drawChart(
      chart,
      [
        { label: "train", color: "#1d2733", values: trainLoss },
        { label: "test", color: "#d81b60", values: testLoss, dashed: true },
      ],
      { xLabel: "epoch", yLabel: "cross-entropy", logY: true },
    );
    readout.replaceChildren(
      h("span", { "data-testid": "train-epoch", "data-value": epoch }, `epoch ${epoch}`),
      h(
        "span",
        { "data-testid": "train-loss", "data-value": last?.train ?? "" },
        `train loss ${last ? fmt(last.train) : "—"}`,
      ),
      h(
        "span",
        { "data-testid": "test-loss", "data-value": last?.test ?? "" },
        `test loss ${last ? fmt(last.test) : "—"}`,
      ),
      h(
        "span",
        { "data-testid": "test-accuracy" },
        `test accuracy ${last ? `${(100 * last.acc).toFixed(1)}%` : "—"}`,
      ),
      h("span", { "data-testid": "train-lr-now", "data-value": lastLr }, `lr ${fmt(lastLr)}`),
    );
  }

  const t = state.train;
  /** A change of a data, network or seed setting: a new run. */
  const update =
    <K extends keyof TrainState>(key: K) =>
    (v: TrainState[K]): void => {
      t[key] = v;
      reset();
    };
  const hyperBox = h("div", { class: "hyper" });
  const about = h("div", { class: "rule-panel", "data-testid": "train-about" });
  /** The rule's every hyperparameter (a number applies at the next step; an on/off or named option restarts). */
  function renderHyper(): void {
    const entry = getRule(CATALOG, t.optimizer);
    hyperBox.replaceChildren(
      hyperEditor({
        entry,
        values: t.hyper,
        testIdPrefix: "train",
        fold: false,
        onChange: (key, value) => {
          t.hyper[key] = value;
          renderAbout();
          if (typeof value === "number") retune();
          else reset();
        },
      }),
    );
    renderAbout();
  }
  function renderAbout(): void {
    const entry = getRule(CATALOG, t.optimizer);
    about.replaceChildren(ruleCard(entry, t.hyper));
  }
  const hiddenInput = h("input", {
    type: "text",
    value: t.hidden.join(","),
    "data-testid": "train-hidden",
    spellcheck: "false",
    inputmode: "numeric",
  });
  hiddenInput.addEventListener("change", () => {
    const v = parseHidden(hiddenInput.value.replace(/\s+/g, ""));
    hiddenInput.setAttribute("aria-invalid", String(typeof v === "string"));
    hiddenInput.title = typeof v === "string" ? v : "";
    if (typeof v === "string") return;
    t.hidden = v;
    reset();
  });

  const controls = h(
    "div",
    { class: "controls" },
    selectField({
      label: "Data set",
      value: t.dataset,
      options: DATASETS.map((d) => [d, d] as const),
      testId: "train-dataset",
      onChange: update("dataset"),
    }).root,
    h(
      "div",
      { class: "row2" },
      numberField({
        ...TRAIN_SPECS.noise,
        label: "noise",
        value: t.noise,
        step: 0.01,
        testId: "train-noise",
        onChange: update("noise"),
      }).root,
      numberField({
        ...TRAIN_SPECS.points,
        label: "points",
        value: t.points,
        step: 1,
        testId: "train-points",
        onChange: update("points"),
      }).root,
    ),
    h("label", { class: "field" }, h("span", {}, "Hidden layers (units, comma-separated)"), hiddenInput),
    selectField({
      label: "Activation",
      value: t.activation,
      options: ACTIVATIONS.map((a) => [a, a] as const),
      testId: "train-activation",
      onChange: update("activation"),
    }).root,
    selectField({
      label: "Optimizer",
      value: t.optimizer,
      options: CATALOG.map((e) => [e.id, e.name] as const),
      testId: "train-optimizer",
      onChange: (v) => {
        t.optimizer = v;
        t.hyper = trainDefaults(v);
        renderHyper();
        reset();
      },
    }).root,
    hyperBox,
    h(
      "div",
      { class: "row2" },
      numberField({
        ...TRAIN_SPECS.batchSize,
        label: "batch size",
        value: t.batchSize,
        step: 1,
        testId: "train-batch",
        onChange: update("batchSize"),
      }).root,
      numberField({
        ...TRAIN_SPECS.seed,
        label: "seed",
        value: t.seed,
        step: 1,
        testId: "train-seed",
        onChange: update("seed"),
      }).root,
    ),
    h("div", { class: "buttons" }, playBtn, resetBtn),
    h(
      "p",
      { class: "hint" },
      "Training runs in a Web Worker. A new learning rate (or other numeric option) applies at the next step; a new rule, an on/off option, data, network and seed changes restart from the seed's initial weights.",
    ),
    errorBox,
  );
  playBtn.addEventListener("click", () => setPlaying(!playing));
  resetBtn.addEventListener("click", () => reset());

  const legend = h(
    "p",
    { class: "legend muted small" },
    h("span", { class: "dot", style: `--c:rgb(${CLASS_COLORS[0].join(",")})` }),
    "class 0 ",
    h("span", { class: "dot", style: `--c:rgb(${CLASS_COLORS[1].join(",")})` }),
    "class 1 · filled: train, hollow: test · background: the network's P(class 1)",
  );
  root.append(
    controls,
    h(
      "div",
      { class: "stage" },
      h("div", { class: "canvas-wrap" }, boundary, legend),
      h(
        "div",
        { class: "side" },
        readout,
        chart,
        h("p", { class: "legend muted small" }, "solid: train loss · dashed: test loss (log scale)"),
        about,
      ),
    ),
  );
  renderHyper();
  window.addEventListener("resize", scheduleRender);
  reset();
}

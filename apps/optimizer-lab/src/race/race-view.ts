import {
  HYPER_KEYS,
  HYPER_SPECS,
  OPTIMIZER_COLORS,
  OPTIMIZER_NAMES,
  RACERS,
  type RacerId,
} from "../optimizers/catalog.js";
import { ramp, SURFACE_RAMP } from "../render/colors.js";
import { isoline, sampleField, View } from "../render/contour.js";
import { defaultRace, type LabState } from "../state/lab-state.js";
import { getSurface, SURFACES } from "../surfaces/surfaces.js";
import { fmt, h, numberField, selectField } from "../ui/dom.js";
import { Race } from "./race.js";

/** Canvas size in canvas pixels (CSS scales it to the column). */
const SIZE = 600;
/** The race stops by itself after this many steps. */
const MAX_STEPS = 5000;
const ARROW_PX = 64;
const ARROW_COLORS = { grad: "#1d2733", moment: "#7b3fbf", step: "#d81b60" } as const;

/** Mounts the surface race into `root`. `changed` is called after every change of the shared state. */
export function mountRace(root: HTMLElement, state: LabState, changed: () => void): void {
  let race: Race;
  let playing = false;
  let speed = 2;
  let background: HTMLCanvasElement | null = null;
  let backgroundFor = "";

  const canvas = h("canvas", {
    width: SIZE,
    height: SIZE,
    class: "surface",
    "data-testid": "race-canvas",
    "aria-label": "loss surface; click to set the start point",
  });
  const ctx = canvas.getContext("2d")!;
  const playBtn = h("button", { type: "button", class: "primary", "data-testid": "race-play" }, "Play");
  const stepBtn = h("button", { type: "button", "data-testid": "race-step" }, "Step");
  const resetBtn = h("button", { type: "button", "data-testid": "race-reset" }, "Reset");
  const stepCount = h("span", { class: "muted", "data-testid": "race-steps" }, "step 0");
  const formula = h("p", { class: "formula" });
  const insight = h("div", { class: "insight", "data-testid": "race-insight" });
  const table = h("tbody");

  const surfaceSelect = selectField({
    label: "Surface",
    value: state.race.surface,
    options: SURFACES.map((id) => [id, getSurface(id).name] as const),
    testId: "race-surface",
    onChange: (id) => {
      state.race = defaultRace(id);
      renderRacerControls();
      restart();
    },
  });
  const speedSelect = selectField({
    label: "Speed",
    value: "2",
    options: [
      ["1", "1 step / frame"],
      ["2", "2 steps / frame"],
      ["10", "10 steps / frame"],
    ],
    testId: "race-speed",
    onChange: (v) => void (speed = Number(v)),
  });

  const racerBox = h("div", { class: "racers" });
  function renderRacerControls(): void {
    racerBox.replaceChildren(
      ...RACERS.map((id) => {
        const r = state.race.racers[id];
        const enabled = h("input", {
          type: "checkbox",
          checked: r.enabled,
          "data-testid": `race-enable-${id}`,
          "aria-label": `race ${OPTIMIZER_NAMES[id]}`,
        });
        enabled.addEventListener("change", () => {
          r.enabled = enabled.checked;
          restart();
        });
        const selected = h("input", {
          type: "radio",
          name: "race-selected",
          checked: state.race.selected === id,
          "aria-label": `show arrows for ${OPTIMIZER_NAMES[id]}`,
          "data-testid": `race-select-${id}`,
        });
        selected.addEventListener("change", () => {
          state.race.selected = id;
          changed();
          draw();
        });
        const fields = HYPER_KEYS[id].map(
          (k) =>
            numberField({
              label: k === "lr" ? "lr" : HYPER_SPECS[k].label,
              value: r[k],
              min: HYPER_SPECS[k].min,
              max: HYPER_SPECS[k].max,
              testId: `race-${id}-${k}`,
              onChange: (v) => {
                r[k] = v;
                restart();
              },
            }).root,
        );
        return h(
          "div",
          { class: "racer", style: `--c:${OPTIMIZER_COLORS[id]}` },
          h(
            "div",
            { class: "racer-head" },
            h("label", {}, enabled, h("span", { class: "swatch" }), OPTIMIZER_NAMES[id]),
            h("label", { class: "arrows-pick", title: "draw this optimizer's arrows" }, selected, "arrows"),
          ),
          h("div", { class: "racer-fields" }, ...fields),
        );
      }),
    );
  }

  function restart(): void {
    race = new Race(getSurface(state.race.surface), state.race.start, state.race.racers);
    changed();
    draw();
  }

  function step(n: number): void {
    const left = MAX_STEPS - race.steps;
    if (left <= 0) return;
    race.step(Math.min(n, left));
    draw();
  }

  function setPlaying(p: boolean): void {
    playing = p;
    playBtn.textContent = p ? "Pause" : "Play";
    if (p) requestAnimationFrame(frame);
  }

  function frame(): void {
    if (!playing) return;
    step(speed);
    if (race.steps >= MAX_STEPS || race.racers.every((r) => r.status !== "running")) setPlaying(false);
    else requestAnimationFrame(frame);
  }

  playBtn.addEventListener("click", () => setPlaying(!playing));
  stepBtn.addEventListener("click", () => {
    setPlaying(false);
    step(1);
  });
  resetBtn.addEventListener("click", () => {
    setPlaying(false);
    restart();
  });
  canvas.addEventListener("click", (e) => {
    const rect = canvas.getBoundingClientRect();
    const view = new View(getSurface(state.race.surface).domain, SIZE, SIZE);
    const [x, y] = view.toPoint(
      ((e.clientX - rect.left) / rect.width) * SIZE,
      ((e.clientY - rect.top) / rect.height) * SIZE,
    );
    state.race.start = [Number(x.toFixed(3)), Number(y.toFixed(3))];
    restart();
  });

  function drawBackground(): HTMLCanvasElement {
    const s = getSurface(state.race.surface);
    if (background !== null && backgroundFor === s.id) return background;
    const bg = document.createElement("canvas");
    bg.width = SIZE;
    bg.height = SIZE;
    const b = bg.getContext("2d")!;
    const n = SIZE / 2 + 1; // a sample every 2 canvas pixels
    const field = sampleField(s, n, n);
    const img = b.createImageData(SIZE, SIZE);
    for (let py = 0; py < SIZE; py++) {
      for (let px = 0; px < SIZE; px++) {
        const v = field.values[Math.round(py / 2) * n + Math.round(px / 2)];
        const [r, g, bl] = ramp(SURFACE_RAMP, (v - field.min) / (field.max - field.min));
        const k = 4 * (py * SIZE + px);
        img.data[k] = r;
        img.data[k + 1] = g;
        img.data[k + 2] = bl;
        img.data[k + 3] = 255;
      }
    }
    b.putImageData(img, 0, 0);
    b.strokeStyle = "rgba(40, 60, 90, 0.28)";
    b.lineWidth = 1;
    const levels = 18;
    for (let l = 1; l < levels; l++) {
      const level = field.min + ((field.max - field.min) * l) / levels;
      b.beginPath();
      for (const [x0, y0, x1, y1] of isoline(field, level)) {
        b.moveTo(x0 * 2, y0 * 2);
        b.lineTo(x1 * 2, y1 * 2);
      }
      b.stroke();
    }
    background = bg;
    backgroundFor = s.id;
    return bg;
  }

  function arrow(
    x: number,
    y: number,
    v: readonly [number, number] | null,
    color: string,
    dashed: boolean,
  ): void {
    if (v === null) return;
    const len = Math.hypot(v[0], -v[1]);
    if (!(len > 0) || !Number.isFinite(len)) return;
    const ux = v[0] / len;
    const uy = -v[1] / len; // canvas y points down
    const ex = x + ux * ARROW_PX;
    const ey = y + uy * ARROW_PX;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2.5;
    ctx.setLineDash(dashed ? [6, 4] : []);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(ex, ey);
    ctx.stroke();
    ctx.setLineDash([]);
    const a = Math.atan2(uy, ux);
    ctx.beginPath();
    ctx.moveTo(ex, ey);
    ctx.lineTo(ex - 10 * Math.cos(a - 0.4), ey - 10 * Math.sin(a - 0.4));
    ctx.lineTo(ex - 10 * Math.cos(a + 0.4), ey - 10 * Math.sin(a + 0.4));
    ctx.closePath();
    ctx.fill();
  }

  function draw(): void {
    const s = getSurface(state.race.surface);
    const view = new View(s.domain, SIZE, SIZE);
    ctx.drawImage(drawBackground(), 0, 0);
    for (const [mx, my] of s.minima) star(ctx, ...view.toPixel(mx, my));
    const [sx, sy] = view.toPixel(state.race.start[0], state.race.start[1]);
    ctx.fillStyle = "#fff";
    ctx.strokeStyle = "#1d2733";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(sx, sy, 6, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    for (const r of race.racers) {
      ctx.strokeStyle = OPTIMIZER_COLORS[r.id];
      ctx.lineWidth = 2.5;
      ctx.lineJoin = "round";
      ctx.beginPath();
      for (let i = 0; i < r.trail.length; i += 2) {
        const [px, py] = view.toPixel(r.trail[i], r.trail[i + 1]);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
      const [cx, cy] = view.toPixel(...r.position);
      ctx.fillStyle = OPTIMIZER_COLORS[r.id];
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(cx, cy, 6, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    const sel = race.racer(state.race.selected);
    if (sel?.insight) {
      const [cx, cy] = view.toPixel(...sel.position);
      const ins = sel.insight;
      arrow(cx, cy, [-ins.grad[0], -ins.grad[1]], ARROW_COLORS.grad, false);
      arrow(cx, cy, ins.moment && [-ins.moment[0], -ins.moment[1]], ARROW_COLORS.moment, true);
      arrow(cx, cy, ins.step, ARROW_COLORS.step, false);
    }
    formula.textContent = `f(x, y) = ${s.formula}`;
    stepCount.textContent = `step ${race.steps}`;
    renderTable();
    renderInsight();
  }

  function renderTable(): void {
    table.replaceChildren(
      ...race.racers.map((r) =>
        h(
          "tr",
          {
            "data-testid": `race-row-${r.id}`,
            "data-loss": r.loss,
            "data-start-loss": r.losses[0],
            "data-steps": r.steps,
            "data-x": r.position[0],
            "data-y": r.position[1],
            "data-status": r.status,
          },
          h(
            "td",
            {},
            h("span", { class: "swatch", style: `--c:${OPTIMIZER_COLORS[r.id]}` }),
            OPTIMIZER_NAMES[r.id],
          ),
          h("td", { class: "num" }, r.status === "running" ? fmt(r.loss) : "diverged"),
          h("td", { class: "num" }, `${r.position[0].toFixed(3)}, ${r.position[1].toFixed(3)}`),
        ),
      ),
    );
  }

  function renderInsight(): void {
    const id: RacerId = state.race.selected;
    const r = race.racer(id);
    const pair = (v: readonly [number, number] | null) =>
      v === null ? "—" : `(${fmt(v[0], 3)}, ${fmt(v[1], 3)})`;
    const row = (color: string, name: string, value: string, note: string) =>
      h(
        "li",
        {},
        h("span", { class: "arrow-key", style: `--c:${color}` }),
        h("b", {}, name),
        ` ${value}`,
        h("span", { class: "muted" }, ` ${note}`),
      );
    if (r === undefined) {
      insight.replaceChildren(
        h("p", { class: "muted" }, `${OPTIMIZER_NAMES[id]} is not racing: tick it to see its arrows.`),
      );
      return;
    }
    const ins = r.insight;
    insight.replaceChildren(
      h(
        "p",
        {},
        h("b", {}, OPTIMIZER_NAMES[id]),
        ins ? ` after step ${r.steps}:` : ": press Step to see its arrows.",
      ),
      h(
        "ul",
        {},
        row(ARROW_COLORS.grad, "−gradient", pair(ins?.grad ?? null), "steepest descent, −∇f"),
        row(
          ARROW_COLORS.moment,
          "−first moment",
          pair(ins?.moment ?? null),
          id === "adam"
            ? "bias-corrected m̂"
            : id === "momentum"
              ? "momentum buffer b"
              : "(this rule keeps none)",
        ),
        row(
          ARROW_COLORS.step,
          "adaptive step",
          pair(ins?.step ?? null),
          "Δp taken: the moment (or gradient) times lr and the adaptive scale",
        ),
        h(
          "li",
          {},
          h("b", {}, "adaptive scale 1/(√v̂+ε)"),
          ` ${pair(ins?.scale ?? null)}`,
          h(
            "span",
            { class: "muted" },
            id === "adagrad" || id === "rmsprop" || id === "adam"
              ? " per axis: it turns the step away from −∇f"
              : " (this rule does not rescale)",
          ),
        ),
      ),
      h(
        "p",
        { class: "muted small" },
        "Arrows show directions only (fixed length); the numbers are (x, y) components.",
      ),
    );
  }

  const controls = h(
    "div",
    { class: "controls race-top" },
    surfaceSelect.root,
    formula,
    h("div", { class: "buttons" }, playBtn, stepBtn, resetBtn, stepCount),
    speedSelect.root,
    h(
      "p",
      { class: "hint" },
      "Click the map to set the start point. Tick racers, set their options; the race restarts.",
    ),
  );
  const racerColumn = h("div", { class: "controls race-racers" }, racerBox);
  const main = h(
    "div",
    { class: "stage race-stage" },
    h("div", { class: "canvas-wrap" }, canvas),
    h(
      "div",
      { class: "side" },
      h(
        "table",
        { class: "results", "data-testid": "race-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "optimizer"), h("th", {}, "f(x, y)"), h("th", {}, "(x, y)"))),
        table,
      ),
      insight,
    ),
  );
  root.append(controls, racerColumn, main);
  renderRacerControls();
  restart();
}

function star(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  ctx.fillStyle = "#f6c244";
  ctx.strokeStyle = "#1d2733";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? 9 : 4;
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    const px = x + r * Math.cos(a);
    const py = y + r * Math.sin(a);
    if (k === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
}

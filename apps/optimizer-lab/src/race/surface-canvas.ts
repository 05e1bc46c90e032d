import { ruleStyle } from "../optimizers/palette.js";
import { ramp, SURFACE_RAMP } from "../render/colors.js";
import { isoline, sampleField, View } from "../render/contour.js";
import { drawMarker } from "../render/markers.js";
import type { Surface } from "../surfaces/surfaces.js";
import { h } from "../ui/dom.js";
import { drawInsightArrows } from "./arrows.js";
import type { RaceSession } from "./session.js";

/** Canvas size in canvas pixels (CSS scales it to the column). */
const SIZE = 600;
/** Contour levels of the map. */
const LEVELS = 18;

/**
 * The contour map of the surface with every racer's trail (its colour over a white halo, so it reads
 * on pale and dark ground alike), its current point (its marker), the start point, the minima, and
 * the selected racer's arrows. A click on the map moves the start point and restarts the race.
 */
export function surfaceCanvas(session: RaceSession): { root: HTMLCanvasElement } {
  const canvas = h("canvas", {
    width: SIZE,
    height: SIZE,
    class: "surface",
    "data-testid": "race-canvas",
    "aria-label": "loss surface; click to set the start point",
  });
  const ctx = canvas.getContext("2d")!;
  let background: HTMLCanvasElement | null = null;
  let backgroundFor = "";

  canvas.addEventListener("click", (e) => {
    const rect = canvas.getBoundingClientRect();
    const view = new View(session.surface.domain, SIZE, SIZE);
    const [x, y] = view.toPoint(
      ((e.clientX - rect.left) / rect.width) * SIZE,
      ((e.clientY - rect.top) / rect.height) * SIZE,
    );
    session.state.race.start = [Number(x.toFixed(3)), Number(y.toFixed(3))];
    session.restart();
  });

  function backgroundOf(s: Surface): HTMLCanvasElement {
    if (background !== null && backgroundFor === s.id) return background;
    background = drawBackground(s);
    backgroundFor = s.id;
    return background;
  }

  function draw(): void {
    const s = session.surface;
    const view = new View(s.domain, SIZE, SIZE);
    ctx.drawImage(backgroundOf(s), 0, 0);
    for (const [mx, my] of s.minima) star(ctx, ...view.toPixel(mx, my));
    const [sx, sy] = view.toPixel(session.state.race.start[0], session.state.race.start[1]);
    ctx.fillStyle = "#fff";
    ctx.strokeStyle = "#1d2733";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(sx, sy, 6, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    const racers = session.race.racers;
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    for (const [width, halo] of [
      [5, true],
      [2.5, false],
    ] as const) {
      for (const r of racers) {
        ctx.strokeStyle = halo ? "rgba(255, 255, 255, 0.75)" : ruleStyle(r.id, session.catalog).color;
        ctx.lineWidth = width;
        ctx.setLineDash([]);
        ctx.beginPath();
        for (let i = 0; i < r.trail.length; i += 2) {
          const [px, py] = view.toPixel(r.trail[i], r.trail[i + 1]);
          if (i === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        }
        ctx.stroke();
      }
    }
    for (const r of racers) {
      const style = ruleStyle(r.id, session.catalog);
      const [cx, cy] = view.toPixel(...r.position);
      if (Number.isFinite(cx) && Number.isFinite(cy))
        drawMarker(ctx, style.marker, cx, cy, 6, style.color, "#fff", 2);
    }
    const sel = session.race.racer(session.state.race.selected);
    if (sel?.insight) drawInsightArrows(ctx, ...view.toPixel(...sel.position), sel.insight);
  }

  session.onUpdate(draw);
  draw();
  return { root: canvas };
}

/** The colour-ramped, contoured map of `s` (drawn once per surface). */
function drawBackground(s: Surface): HTMLCanvasElement {
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
  for (let l = 1; l < LEVELS; l++) {
    const level = field.min + ((field.max - field.min) * l) / LEVELS;
    b.beginPath();
    for (const [x0, y0, x1, y1] of isoline(field, level)) {
      b.moveTo(x0 * 2, y0 * 2);
      b.lineTo(x1 * 2, y1 * 2);
    }
    b.stroke();
  }
  return bg;
}

function star(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  ctx.fillStyle = "#f6c244";
  ctx.strokeStyle = "#1d2733";
  ctx.lineWidth = 1.5;
  ctx.setLineDash([]);
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

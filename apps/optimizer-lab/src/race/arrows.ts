import type { Insight, Vec2 } from "./insight.js";

/** Arrow length in canvas pixels: arrows show directions only. */
export const ARROW_PX = 64;

/** The three arrows: −gradient, the rule's momentum (dashed), the step taken. */
export const ARROW_COLORS = { grad: "#1d2733", moment: "#7b3fbf", step: "#d81b60" } as const;

/** Draws a fixed-length arrow from (x, y) along `v` (plane coordinates, y up); nothing for a zero or non-finite `v`. */
export function drawArrow(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  v: Vec2,
  color: string,
  dashed: boolean,
): void {
  const len = Math.hypot(v[0], v[1]);
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

/**
 * The arrows of a step at the racer's point (x, y) in canvas pixels: −∇f, −(the rule's momentum)
 * when it keeps one (none is drawn for a rule without), and the step taken.
 */
export function drawInsightArrows(ctx: CanvasRenderingContext2D, x: number, y: number, ins: Insight): void {
  drawArrow(ctx, x, y, [-ins.grad[0], -ins.grad[1]], ARROW_COLORS.grad, false);
  if (ins.moment !== null)
    drawArrow(ctx, x, y, [-ins.moment.value[0], -ins.moment.value[1]], ARROW_COLORS.moment, true);
  drawArrow(ctx, x, y, ins.step, ARROW_COLORS.step, false);
}

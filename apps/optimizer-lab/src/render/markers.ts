import { type Marker, markerOutline } from "../optimizers/palette.js";

/** Traces a marker of radius `r` at (x, y) as the current path (fill and stroke are the caller's). */
export function traceMarker(
  ctx: CanvasRenderingContext2D,
  marker: Marker,
  x: number,
  y: number,
  r: number,
): void {
  const outline = markerOutline(marker, r);
  ctx.beginPath();
  if (outline === "circle") {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    return;
  }
  outline.forEach(([dx, dy], k) => {
    if (k === 0) ctx.moveTo(x + dx, y + dy);
    else ctx.lineTo(x + dx, y + dy);
  });
  ctx.closePath();
}

/** Draws a filled marker with an outline. */
export function drawMarker(
  ctx: CanvasRenderingContext2D,
  marker: Marker,
  x: number,
  y: number,
  r: number,
  fill: string,
  stroke: string,
  lineWidth = 1.5,
): void {
  traceMarker(ctx, marker, x, y, r);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.strokeStyle = stroke;
  ctx.lineWidth = lineWidth;
  ctx.setLineDash([]);
  ctx.stroke();
}

import type { Optimizer, Param } from "@descent/optim";

/**
 * The guide's test surface: f(x, y) = ½(x² + κ·y²), an ill-conditioned quadratic (condition number
 * κ). Its gradient is (x, κ·y); its minimum is 0 at the origin.
 */
export const KAPPA = 20;
export const START: readonly [number, number] = [-4, 1.2];

export function loss(x: number, y: number): number {
  return 0.5 * (x * x + KAPPA * y * y);
}

/** One parameter holding (x, y), as any engine would hand it to an optimizer. */
export function pointParam(): Param & { grad: { data: Float64Array } } {
  return { data: Float64Array.from(START), grad: { data: new Float64Array(2) } };
}

/**
 * Runs `steps` steps of `opt` on the quadratic from {@link START}; returns the path (steps + 1
 * points) and calls `inspect` after each step (for reading the optimizer's state).
 */
export function descend(
  param: Param & { grad: { data: Float64Array } },
  opt: Optimizer,
  steps: number,
  inspect?: (step: number) => void,
): [number, number][] {
  const path: [number, number][] = [[param.data[0] ?? 0, param.data[1] ?? 0]];
  for (let t = 1; t <= steps; t++) {
    const [x = 0, y = 0] = param.data;
    param.grad.data[0] = x;
    param.grad.data[1] = KAPPA * y;
    opt.step();
    inspect?.(t);
    const [nx = 0, ny = 0] = param.data;
    path.push([nx, ny]);
    if (!Number.isFinite(nx) || !Number.isFinite(ny) || Math.abs(nx) > 1e6 || Math.abs(ny) > 1e6) break;
  }
  return path;
}

/** Draws the quadratic's level sets and a path on a canvas (world box x ∈ [−5, 5], y ∈ [−2, 2]). */
export function drawPath(
  canvas: HTMLCanvasElement,
  path: readonly [number, number][],
  color = "#3451b2",
): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const w = canvas.width;
  const h = canvas.height;
  const sx = (x: number) => ((x + 5) / 10) * w;
  const sy = (y: number) => h - ((y + 2) / 4) * h;
  ctx.clearRect(0, 0, w, h);
  ctx.lineWidth = 1;
  ctx.strokeStyle = "rgba(128,128,128,0.45)";
  for (const level of [0.05, 0.2, 0.5, 1, 2, 4, 8, 16]) {
    // x²/(2L) + y²/(2L/κ) = 1
    const rx = Math.sqrt(2 * level);
    const ry = Math.sqrt((2 * level) / KAPPA);
    ctx.beginPath();
    ctx.ellipse(sx(0), sy(0), (rx / 10) * w, (ry / 4) * h, 0, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  path.forEach(([x, y], i) => {
    const px = Math.max(-1e4, Math.min(1e4, sx(x)));
    const py = Math.max(-1e4, Math.min(1e4, sy(y)));
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  });
  ctx.stroke();
  for (const [x, y] of path) {
    ctx.beginPath();
    ctx.arc(sx(x), sy(y), 2, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** Steps until the loss first falls below `target`, or null. */
export function stepsTo(path: readonly [number, number][], target: number): number | null {
  const i = path.findIndex(([x, y]) => loss(x, y) < target);
  return i < 0 ? null : i;
}

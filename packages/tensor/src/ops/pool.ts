import { checkBoolean, checkOptions, checkTensor } from "../check.js";
import { allocate } from "../dtype.js";
import { apply } from "../engine.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { type Geometry2d, geometry, pair } from "./conv.js";
import type { AvgPool2dAttrs, MaxPool2dAttrs, Op, OpTable } from "./op.js";

/**
 * maxPool2d over each `kh×kw` window (stride, padding with −∞, as PyTorch):
 *   y = max of the window; the first maximum in row-major order wins, a NaN over numbers (the
 *   last NaN, as PyTorch's CPU kernel: `val > maxval || isnan(val)`)
 * → backward: g added to the input position that won (overlapping windows accumulate).
 */
const maxPool2dOp: Op<MaxPool2dAttrs> = {
  name: "maxPool2d",
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const g = a.geom;
    const planes = x.shape[0] * x.shape[1];
    const { h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
    const out = allocate(x.dtype, planes * oh * ow);
    const arg = new Int32Array(out.length);
    const xd = x._data;
    for (let p = 0, o = 0; p < planes; p++) {
      const base = p * h * w;
      for (let y = 0; y < oh; y++) {
        const y0 = Math.max(y * sh - ph, 0);
        const y1 = Math.min(y * sh - ph + kh, h);
        for (let xo = 0; xo < ow; xo++, o++) {
          const x0 = Math.max(xo * sw - pw, 0);
          const x1 = Math.min(xo * sw - pw + kw, w);
          let best = Number.NEGATIVE_INFINITY;
          let at = base + y0 * w + x0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0, i = base + iy * w + x0; ix < x1; ix++, i++) {
              const v = xd[i];
              if (v > best || Number.isNaN(v)) {
                best = v;
                at = i;
              }
            }
          }
          out[o] = best;
          arg[o] = at;
        }
      }
    }
    return { data: out, shape: [x.shape[0], x.shape[1], oh, ow], saved: arg };
  },
  backward(gy, ctx) {
    const x = ctx.inputs[0];
    const arg = ctx.saved as Int32Array;
    const gx = allocate(gy instanceof Float64Array ? "float64" : "float32", x.size);
    for (let o = 0; o < arg.length; o++) gx[arg[o]] += gy[o];
    return [gx];
  },
};

/** Window `[start, end)` of output index `o` along one dim, and its size counting padding. */
function span(o: number, s: number, p: number, k: number, size: number): [number, number, number] {
  const start = o * s - p;
  const end = Math.min(start + k, size + p);
  return [Math.max(start, 0), Math.min(end, size), end - start];
}

/**
 * avgPool2d: y = Σ window / divisor, divisor = the window size including zero padding
 * (`countIncludePad`, default) or only the in-image part → backward: g/divisor to every
 * in-image position of the window.
 */
const avgPool2dOp: Op<AvgPool2dAttrs> = {
  name: "avgPool2d",
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const g = a.geom;
    const planes = x.shape[0] * x.shape[1];
    const { h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
    const out = allocate(x.dtype, planes * oh * ow);
    const xd = x._data;
    for (let p = 0, o = 0; p < planes; p++) {
      const base = p * h * w;
      for (let y = 0; y < oh; y++) {
        const [y0, y1, ny] = span(y, sh, ph, kh, h);
        for (let xo = 0; xo < ow; xo++, o++) {
          const [x0, x1, nx] = span(xo, sw, pw, kw, w);
          let s = 0;
          for (let iy = y0; iy < y1; iy++)
            for (let i = base + iy * w + x0, e = i + x1 - x0; i < e; i++) s += xd[i];
          out[o] = s / (a.countIncludePad ? ny * nx : (y1 - y0) * (x1 - x0));
        }
      }
    }
    return { data: out, shape: [x.shape[0], x.shape[1], oh, ow] };
  },
  backward(gy, ctx) {
    const x = ctx.inputs[0];
    const a = ctx.attrs;
    const { h, w, kh, kw, sh, sw, ph, pw, oh, ow } = a.geom;
    const planes = x.shape[0] * x.shape[1];
    const gx = allocate(gy instanceof Float64Array ? "float64" : "float32", x.size);
    for (let p = 0, o = 0; p < planes; p++) {
      const base = p * h * w;
      for (let y = 0; y < oh; y++) {
        const [y0, y1, ny] = span(y, sh, ph, kh, h);
        for (let xo = 0; xo < ow; xo++, o++) {
          const [x0, x1, nx] = span(xo, sw, pw, kw, w);
          const v = gy[o] / (a.countIncludePad ? ny * nx : (y1 - y0) * (x1 - x0));
          for (let iy = y0; iy < y1; iy++)
            for (let i = base + iy * w + x0, e = i + x1 - x0; i < e; i++) gx[i] += v;
        }
      }
    }
    return [gx];
  },
};

export const poolOps = { maxPool2d: maxPool2dOp, avgPool2d: avgPool2dOp } satisfies Partial<OpTable>;

/** Options of {@link maxPool2d}, as `F.max_pool2d`. */
export interface MaxPool2dOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number | [number, number];
  /** Implicit −∞ (max) or 0 (average) border, at most half the kernel (default 0). */
  padding?: number | [number, number];
}

/** Options of {@link avgPool2d}, as `F.avg_pool2d`. */
export interface AvgPool2dOptions extends MaxPool2dOptions {
  /** Count padded positions in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}

function poolGeometry(
  op: string,
  x: Tensor,
  kernelSize: unknown,
  stride: unknown,
  padding: unknown,
): Geometry2d {
  if (x.ndim !== 4)
    throw new RangeError(`${op}: input must be 4-D [N, C, H, W], got shape ${fmtShape(x.shape)}`);
  const k = pair(op, "kernelSize", kernelSize, 1);
  const s = stride === undefined || stride === null ? k : pair(op, "stride", stride, 1);
  const p = pair(op, "padding", padding, 0);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) {
    throw new RangeError(
      `${op}: padding [${p.join(", ")}] must be at most half of the kernel size [${k.join(", ")}]`,
    );
  }
  return geometry(op, x.shape, k, s, p, [1, 1]);
}

/**
 * 2-D max pooling of `[N, C, H, W]` (`F.max_pool2d`): the maximum of each `kernelSize` window,
 * windows `stride` apart (default `kernelSize`), the border padded with −∞. The gradient goes to
 * the first maximum of each window.
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: number | [number, number],
  opts?: MaxPool2dOptions,
): Tensor {
  checkTensor("maxPool2d", "input", input);
  const { stride, padding = 0 } = checkOptions("maxPool2d", opts, ["stride", "padding"]);
  return apply(maxPool2dOp, [input], { geom: poolGeometry("maxPool2d", input, kernelSize, stride, padding) });
}

/**
 * 2-D average pooling of `[N, C, H, W]` (`F.avg_pool2d`): the mean of each `kernelSize` window,
 * windows `stride` apart (default `kernelSize`), zero padding counted in the divisor unless
 * `countIncludePad` is false.
 */
export function avgPool2d(
  input: Tensor,
  kernelSize: number | [number, number],
  opts?: AvgPool2dOptions,
): Tensor {
  checkTensor("avgPool2d", "input", input);
  const {
    stride,
    padding = 0,
    countIncludePad = true,
  } = checkOptions("avgPool2d", opts, ["stride", "padding", "countIncludePad"]);
  checkBoolean("avgPool2d", "countIncludePad", countIncludePad);
  const geom = poolGeometry("avgPool2d", input, kernelSize, stride, padding);
  return apply(avgPool2dOp, [input], { geom, countIncludePad });
}

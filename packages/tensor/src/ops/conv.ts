import { backend } from "../backend/index.js";
import { checkOptions, checkTensor, describeValue } from "../check.js";
import { allocate, type FloatArray, promote } from "../dtype.js";
import { apply } from "../engine.js";
import { checkedSizeOf, fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { Conv2dAttrs, Op, OpTable } from "./op.js";

/** A 2-D geometry: input `h×w`, kernel `kh×kw`, strides, paddings, dilations, output `oh×ow`. */
export interface Geometry2d {
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  oh: number;
  ow: number;
}

/**
 * im2col for one image's `c` channels: `cols[(ci·kh + i)·kw + j][y·ow + x] =
 * img[ci][y·sh − ph + i·dh][x·sw − pw + j·dw]`, 0 outside the image. `cols` is `[c·kh·kw, oh·ow]`.
 */
function im2col(
  img: FloatArray,
  off: number,
  c: number,
  g: Geometry2d,
  cols: FloatArray,
  cOff: number,
): void {
  const { h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const L = oh * ow;
  let row = cOff;
  for (let ci = 0; ci < c; ci++) {
    const base = off + ci * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row += L) {
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - ph + i * dh;
          const o = row + y * ow;
          if (iy < 0 || iy >= h) {
            cols.fill(0, o, o + ow);
            continue;
          }
          const src = base + iy * w;
          for (let x = 0, ix = j * dw - pw; x < ow; x++, ix += sw)
            cols[o + x] = ix >= 0 && ix < w ? img[src + ix] : 0;
        }
      }
    }
  }
}

/** col2im: the adjoint of {@link im2col}, adding each column entry back into its image pixel. */
function col2im(cols: FloatArray, c: number, g: Geometry2d, img: FloatArray, off: number): void {
  const { h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const L = oh * ow;
  let row = 0;
  for (let ci = 0; ci < c; ci++) {
    const base = off + ci * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row += L) {
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - ph + i * dh;
          if (iy < 0 || iy >= h) continue;
          const dst = base + iy * w;
          const o = row + y * ow;
          for (let x = 0, ix = j * dw - pw; x < ow; x++, ix += sw)
            if (ix >= 0 && ix < w) img[dst + ix] += cols[o + x];
        }
      }
    }
  }
}

/**
 * conv2d (cross-correlation, as PyTorch), per image n and group: with `cols` = im2col of the
 * group's input channels (`[K, L]`, K = Cin/groups·kh·kw, L = oh·ow) and `W_g` its filters `[Cout/groups, K]`:
 *   y_g = W_g·cols + b
 * → dW_g = Σ_n dy_g·colsᵀ,  dx = col2im(W_gᵀ·dy_g),  db = Σ_{n, y, x} dy.
 * The im2col matrices are saved for dW; backward reads the weight (for dx).
 */
const conv2dOp: Op<Conv2dAttrs> = {
  name: "conv2d",
  backwardReads: [1],
  forward(inputs, a) {
    const [x, wt, bias] = inputs;
    const g = a.geom;
    const [nb, cin] = x.shape;
    const cout = wt.shape[0];
    const G = a.groups;
    const cig = cin / G;
    const cog = cout / G;
    const K = cig * g.kh * g.kw;
    const L = g.oh * g.ow;
    let dtype = promote(x.dtype, wt.dtype);
    if (bias) dtype = promote(dtype, bias.dtype);
    const out = allocate(dtype, nb * cout * L);
    const cols = allocate(dtype, nb * G * K * L);
    for (let n = 0; n < nb; n++) {
      if (bias)
        for (let co = 0; co < cout; co++)
          out.fill(bias._data[co], (n * cout + co) * L, (n * cout + co + 1) * L);
      for (let gi = 0; gi < G; gi++) {
        const cOff = (n * G + gi) * K * L;
        im2col(x._data, (n * cin + gi * cig) * g.h * g.w, cig, g, cols, cOff);
        backend.matmul({
          a: wt._data,
          aOff: gi * cog * K,
          b: cols,
          bOff: cOff,
          out,
          oOff: (n * cout + gi * cog) * L,
          m: cog,
          k: K,
          n: L,
          accumulate: bias !== undefined,
        });
      }
    }
    return { data: out, shape: [nb, cout, g.oh, g.ow], saved: cols };
  },
  backward(gy, ctx, needs) {
    const [x, wt, bias] = ctx.inputs;
    const g = ctx.attrs.geom;
    const cols = ctx.saved as FloatArray;
    const [nb, cin] = x.shape;
    const cout = wt.shape[0];
    const G = ctx.attrs.groups;
    const cig = cin / G;
    const cog = cout / G;
    const K = cig * g.kh * g.kw;
    const L = g.oh * g.ow;
    const dt = gy instanceof Float64Array ? "float64" : "float32";
    const gx = needs[0] ? allocate(dt, x.size) : null;
    const gw = needs[1] ? allocate(dt, wt.size) : null;
    const gb = bias && needs[2] ? allocate(dt, cout) : null;
    const dcols = gx ? allocate(dt, K * L) : null;
    for (let n = 0; n < nb; n++) {
      for (let gi = 0; gi < G; gi++) {
        const yOff = (n * cout + gi * cog) * L;
        const cOff = (n * G + gi) * K * L;
        if (gw) {
          // dW_g[cog×K] += dy_g[cog×L] · colsᵀ (cols stored K×L)
          backend.matmul({
            a: gy,
            aOff: yOff,
            b: cols,
            bOff: cOff,
            out: gw,
            oOff: gi * cog * K,
            m: cog,
            k: L,
            n: K,
            transB: true,
            accumulate: true,
          });
        }
        if (gx && dcols) {
          // dcols[K×L] = W_gᵀ · dy_g (W_g stored cog×K)
          backend.matmul({
            a: wt._data,
            aOff: gi * cog * K,
            b: gy,
            bOff: yOff,
            out: dcols,
            m: K,
            k: cog,
            n: L,
            transA: true,
          });
          col2im(dcols, cig, g, gx, (n * cin + gi * cig) * g.h * g.w);
        }
      }
      if (gb) {
        for (let co = 0; co < cout; co++) {
          let s = 0;
          for (let t = (n * cout + co) * L, end = t + L; t < end; t++) s += gy[t];
          gb[co] += s;
        }
      }
    }
    return bias ? [gx, gw, gb] : [gx, gw];
  },
};

export const convOps = { conv2d: conv2dOp } satisfies Partial<OpTable>;

/** A size option: one non-negative (or positive) integer for both dims, or a pair `[h, w]`. */
export function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  const ok = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= min;
  if (ok(v)) return [v as number, v as number];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  throw new RangeError(
    `${op}: ${name} must be an integer ≥ ${min} or a pair of them, got ${Array.isArray(v) ? `[${v.join(", ")}]` : typeof v === "number" ? v : describeValue(v)}`,
  );
}

/** Output size `⌊(size + 2·pad − dil·(k − 1) − 1)/stride⌋ + 1`, or an error naming the shapes. */
export function geometry(
  op: string,
  shape: readonly number[],
  k: [number, number],
  s: [number, number],
  p: [number, number],
  d: [number, number],
): Geometry2d {
  const h = shape[2];
  const w = shape[3];
  const oh = Math.floor((h + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((w + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  if (oh <= 0 || ow <= 0) {
    throw new RangeError(
      `${op}: input ${fmtShape(shape)} is too small for kernel [${k.join(", ")}] with padding [${p.join(", ")}] ` +
        `and dilation [${d.join(", ")}] (output would be ${oh}×${ow})`,
    );
  }
  return { h, w, kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], oh, ow };
}

/** Options of {@link conv2d}, as `F.conv2d`. */
export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
}

const CONV_OPTIONS = ["stride", "padding", "dilation", "groups"] as const;

/**
 * 2-D convolution (cross-correlation) of `input` `[N, Cin, H, W]` with `weight`
 * `[Cout, Cin/groups, kH, kW]` and optional `bias` `[Cout]`, as `F.conv2d` (zero padding).
 * Output `[N, Cout, Hout, Wout]`, `Hout = ⌊(H + 2·padding − dilation·(kH − 1) − 1)/stride⌋ + 1`.
 * Computed by im2col and the backend's matmul.
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts?: Conv2dOptions): Tensor {
  checkTensor("conv2d", "input", input);
  checkTensor("conv2d", "weight", weight);
  if (bias !== undefined && bias !== null) checkTensor("conv2d", "bias", bias);
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = checkOptions("conv2d", opts, CONV_OPTIONS);
  if (input.ndim !== 4) {
    throw new RangeError(`conv2d: input must be 4-D [N, Cin, H, W], got shape ${fmtShape(input.shape)}`);
  }
  if (weight.ndim !== 4) {
    throw new RangeError(
      `conv2d: weight must be 4-D [Cout, Cin/groups, kH, kW], got shape ${fmtShape(weight.shape)}`,
    );
  }
  if (typeof groups !== "number" || !Number.isInteger(groups) || groups < 1) {
    throw new RangeError(
      `conv2d: groups must be a positive integer, got ${typeof groups === "number" ? groups : describeValue(groups)}`,
    );
  }
  const cin = input.shape[1];
  const cout = weight.shape[0];
  if (cin % groups !== 0 || cout % groups !== 0) {
    throw new RangeError(
      `conv2d: input channels ${cin} and output channels ${cout} must both be divisible by groups ${groups}`,
    );
  }
  if (weight.shape[1] * groups !== cin) {
    throw new RangeError(
      `conv2d: weight ${fmtShape(weight.shape)} expects input with ${weight.shape[1] * groups} channels ` +
        `(groups ${groups}), but input ${fmtShape(input.shape)} has ${cin}`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== cout)) {
    throw new RangeError(
      `conv2d: bias must have shape [${cout}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`,
    );
  }
  const k: [number, number] = [weight.shape[2], weight.shape[3]];
  const geom = geometry(
    "conv2d",
    input.shape,
    k,
    pair("conv2d", "stride", stride, 1),
    pair("conv2d", "padding", padding, 0),
    pair("conv2d", "dilation", dilation, 1),
  );
  checkedSizeOf("conv2d", [input.shape[0], cout, geom.oh, geom.ow]);
  checkedSizeOf("conv2d", [input.shape[0], cin * k[0] * k[1], geom.oh, geom.ow]);
  return apply(conv2dOp, bias ? [input, weight, bias] : [input, weight], { geom, groups });
}

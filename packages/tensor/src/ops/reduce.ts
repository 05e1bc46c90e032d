import { Reduce, type ReduceCode } from "../backend/backend.js";
import { backend } from "../backend/index.js";
import { checkBoolean, checkTensor, describeValue } from "../check.js";
import { allocate, type DType, type FloatArray } from "../dtype.js";
import { apply } from "../engine.js";
import { rethrowNamed } from "../memory.js";
import {
  broadcastStrides,
  copyShape,
  dropDims,
  fmtShape,
  normalizeDim,
  normalizeDims,
  sizeOf,
  sizeOfRange,
} from "../shape.js";
import { Tensor } from "../tensor.js";
import type { Ctx, Forward, Op, OpTable, ReduceAttrs } from "./op.js";

/** Input shape with reduced dims set to 1 (the keepdim shape). */
function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  const s = copyShape(shape);
  for (const d of dims) s[d] = 1;
  return s;
}

function outShapeOf(shape: readonly number[], a: ReduceAttrs): number[] {
  return a.keepdim ? keptShape(shape, a.dims) : dropDims(shape, (i) => a.dims.includes(i));
}

/**
 * Reduces `x` over `dims` with `code`, one dim at a time (highest first). Returns the reduced
 * values in keepdim layout.
 */
function reduceDims(
  code: ReduceCode,
  x: FloatArray,
  shape: readonly number[],
  dims: readonly number[],
  dtype: DType,
) {
  let data = x;
  const cur = copyShape(shape);
  if (dims.length === shape.length) {
    // All dims (or a 0-d tensor): one pass over the flat array.
    const out = allocate(dtype, 1);
    backend.reduce(code, data, out, 1, data.length, 1);
    return out;
  }
  for (let t = dims.length - 1; t >= 0; t--) {
    const d = dims[t];
    const outer = sizeOfRange(cur, 0, d);
    const inner = sizeOfRange(cur, d + 1);
    const out = allocate(dtype, outer * inner);
    backend.reduce(code, data, out, outer, cur[d], inner);
    data = out;
    cur[d] = 1;
  }
  return data;
}

/** Broadcasts a keepdim-shaped gradient back over the input shape, divided by `divisor`. */
function expandGrad(g: FloatArray, x: Tensor, dims: readonly number[], divisor: number): FloatArray {
  const ks = keptShape(x.shape, dims);
  const out = allocate(g instanceof Float64Array ? "float64" : "float32", x.size);
  backend.expand(g, broadcastStrides(ks, x.shape), out, x.shape);
  // mean_backward: grad.expand(...) / N (a division, not a multiplication by 1/N).
  if (divisor !== 1) for (let i = 0; i < out.length; i++) out[i] /= divisor;
  return out;
}

function count(shape: readonly number[], dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d];
  return n;
}

/**
 * Reductions:
 *   sum over dims → backward: g broadcast back over the reduced dims
 *   mean = sum / N → backward: g/N broadcast
 *   max/min (no dim) → g split evenly over all elements equal to the extremum (PyTorch)
 *   maxDim/minDim (dim) → g routed to the index of the first extremum (PyTorch `max(dim)`)
 *   logsumexp: m + log Σ exp(x − m) (m = max, 0 if ±∞) → g·exp(x − out)
 */
const sumOp: Op<ReduceAttrs> = {
  name: "sum",
  backwardReads: [],
  forward(inputs, a): Forward {
    const x = inputs[0];
    return { data: reduceDims(Reduce.sum, x._data, x.shape, a.dims, x.dtype), shape: outShapeOf(x.shape, a) };
  },
  backward: (g, ctx) => [expandGrad(g, ctx.inputs[0], ctx.attrs.dims, 1)],
};

const meanOp: Op<ReduceAttrs> = {
  name: "mean",
  backwardReads: [],
  forward(inputs, a): Forward {
    const x = inputs[0];
    const data = reduceDims(Reduce.sum, x._data, x.shape, a.dims, x.dtype);
    const n = count(x.shape, a.dims);
    for (let i = 0; i < data.length; i++) data[i] /= n;
    return { data, shape: outShapeOf(x.shape, a) };
  },
  backward: (g, ctx) => [
    expandGrad(g, ctx.inputs[0], ctx.attrs.dims, count(ctx.inputs[0].shape, ctx.attrs.dims)),
  ],
};

function extremumAll(name: string, code: ReduceCode): Op<ReduceAttrs> {
  return {
    name,
    backwardReads: [0, "output"],
    forward(inputs, a): Forward {
      const x = inputs[0];
      if (x.size === 0) throw new RangeError(`${name}: cannot reduce an empty tensor`);
      const out = allocate(x.dtype, 1);
      backend.reduce(code, x._data, out, 1, x.size, 1);
      return { data: out, shape: outShapeOf(x.shape, a) };
    },
    backward(g, ctx) {
      const x = ctx.inputs[0];
      const v = ctx.outData[0];
      let ties = 0;
      for (let i = 0; i < x.size; i++)
        if (x._data[i] === v || (Number.isNaN(v) && Number.isNaN(x._data[i]))) ties++;
      const gx = allocate(g instanceof Float64Array ? "float64" : "float32", x.size);
      const share = g[0] / ties;
      for (let i = 0; i < x.size; i++)
        if (x._data[i] === v || (Number.isNaN(v) && Number.isNaN(x._data[i]))) gx[i] = share;
      return [gx];
    },
  };
}

function extremumDim(name: string, code: ReduceCode): Op<ReduceAttrs> {
  return {
    name,
    backwardReads: [],
    forward(inputs, a): Forward {
      const x = inputs[0];
      const d = a.dims[0];
      const r = x.shape[d];
      if (r === 0) throw new RangeError(`${name}: cannot reduce over dim ${d} of size 0`);
      const outer = sizeOfRange(x.shape, 0, d);
      const inner = sizeOfRange(x.shape, d + 1);
      const out = allocate(x.dtype, outer * inner);
      const idx = new Int32Array(outer * inner);
      backend.reduceArg(code, x._data, out, idx, outer, r, inner);
      return { data: out, shape: outShapeOf(x.shape, a), saved: idx };
    },
    backward(g, ctx: Ctx<ReduceAttrs>) {
      const x = ctx.inputs[0];
      const d = ctx.attrs.dims[0];
      const idx = ctx.saved as Int32Array;
      const r = x.shape[d];
      const inner = sizeOfRange(x.shape, d + 1);
      const gx = allocate(g instanceof Float64Array ? "float64" : "float32", x.size);
      for (let t = 0; t < idx.length; t++) {
        const o = Math.floor(t / inner);
        const i = t - o * inner;
        gx[(o * r + idx[t]) * inner + i] += g[t];
      }
      return [gx];
    },
  };
}

const logsumexpOp: Op<ReduceAttrs> = {
  name: "logsumexp",
  backwardReads: [0, "output"],
  forward(inputs, a): Forward {
    const x = inputs[0];
    const shape = outShapeOf(x.shape, a);
    if (x.size === 0) {
      // PyTorch: an empty input gives log(Σ exp(∅)) = log 0 = −∞ per output element.
      const out = allocate(x.dtype, sizeOf(shape));
      out.fill(Number.NEGATIVE_INFINITY);
      return { data: out, shape };
    }
    const ks = keptShape(x.shape, a.dims);
    const m = x.ndim === 0 ? x._data.slice() : reduceDims(Reduce.max, x._data, x.shape, a.dims, x.dtype);
    for (let i = 0; i < m.length; i++)
      if (m[i] === Number.POSITIVE_INFINITY || m[i] === Number.NEGATIVE_INFINITY) m[i] = 0;
    const e = allocate(x.dtype, x.size);
    const mb = allocate(x.dtype, x.size);
    backend.expand(m, broadcastStrides(ks, x.shape), mb, x.shape);
    for (let i = 0; i < e.length; i++) e[i] = Math.exp(x._data[i] - mb[i]);
    const s = x.ndim === 0 ? e : reduceDims(Reduce.sum, e, x.shape, a.dims, x.dtype);
    const out = allocate(x.dtype, s.length);
    for (let i = 0; i < s.length; i++) out[i] = Math.log(s[i]) + m[i];
    return { data: out, shape: outShapeOf(x.shape, a) };
  },
  backward(g, ctx) {
    const x = ctx.inputs[0];
    const dims = ctx.attrs.dims;
    const ks = keptShape(x.shape, dims);
    const gx = expandGrad(g, x, dims, 1);
    const ob = allocate(x.dtype, x.size);
    backend.expand(ctx.outData, broadcastStrides(ks, x.shape), ob, x.shape);
    for (let i = 0; i < gx.length; i++) gx[i] *= Math.exp(x._data[i] - ob[i]);
    return [gx];
  },
};

export const reduceOps = {
  sum: sumOp,
  mean: meanOp,
  max: extremumAll("max", Reduce.max),
  min: extremumAll("min", Reduce.min),
  maxDim: extremumDim("max", Reduce.max),
  minDim: extremumDim("min", Reduce.min),
  logsumexp: logsumexpOp,
} satisfies Partial<OpTable>;

/** A dim argument: one dim, a list of dims, or `undefined` for all dims. */
export type Dims = number | readonly number[] | undefined;

function attrs(op: string, x: Tensor, dim: Dims, keepdim: boolean): ReduceAttrs {
  checkTensor(op, "input", x);
  checkBoolean(op, "keepdim", keepdim);
  return { dims: normalizeDims(op, dim, x.ndim), keepdim };
}

/** Sum over `dim` (a dim, a list, or all when omitted), as `torch.sum`. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply(sumOp, [x], attrs("sum", x, dim, keepdim));
}

/** Mean over `dim` (a dim, a list, or all when omitted), as `torch.mean`. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply(meanOp, [x], attrs("mean", x, dim, keepdim));
}

/** Maximum over all elements, or the values of `torch.max(x, dim)` (use `argmax` for indices). */
export function max(x: Tensor, dim?: number, keepdim = false): Tensor {
  checkTensor("max", "input", x);
  if (dim !== undefined && typeof dim !== "number") {
    throw new TypeError(`max: dim must be an integer or undefined (all elements), got ${describeValue(dim)}`);
  }
  if (dim === undefined) return apply(reduceOps.max, [x], attrs("max", x, undefined, false));
  if (x.ndim === 0) return apply(reduceOps.max, [x], attrs("max", x, dim, false));
  return apply(reduceOps.maxDim, [x], attrs("max", x, dim, keepdim));
}

/** Minimum over all elements, or the values of `torch.min(x, dim)` (use `argmin` for indices). */
export function min(x: Tensor, dim?: number, keepdim = false): Tensor {
  checkTensor("min", "input", x);
  if (dim !== undefined && typeof dim !== "number") {
    throw new TypeError(`min: dim must be an integer or undefined (all elements), got ${describeValue(dim)}`);
  }
  if (dim === undefined) return apply(reduceOps.min, [x], attrs("min", x, undefined, false));
  if (x.ndim === 0) return apply(reduceOps.min, [x], attrs("min", x, dim, false));
  return apply(reduceOps.minDim, [x], attrs("min", x, dim, keepdim));
}

/** `log Σ exp(x)` over `dim` (all dims when omitted), computed stably. */
export function logsumexp(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply(logsumexpOp, [x], attrs("logsumexp", x, dim, keepdim));
}

function argExtremum(
  name: string,
  code: ReduceCode,
  x: Tensor,
  dim: number | undefined,
  keepdim: boolean,
): Tensor {
  checkTensor(name, "input", x);
  checkBoolean(name, "keepdim", keepdim);
  if (x.size === 0) throw new RangeError(`${name}: cannot reduce an empty tensor`);
  let outer = 1;
  let r = x.size;
  let inner = 1;
  let shape: number[] = keepdim ? new Array<number>(x.ndim).fill(1) : [];
  if (dim !== undefined) {
    const d = normalizeDim(name, dim, x.ndim);
    if (x.ndim > 0) {
      outer = sizeOfRange(x.shape, 0, d);
      r = x.shape[d];
      inner = sizeOfRange(x.shape, d + 1);
      shape = outShapeOf(x.shape, { dims: [d], keepdim });
    }
  }
  try {
    const vals = allocate(x.dtype, outer * inner);
    const idx = new Int32Array(outer * inner);
    backend.reduceArg(code, x._data, vals, idx, outer, r, inner);
    return new Tensor(Float64Array.from(idx), shape);
  } catch (e) {
    return rethrowNamed(e, name, `for an input of shape ${fmtShape(x.shape)}`);
  }
}

/**
 * Index of the maximum (first occurrence; NaN counts as maximal) over all elements (flat index)
 * or along `dim`. Returns a float64 tensor of integer values without gradient (PyTorch: int64).
 */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtremum("argmax", Reduce.max, x, dim, keepdim);
}

/** Index of the minimum; see {@link argmax}. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtremum("argmin", Reduce.min, x, dim, keepdim);
}

import { Reduce } from "../backend/backend.js";
import { backend } from "../backend/index.js";
import { checkBoolean, checkOptions, checkTensor, describeValue } from "../check.js";
import { allocate, type FloatArray } from "../dtype.js";
import { apply } from "../engine.js";
import { broadcastStrides, copyShape, dropDims, normalizeDims, sizeOfRange } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { Op, OpTable, VarAttrs } from "./op.js";
import type { Dims } from "./reduce.js";

function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  const s = copyShape(shape);
  for (const d of dims) s[d] = 1;
  return s;
}

/** Sum over `dims` in keepdim layout (one dim at a time, highest first). */
function sumDims(x: FloatArray, shape: readonly number[], dims: readonly number[]): FloatArray {
  let data = x;
  const cur = copyShape(shape);
  for (let t = dims.length - 1; t >= 0; t--) {
    const d = dims[t];
    const outer = sizeOfRange(cur, 0, d);
    const inner = sizeOfRange(cur, d + 1);
    const out = allocate(x instanceof Float64Array ? "float64" : "float32", outer * inner);
    backend.reduce(Reduce.sum, data, out, outer, cur[d], inner);
    data = out;
    cur[d] = 1;
  }
  if (data === x) data = x.slice();
  return data;
}

/** `x − mean(x)` over `dims` (input-shaped) and the element count n. */
function centered(x: Tensor, dims: readonly number[]): { c: FloatArray; n: number } {
  let n = 1;
  for (const d of dims) n *= x.shape[d];
  const m = sumDims(x._data, x.shape, dims);
  for (let i = 0; i < m.length; i++) m[i] /= n;
  const mb = allocate(x.dtype, x.size);
  backend.expand(m, broadcastStrides(keptShape(x.shape, dims), x.shape), mb, x.shape);
  const c = mb;
  for (let i = 0; i < c.length; i++) c[i] = x._data[i] - mb[i];
  return { c, n };
}

/** Σ(x − x̄)² / max(0, n − correction): division by 0 gives inf (or NaN for 0/0), as PyTorch. */
function varianceForward(x: Tensor, a: VarAttrs): { data: FloatArray; c: FloatArray; n: number } {
  const { c, n } = centered(x, a.dims);
  const sq = allocate(x.dtype, x.size);
  for (let i = 0; i < sq.length; i++) sq[i] = c[i] * c[i];
  const data = sumDims(sq, x.shape, a.dims);
  const dof = Math.max(0, n - a.correction);
  for (let i = 0; i < data.length; i++) data[i] /= dof;
  return { data, c, n };
}

function outShape(shape: readonly number[], a: VarAttrs): number[] {
  return a.keepdim ? keptShape(shape, a.dims) : dropDims(shape, (i) => a.dims.includes(i));
}

/**
 * `gx = (2/(n − correction))·gv·(x − x̄)` with `gv` in keepdim layout, as PyTorch 2.x's
 * `var_backward`: without a dim and n − correction ≤ 0 it is gv·(NaN where x = x̄, else +∞);
 * with a dim the factor 2/(n − correction) is used as is (±∞ or negative).
 */
function varianceBackward(gv: FloatArray, x: Tensor, a: VarAttrs, c: FloatArray, n: number): FloatArray {
  const gb = allocate(gv instanceof Float64Array ? "float64" : "float32", x.size);
  backend.expand(gv, broadcastStrides(keptShape(x.shape, a.dims), x.shape), gb, x.shape);
  const dof = n - a.correction;
  if (a.allDims && dof <= 0) {
    for (let i = 0; i < gb.length; i++) gb[i] *= c[i] === 0 ? Number.NaN : Number.POSITIVE_INFINITY;
    return gb;
  }
  const k = 2 / dof;
  for (let i = 0; i < gb.length; i++) gb[i] = k * gb[i] * c[i];
  return gb;
}

/**
 * var: v = Σ(x − x̄)² / (n − correction) over `dims` → gx = g · 2(x − x̄)/(n − correction)
 * (the mean's own dependence on x cancels: Σ(x − x̄) = 0).
 */
const varOp: Op<VarAttrs> = {
  name: "var",
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const { data, c, n } = varianceForward(x, a);
    return { data, shape: outShape(x.shape, a), saved: { c, n } };
  },
  backward(g, ctx) {
    const { c, n } = ctx.saved as { c: FloatArray; n: number };
    return [varianceBackward(g, ctx.inputs[0], ctx.attrs, c, n)];
  },
};

/**
 * std: s = √var → gx = (g / 2s) · 2(x − x̄)/(n − correction), with g/2s taken as 0 where s = 0
 * (PyTorch's `std_backward` masks it, so a constant input gets a zero gradient, not NaN).
 */
const stdOp: Op<VarAttrs> = {
  name: "std",
  backwardReads: ["output"],
  forward(inputs, a) {
    const x = inputs[0];
    const { data, c, n } = varianceForward(x, a);
    for (let i = 0; i < data.length; i++) data[i] = Math.sqrt(data[i]);
    return { data, shape: outShape(x.shape, a), saved: { c, n } };
  },
  backward(g, ctx) {
    const { c, n } = ctx.saved as { c: FloatArray; n: number };
    const s = ctx.outData;
    const gv = allocate(g instanceof Float64Array ? "float64" : "float32", g.length);
    for (let i = 0; i < g.length; i++) gv[i] = s[i] === 0 ? 0 : g[i] / (2 * s[i]);
    return [varianceBackward(gv, ctx.inputs[0], ctx.attrs, c, n)];
  },
};

export const varianceOps = { var: varOp, std: stdOp } satisfies Partial<OpTable>;

/** Options of {@link variance} and {@link std}, as `torch.var` / `torch.std`. */
export interface VarOptions {
  /** Dim, dims, or `undefined` (default) for all elements. */
  dim?: Dims;
  /** Subtracted from the element count in the divisor (default 1: Bessel's correction; 0: biased). */
  correction?: number;
  /** Keep reduced dims as size 1 (default false). */
  keepdim?: boolean;
}

const VAR_OPTIONS = ["dim", "correction", "keepdim"] as const;

function varAttrs(op: string, x: Tensor, opts: VarOptions | undefined): VarAttrs {
  checkTensor(op, "input", x);
  const { dim, correction = 1, keepdim = false } = checkOptions(op, opts, VAR_OPTIONS);
  checkBoolean(op, "keepdim", keepdim);
  if (typeof correction !== "number" || !Number.isFinite(correction) || correction < 0) {
    throw new RangeError(
      `${op}: correction must be a non-negative finite number, got ${typeof correction === "number" ? correction : describeValue(correction)}`,
    );
  }
  return {
    dims: normalizeDims(op, dim, x.ndim),
    keepdim,
    correction,
    allDims: dim === undefined || x.ndim === 0,
  };
}

/**
 * Variance over `dim` (all elements by default): Σ(x − x̄)² / (n − correction), as `torch.var`.
 * When `n − correction ≤ 0` the result is inf, or NaN where the sum is 0 (as PyTorch).
 */
export function variance(x: Tensor, opts?: VarOptions): Tensor {
  return apply(varOp, [x], varAttrs("var", x, opts));
}

/** Standard deviation: √{@link variance}, as `torch.std` (same options). */
export function std(x: Tensor, opts?: VarOptions): Tensor {
  return apply(stdOp, [x], varAttrs("std", x, opts));
}

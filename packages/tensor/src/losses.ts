import { checkOptions, checkTensor, describeValue, isTensor } from "./check.js";
import { allocate, type FloatArray, promote } from "./dtype.js";
import { apply } from "./engine.js";
import type { Indices } from "./ops/indexing.js";
import type { Op, OpTable, Reduction } from "./ops/op.js";
import { fmtShape, sameShape } from "./shape.js";
import type { Tensor } from "./tensor.js";

function checkReduction(op: string, r: unknown): Reduction {
  if (r === "mean" || r === "sum" || r === "none") return r;
  throw new TypeError(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(r)}`);
}

/** Scale of row `n`'s gradient for a reduction, given the upstream gradient `g`. */
function rowScale(g: FloatArray, reduction: Reduction, n: number, count: number): number {
  return reduction === "none" ? g[n] : reduction === "sum" ? g[0] : g[0] / count;
}

function reduceRows(lossRows: FloatArray, reduction: Reduction): { data: FloatArray; shape: number[] } {
  if (reduction === "none") return { data: lossRows, shape: [lossRows.length] };
  let s = 0;
  for (let i = 0; i < lossRows.length; i++) s += lossRows[i];
  const out = allocate(lossRows instanceof Float64Array ? "float64" : "float32", 1);
  out[0] = reduction === "mean" ? s / lossRows.length : s;
  return { data: out, shape: [] };
}

/**
 * Cross-entropy of logits `x: [N, C]` against class indices `t: [N]`:
 *   ℓₙ = logsumexp(xₙ) − xₙ,ₜₙ   (log-sum-exp with the row max subtracted: no overflow)
 * reduced by mean (default), sum or none.  Backward: ∂ℓₙ/∂xₙ,c = softmax(xₙ)_c − [c = tₙ].
 */
const crossEntropyOp: Op<{ targets: Int32Array; reduction: Reduction }> = {
  name: "crossEntropy",
  backwardReads: [0],
  forward(inputs, a) {
    const x = inputs[0];
    const n = a.targets.length;
    const c = x.size / n;
    // Per row: the max m and log Σ exp(x − m), so log-softmax = (x − m) − ls as in PyTorch.
    const stats = new Float64Array(2 * n);
    const rowLoss = allocate(x.dtype, n);
    for (let i = 0; i < n; i++) {
      const base = i * c;
      let m = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < c; j++)
        if (x._data[base + j] > m || Number.isNaN(x._data[base + j])) m = x._data[base + j];
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(x._data[base + j] - m);
      const ls = Math.log(s);
      stats[2 * i] = m;
      stats[2 * i + 1] = ls;
      rowLoss[i] = -(x._data[base + a.targets[i]] - m - ls);
    }
    const r = reduceRows(rowLoss, a.reduction);
    return { data: r.data, shape: x.ndim === 1 && a.reduction === "none" ? [] : r.shape, saved: stats };
  },
  backward(g, ctx) {
    const x = ctx.inputs[0];
    const { targets, reduction } = ctx.attrs;
    const stats = ctx.saved as Float64Array;
    const n = targets.length;
    const c = x.size / n;
    const gx = allocate(x.dtype, x.size);
    for (let i = 0; i < n; i++) {
      const s = rowScale(g, reduction, i, n);
      const base = i * c;
      const m = stats[2 * i];
      const ls = stats[2 * i + 1];
      for (let j = 0; j < c; j++) gx[base + j] = s * Math.exp(x._data[base + j] - m - ls);
      gx[base + targets[i]] -= s;
    }
    return [gx];
  },
};

/** Divisor of a reduction's gradient: N for mean, 1 otherwise. */
function gradDivisor(reduction: Reduction, n: number): number {
  return reduction === "mean" ? n : 1;
}

/**
 * Binary cross-entropy on logits x with targets y ∈ [0, 1] (same shape), as PyTorch computes it:
 *   ℓ = (1 − y)·x − logσ(x),   logσ(x) = min(x, 0) − log1p(e^{−|x|})   (stable for any x)
 * Backward: ∂ℓ/∂x = (σ(x) − y)·g / N,  ∂ℓ/∂y = (−x·g) / N  (N = numel for mean, else 1).
 */
const bceWithLogitsOp: Op<{ reduction: Reduction }> = {
  name: "binaryCrossEntropyWithLogits",
  backwardReads: [0, 1],
  forward(inputs, a) {
    const [x, y] = inputs;
    const l = allocate(promote(x.dtype, y.dtype), x.size);
    for (let i = 0; i < x.size; i++) {
      const v = x._data[i];
      const logSigmoid = Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v)));
      l[i] = (1 - y._data[i]) * v - logSigmoid;
    }
    if (a.reduction === "none") return { data: l, shape: x.shape };
    const r = reduceRows(l, a.reduction);
    return { data: r.data, shape: [] };
  },
  backward(g, ctx, needs) {
    const [x, y] = ctx.inputs;
    const { reduction } = ctx.attrs;
    const n = x.size;
    const dt = g instanceof Float64Array ? "float64" : "float32";
    const gx = needs[0] ? allocate(dt, n) : null;
    const gy = needs[1] ? allocate(dt, n) : null;
    const div = gradDivisor(reduction, n);
    for (let i = 0; i < n; i++) {
      const gi = reduction === "none" ? g[i] : g[0];
      const v = x._data[i];
      if (gx) gx[i] = ((1 / (1 + Math.exp(-v)) - y._data[i]) * gi) / div;
      if (gy) gy[i] = (-v * gi) / div;
    }
    return [gx, gy];
  },
};

/**
 * Mean squared error, as PyTorch's `mse_loss`: ℓ = (x − t)² reduced by mean/sum/none.
 * Backward: ∂ℓ/∂x = (norm·(x − t))·g with norm = 2/N for mean, else 2;  ∂ℓ/∂t = −∂ℓ/∂x.
 */
const mseLossOp: Op<{ reduction: Reduction }> = {
  name: "mseLoss",
  backwardReads: [0, 1],
  forward(inputs, a) {
    const [x, t] = inputs;
    const l = allocate(promote(x.dtype, t.dtype), x.size);
    for (let i = 0; i < x.size; i++) {
      const d = x._data[i] - t._data[i];
      l[i] = d * d;
    }
    if (a.reduction === "none") return { data: l, shape: x.shape };
    return { data: reduceRows(l, a.reduction).data, shape: [] };
  },
  backward(g, ctx, needs) {
    const [x, t] = ctx.inputs;
    const { reduction } = ctx.attrs;
    const n = x.size;
    const dt = g instanceof Float64Array ? "float64" : "float32";
    const norm = reduction === "mean" ? 2 / n : 2;
    const gx = allocate(dt, n);
    for (let i = 0; i < n; i++)
      gx[i] = norm * (x._data[i] - t._data[i]) * (reduction === "none" ? g[i] : g[0]);
    let gt: FloatArray | null = null;
    if (needs[1]) {
      gt = allocate(dt, n);
      for (let i = 0; i < n; i++) gt[i] = -gx[i];
    }
    return [needs[0] ? gx : null, gt];
  },
};

export const lossOps = {
  crossEntropy: crossEntropyOp,
  bceWithLogits: bceWithLogitsOp,
  mseLoss: mseLossOp,
} satisfies Partial<OpTable>;

const LOSS_OPTIONS = ["reduction"];

export interface LossOptions {
  /** `"mean"` (default), `"sum"` or `"none"`, as in PyTorch. */
  reduction?: Reduction;
}

/**
 * Cross-entropy between `logits` `[N, C]` (or `[C]`) and integer class `targets` (`[N]`, or one
 * index), as `torch.nn.functional.cross_entropy` with class-index targets. Stable for huge logits.
 */
export function crossEntropy(logits: Tensor, targets: Indices | number, opts: LossOptions = {}): Tensor {
  checkTensor("crossEntropy", "input", logits);
  const reduction = checkReduction(
    "crossEntropy",
    checkOptions("crossEntropy", opts, LOSS_OPTIONS).reduction ?? "mean",
  );
  if (logits.ndim !== 1 && logits.ndim !== 2) {
    throw new RangeError(`crossEntropy: logits must be [N, C] or [C], got ${fmtShape(logits.shape)}`);
  }
  const index = classTargets(logits, targets);
  return apply(crossEntropyOp, [logits], { targets: index, reduction });
}

/**
 * Class-index targets of `crossEntropy` for `logits` `[N, C]` (or `[C]`): one integer in
 * `[0, C − 1]` per row, given as a number, a flat array, a typed array or a 0-d/1-D tensor. Every
 * bad label is named with its position: NaN, a fraction, a negative or out-of-range index.
 */
function classTargets(logits: Tensor, targets: unknown): Int32Array {
  const op = "crossEntropy";
  const c = logits.shape[logits.ndim - 1];
  const n = logits.ndim === 2 ? logits.shape[0] : 1;
  let values: ArrayLike<unknown>;
  if (typeof targets === "number") values = [targets];
  else if (isTensor(targets)) {
    if (targets.ndim > 1) {
      throw new RangeError(
        `${op}: targets must be 1-D class indices, got a tensor of shape ${fmtShape(targets.shape)}`,
      );
    }
    values = targets._data;
  } else if (Array.isArray(targets) || (ArrayBuffer.isView(targets) && !(targets instanceof DataView))) {
    values = targets as ArrayLike<unknown>;
  } else {
    throw new TypeError(
      `${op}: targets must be class indices (a number, an array, an integer typed array or a Tensor), got ${describeValue(targets)}`,
    );
  }
  if (values.length !== n) {
    throw new RangeError(
      `${op}: logits ${fmtShape(logits.shape)} need ${n} target${n === 1 ? "" : "s"} (one class index per row), got ${values.length}`,
    );
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number") {
      const what = Array.isArray(v) ? "an array (targets must be 1-D)" : describeValue(v);
      throw new TypeError(`${op}: target at position ${i} must be an integer class index, got ${what}`);
    }
    if (Number.isInteger(v) && v >= 0 && v < c) {
      out[i] = v;
      continue;
    }
    const why = Number.isNaN(v)
      ? "not a number"
      : !Number.isFinite(v)
        ? "not finite"
        : !Number.isInteger(v)
          ? "not an integer"
          : v < 0
            ? "negative"
            : "out of range";
    const range =
      c === 0
        ? `logits ${fmtShape(logits.shape)} have no classes (size 0)`
        : `expected an integer class index in [0, ${c - 1}] (size ${c}, the class dim of logits ${fmtShape(logits.shape)})`;
    throw new RangeError(
      `${op}: target ${v} at position ${i} is ${why}; ${range}${v < 0 ? "; ignoreIndex is not supported" : ""}`,
    );
  }
  return out;
}

/** `torch.nn.functional.binary_cross_entropy_with_logits` (no weights); `targets` same shape. */
export function binaryCrossEntropyWithLogits(
  logits: Tensor,
  targets: Tensor,
  opts: LossOptions = {},
): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  checkTensor(op, "input", logits);
  checkTensor(op, "target", targets);
  const reduction = checkReduction(op, checkOptions(op, opts, LOSS_OPTIONS).reduction ?? "mean");
  if (!sameShape(logits.shape, targets.shape)) {
    throw new RangeError(
      `binaryCrossEntropyWithLogits: target shape ${fmtShape(targets.shape)} must match logits shape ${fmtShape(logits.shape)}`,
    );
  }
  return apply(bceWithLogitsOp, [logits, targets], { reduction });
}

/**
 * Mean squared error `mean((pred − target)²)` (`reduction` as in PyTorch). Shapes must match
 * exactly (PyTorch broadcasts with a warning; here that is an error).
 */
export function mseLoss(pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkTensor("mseLoss", "input", pred);
  checkTensor("mseLoss", "target", target);
  const reduction = checkReduction(
    "mseLoss",
    checkOptions("mseLoss", opts, LOSS_OPTIONS).reduction ?? "mean",
  );
  if (!sameShape(pred.shape, target.shape)) {
    throw new RangeError(
      `mseLoss: target shape ${fmtShape(target.shape)} must match input shape ${fmtShape(pred.shape)}`,
    );
  }
  return apply(mseLossOp, [pred, target], { reduction });
}

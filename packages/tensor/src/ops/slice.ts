import { checkTensor, describeValue } from "../check.js";
import { allocate } from "../dtype.js";
import { apply } from "../engine.js";
import { copyShape, fmtShape, normalizeDim, sizeOfRange } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { Op, OpTable, SliceAttrs } from "./op.js";

/**
 * slice: `out = x[…, start : start + step·length : step, …]` along `dim` (a copy; storage is
 * contiguous, so only a full range could share it) → backward: g written back into those entries,
 * zeros elsewhere.
 */
const sliceOp: Op<SliceAttrs> = {
  name: "slice",
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const { dim, start, step, length } = a;
    const outer = sizeOfRange(x.shape, 0, dim);
    const r = x.shape[dim];
    const inner = sizeOfRange(x.shape, dim + 1);
    const out = allocate(x.dtype, outer * length * inner);
    const src = x._data;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < length; j++) {
        const s = (o * r + start + j * step) * inner;
        out.set(src.subarray(s, s + inner), (o * length + j) * inner);
      }
    }
    const shape = copyShape(x.shape);
    shape[dim] = length;
    return { data: out, shape };
  },
  backward(g, ctx) {
    const x = ctx.inputs[0];
    const { dim, start, step, length } = ctx.attrs;
    const outer = sizeOfRange(x.shape, 0, dim);
    const r = x.shape[dim];
    const inner = sizeOfRange(x.shape, dim + 1);
    const gx = allocate(g instanceof Float64Array ? "float64" : "float32", x.size);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < length; j++) {
        const s = (o * length + j) * inner;
        gx.set(g.subarray(s, s + inner), (o * r + start + j * step) * inner);
      }
    }
    return [gx];
  },
};

export const sliceOps = { slice: sliceOp } satisfies Partial<OpTable>;

function checkInt(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(
      `${op}: ${name} must be an integer, got ${typeof v === "number" ? v : describeValue(v)}`,
    );
  }
  return v;
}

/**
 * `x[…, start:end:step, …]` along `dim`, as Python/PyTorch slicing: negative `start`/`end` count
 * from the end, both are clamped into `[0, size]`, an empty range gives a size-0 dim; `end`
 * defaults to the size, `step` must be positive. A copy (gradients flow back to the sliced entries).
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number | null, step = 1): Tensor {
  checkTensor("slice", "input", x);
  if (x.ndim === 0) throw new RangeError("slice: cannot slice a 0-d tensor");
  const d = normalizeDim("slice", dim, x.ndim);
  const size = x.shape[d];
  checkInt("slice", "start", start);
  const e = end === undefined || end === null ? size : checkInt("slice", "end", end);
  checkInt("slice", "step", step);
  if (step <= 0) throw new RangeError(`slice: step must be positive, got ${step}`);
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIdx(start);
  const stop = clampIdx(e);
  const length = stop > s ? Math.floor((stop - s + step - 1) / step) : 0;
  return apply(sliceOp, [x], { dim: d, start: s, step, length });
}

/**
 * `length` entries of `dim` from `start` (`torch.narrow`): `start` may be negative (counts from
 * the end); unlike {@link slice} nothing is clamped, an out-of-range window is an error.
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor("narrow", "input", x);
  if (x.ndim === 0) throw new RangeError("narrow: cannot narrow a 0-d tensor");
  const d = normalizeDim("narrow", dim, x.ndim);
  const size = x.shape[d];
  checkInt("narrow", "start", start);
  checkInt("narrow", "length", length);
  if (start < -size || start > size) {
    throw new RangeError(
      `narrow: start ${start} out of range for dim ${d} of size ${size} in ${fmtShape(x.shape)} ` +
        `(expected an integer in [${-size}, ${size}])`,
    );
  }
  const s = start < 0 ? start + size : start;
  if (length < 0 || s + length > size) {
    throw new RangeError(
      `narrow: start ${start} + length ${length} exceeds dim ${d} of size ${size} in ${fmtShape(x.shape)}`,
    );
  }
  return apply(sliceOp, [x], { dim: d, start: s, step: 1, length });
}

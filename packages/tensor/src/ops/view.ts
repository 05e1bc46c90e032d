import { backend } from "../backend/index.js";
import { checkTensor, describeValue } from "../check.js";
import { allocate, checkDType, type DType } from "../dtype.js";
import { apply } from "../engine.js";
import {
  checkNdim,
  copyShape,
  dropDims,
  fmtShape,
  normalizeDim,
  normalizeNewDim,
  sizeOf,
  sizeOfRange,
} from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { Op, OpTable } from "./op.js";

/**
 * reshape: same storage, new shape (a view, as for contiguous tensors in PyTorch) → g reshaped.
 * permute: reorders dims (a copy) → g permuted by the inverse permutation.
 */
const reshapeOp: Op<{ shape: number[] }> = {
  name: "reshape",
  backwardReads: [],
  forward: (inputs, a) => ({ data: inputs[0]._data, shape: a.shape }),
  backward: (g) => [g],
};

const permuteOp: Op<{ perm: number[] }> = {
  name: "permute",
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const out = allocate(x.dtype, x.size);
    backend.permute(x._data, x.shape, a.perm, out);
    return { data: out, shape: a.perm.map((p) => x.shape[p]) };
  },
  backward(g, ctx) {
    const perm = ctx.attrs.perm;
    const inv = new Array<number>(perm.length);
    for (let i = 0; i < perm.length; i++) inv[perm[i]] = i;
    const out = allocate(g instanceof Float64Array ? "float64" : "float32", g.length);
    backend.permute(g, ctx.outShape, inv, out);
    return [out];
  },
};

/** cast: a copy in another dtype → g (the engine casts it back to the input's dtype). */
const castOp: Op<{ dtype: DType }> = {
  name: "cast",
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const out = allocate(a.dtype, x.size);
    out.set(x._data);
    return { data: out, shape: x.shape };
  },
  backward: (g) => [g],
};

export const viewOps = { reshape: reshapeOp, permute: permuteOp, cast: castOp } satisfies Partial<OpTable>;

/** Resolves a target shape with at most one `-1` against `size` elements. */
function resolveShape(op: string, from: readonly number[], shape: readonly number[]): number[] {
  if (!Array.isArray(shape))
    throw new TypeError(`${op}: shape must be an array of integers, got ${describeValue(shape)}`);
  checkNdim(op, shape.length);
  const size = sizeOf(from);
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be -1 in ${fmtShape(shape)}`);
      infer = i;
    } else if (typeof d !== "number") {
      throw new TypeError(
        `${op}: shape must be an array of integers, got ${describeValue(d)} at position ${i}`,
      );
    } else if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${op}: invalid size ${d} in shape ${fmtShape(shape)}`);
    } else known *= d;
  }
  const out = copyShape(shape);
  if (infer >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new RangeError(
        `${op}: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (size ${size})`,
      );
    }
    out[infer] = size / known;
  } else if (known !== size) {
    throw new RangeError(
      `${op}: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (size ${size})`,
    );
  }
  return out;
}

/** Same data, new shape (one dim may be -1). Shares storage with `x`. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("reshape", "input", x);
  return apply(reshapeOp, [x], { shape: resolveShape("reshape", x.shape, shape) });
}

/** Reorders dims: `out.shape[i] = x.shape[perm[i]]`. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkTensor("permute", "input", x);
  if (!Array.isArray(perm)) {
    throw new TypeError(`permute: dims must be an array of integers, got ${describeValue(perm)}`);
  }
  if (perm.length !== x.ndim) {
    throw new RangeError(
      `permute: permutation ${fmtShape(perm)} does not match a ${x.ndim}-D tensor ${fmtShape(x.shape)}`,
    );
  }
  const p = perm.map((d) => normalizeDim("permute", d, x.ndim));
  if (new Set(p).size !== p.length)
    throw new RangeError(`permute: repeated dim in permutation ${fmtShape(perm)}`);
  return apply(permuteOp, [x], { perm: p });
}

/** Swaps two dims (a copy; 0-d and 1-D tensors are returned as is, as in PyTorch). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  checkTensor("transpose", "input", x);
  const a = normalizeDim("transpose", dim0, x.ndim);
  const b = normalizeDim("transpose", dim1, x.ndim);
  if (x.ndim < 2 || a === b) return reshape(x, x.shape);
  const perm = Array.from({ length: x.ndim }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return apply(permuteOp, [x], { perm });
}

/** Removes `dim` if its size is 1 (or every size-1 dim when omitted). A view. */
export function squeeze(x: Tensor, dim?: number): Tensor {
  checkTensor("squeeze", "input", x);
  if (dim === undefined)
    return reshape(
      x,
      dropDims(x.shape, (i) => x.shape[i] === 1),
    );
  const d = normalizeDim("squeeze", dim, x.ndim);
  if (x.ndim === 0 || x.shape[d] !== 1) return reshape(x, x.shape);
  return reshape(
    x,
    dropDims(x.shape, (i) => i === d),
  );
}

/** Inserts a size-1 dim at `dim` (in `[-ndim-1, ndim]`: ndim + 1 positions). A view. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor("unsqueeze", "input", x);
  const d = normalizeNewDim("unsqueeze", dim, x.ndim);
  const s = copyShape(x.shape);
  s.splice(d, 0, 1);
  return reshape(x, s);
}

/** Flattens dims `startDim..endDim` (inclusive) into one. A view. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor("flatten", "input", x);
  const s = normalizeDim("flatten", startDim, x.ndim);
  const e = normalizeDim("flatten", endDim, x.ndim);
  if (x.ndim === 0) return reshape(x, [1]);
  if (s > e) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = copyShape(x.shape);
  shape.splice(s, e + 1 - s, sizeOfRange(x.shape, s, e + 1));
  return reshape(x, shape);
}

/** A copy converted to `dtype` (differentiable; the gradient is cast back). */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor("cast", "input", x);
  return apply(castOp, [x], { dtype: checkDType("cast", dtype) });
}

import { backend } from "../backend/index.js";
import { checkTensor } from "../check.js";
import { allocate } from "../dtype.js";
import { apply } from "../engine.js";
import { normalizeDim, sizeOfRange } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { Op, OpTable } from "./op.js";

/** `[outer, r, inner]` view of `shape` around `dim` (0-d tensors are one element). */
function split(shape: readonly number[], dim: number): [number, number, number] {
  if (shape.length === 0) return [1, 1, 1];
  return [sizeOfRange(shape, 0, dim), shape[dim], sizeOfRange(shape, dim + 1)];
}

function softmaxOp(name: string, log: boolean): Op<{ dim: number }> {
  return {
    name,
    backwardReads: ["output"],
    forward(inputs, a) {
      const x = inputs[0];
      const [o, r, i] = split(x.shape, a.dim);
      const out = allocate(x.dtype, x.size);
      backend.softmax(x._data, out, o, r, i, log);
      return { data: out, shape: x.shape };
    },
    backward(g, ctx) {
      const x = ctx.inputs[0];
      const [o, r, i] = split(x.shape, ctx.attrs.dim);
      const out = allocate(x.dtype, x.size);
      backend.softmaxGrad(ctx.outData, g, out, o, r, i, log);
      return [out];
    },
  };
}

/**
 * softmax: yᵢ = exp(xᵢ − m) / Σⱼ exp(xⱼ − m) (m = max, for stability) → gx = y ⊙ (g − Σ g⊙y)
 * logSoftmax: yᵢ = xᵢ − m − log Σⱼ exp(xⱼ − m) → gx = g − exp(y)·Σ g
 */
export const softmaxOps = {
  softmax: softmaxOp("softmax", false),
  logSoftmax: softmaxOp("logSoftmax", true),
} satisfies Partial<OpTable>;

/** Softmax along `dim` (required, as in PyTorch). */
export function softmax(x: Tensor, dim: number): Tensor {
  checkTensor("softmax", "input", x);
  if (dim === undefined) throw new TypeError("softmax: dim is required");
  return apply(softmaxOps.softmax, [x], { dim: normalizeDim("softmax", dim, x.ndim) });
}

/** Log-softmax along `dim` (required), numerically stable. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkTensor("logSoftmax", "input", x);
  if (dim === undefined) throw new TypeError("logSoftmax: dim is required");
  return apply(softmaxOps.logSoftmax, [x], { dim: normalizeDim("logSoftmax", dim, x.ndim) });
}

import { checkTensor } from "../check.js";
import { allocate } from "../dtype.js";
import { apply } from "../engine.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { type Indices, toIndices } from "./indexing.js";
import type { EmbeddingAttrs, Op, OpTable } from "./op.js";

/**
 * embedding: `out[…, :] = weight[indices[…], :]` (shape `[...indices.shape, D]`)
 * → backward: `gW[r, :] = Σ_{k: indices[k] = r} g[k, :]` (scatter-add: repeated rows accumulate).
 */
const embeddingOp: Op<EmbeddingAttrs> = {
  name: "embedding",
  backwardReads: [],
  forward(inputs, a) {
    const w = inputs[0];
    const d = w.shape[1];
    const idx = a.index;
    const out = allocate(w.dtype, idx.length * d);
    const src = w._data;
    for (let k = 0; k < idx.length; k++) out.set(src.subarray(idx[k] * d, idx[k] * d + d), k * d);
    return { data: out, shape: [...a.indexShape, d] };
  },
  backward(g, ctx) {
    const w = ctx.inputs[0];
    const d = w.shape[1];
    const idx = ctx.attrs.index;
    const gw = allocate(g instanceof Float64Array ? "float64" : "float32", w.size);
    for (let k = 0; k < idx.length; k++) {
      const dst = idx[k] * d;
      const src = k * d;
      for (let j = 0; j < d; j++) gw[dst + j] += g[src + j];
    }
    return [gw];
  },
};

export const embeddingOps = { embedding: embeddingOp } satisfies Partial<OpTable>;

/**
 * Looks up rows of `weight` (`[numEmbeddings, embeddingDim]`) by integer `indices` (any shape; an
 * array, integer typed array or a tensor of integer values), as `F.embedding`: the result has shape
 * `[...indices.shape, embeddingDim]`; the gradient is scatter-added into the rows that were used.
 */
export function embedding(indices: Indices, weight: Tensor): Tensor {
  checkTensor("embedding", "weight", weight);
  if (weight.ndim !== 2) {
    throw new RangeError(
      `embedding: weight must be 2-D [numEmbeddings, embeddingDim], got shape ${fmtShape(weight.shape)}`,
    );
  }
  const { index, shape } = toIndices("embedding", indices, weight.shape[0]);
  return apply(embeddingOp, [weight], { index, indexShape: shape });
}

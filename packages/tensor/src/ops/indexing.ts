import { checkTensor, describeValue } from "../check.js";
import { allocate, type FloatArray, promote } from "../dtype.js";
import { apply } from "../engine.js";
import type { NestedArray } from "../nested.js";
import {
  checkedSizeOf,
  copyShape,
  fmtShape,
  normalizeDim,
  normalizeNewDim,
  sameShape,
  sizeOf,
  sizeOfRange,
} from "../shape.js";
import { Tensor } from "../tensor.js";
import type { Op, OpTable } from "./op.js";

/** Integer indices: a plain array, an integer typed array, or a tensor holding integers. */
export type Indices = readonly NestedArray[] | ArrayLike<number> | Tensor;

/**
 * Validates indices into `[0, bound)` and returns them as an Int32Array (plus their shape). With
 * `wrap`, negative indices in `[-bound, -1]` count from the end (`i + bound`), as Python indexing.
 */
export function toIndices(
  op: string,
  idx: Indices,
  bound: number,
  wrap = false,
): { index: Int32Array; shape: number[] } {
  let values: ArrayLike<number>;
  let shape: number[];
  if (idx instanceof Tensor) {
    values = idx._data;
    shape = copyShape(idx.shape);
  } else if (Array.isArray(idx) && idx.some((v) => Array.isArray(v))) {
    const t = Tensor.from(idx as never, { dtype: "float64" });
    values = t._data;
    shape = copyShape(t.shape);
  } else if (
    idx !== null &&
    typeof idx === "object" &&
    typeof (idx as ArrayLike<number>).length === "number"
  ) {
    values = idx as ArrayLike<number>;
    shape = [values.length];
  } else {
    throw new TypeError(
      `${op}: indices must be an array, an integer typed array or a Tensor, got ${describeValue(idx)}`,
    );
  }
  const low = wrap ? -bound : 0;
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") {
      throw new TypeError(`${op}: index at position ${i} must be an integer, got ${describeValue(v)}`);
    }
    if (!Number.isInteger(v)) {
      throw new RangeError(
        `${op}: index ${v} at position ${i} is not an integer (${validRange(op, bound, wrap)})`,
      );
    }
    if (v < low || v >= bound) {
      throw new RangeError(
        `${op}: index ${v} at position ${i} is out of range for size ${bound} (${validRange(op, bound, wrap)})`,
      );
    }
    out[i] = v < 0 ? v + bound : v;
  }
  return { index: out, shape };
}

function validRange(op: string, bound: number, wrap: boolean): string {
  if (bound === 0) return "a dim of size 0 has no valid index";
  if (wrap) return `expected an integer in [${-bound}, ${bound - 1}]`;
  return `expected an integer in [0, ${bound - 1}]; ${op} does not accept negative indices`;
}

/**
 * indexSelect(dim, index): out = x with dim `dim` replaced by the entries `index` (1-D).
 * Backward: scatter-add g back into those entries (repeated indices accumulate).
 */
const indexSelectOp: Op<{ dim: number; index: Int32Array }> = {
  name: "indexSelect",
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const outer = sizeOfRange(x.shape, 0, a.dim);
    const r = x.shape[a.dim];
    const inner = sizeOfRange(x.shape, a.dim + 1);
    const k = a.index.length;
    const out = allocate(x.dtype, outer * k * inner);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < k; j++) {
        const src = (o * r + a.index[j]) * inner;
        out.set(x._data.subarray(src, src + inner), (o * k + j) * inner);
      }
    }
    const shape = copyShape(x.shape);
    shape[a.dim] = k;
    return { data: out, shape };
  },
  backward(g, ctx) {
    const x = ctx.inputs[0];
    const { dim, index } = ctx.attrs;
    const outer = sizeOfRange(x.shape, 0, dim);
    const r = x.shape[dim];
    const inner = sizeOfRange(x.shape, dim + 1);
    const k = index.length;
    const gx = allocate(g instanceof Float64Array ? "float64" : "float32", x.size);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < k; j++) {
        const dst = (o * r + index[j]) * inner;
        const src = (o * k + j) * inner;
        for (let i = 0; i < inner; i++) gx[dst + i] += g[src + i];
      }
    }
    return [gx];
  },
};

/**
 * gather(dim, index) as `torch.gather`: `out[i][j][k] = x[i][index[i][j][k]][k]` (dim = 1).
 * `index` has x's ndim and `index.size(d) ≤ x.size(d)` for d ≠ dim; out has index's shape.
 * Backward: scatter-add g into the gathered positions.
 */
const gatherOp: Op<{ dim: number; index: Int32Array; indexShape: number[] }> = {
  name: "gather",
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const map = gatherMap(x.shape, a.indexShape, a.dim, a.index);
    const out = allocate(x.dtype, map.length);
    for (let i = 0; i < map.length; i++) out[i] = x._data[map[i]];
    return { data: out, shape: a.indexShape, saved: map };
  },
  backward(g, ctx) {
    const x = ctx.inputs[0];
    const map = ctx.saved as Int32Array;
    const gx = allocate(g instanceof Float64Array ? "float64" : "float32", x.size);
    for (let i = 0; i < map.length; i++) gx[map[i]] += g[i];
    return [gx];
  },
};

/** Flat source offset in x for every element of the index tensor. */
function gatherMap(
  xShape: readonly number[],
  iShape: readonly number[],
  dim: number,
  index: Int32Array,
): Int32Array {
  const nd = xShape.length;
  const xStrides = new Array<number>(nd);
  let acc = 1;
  for (let d = nd - 1; d >= 0; d--) {
    xStrides[d] = acc;
    acc *= xShape[d];
  }
  const map = new Int32Array(index.length);
  const pos = new Array<number>(nd).fill(0);
  for (let i = 0; i < index.length; i++) {
    let off = 0;
    for (let d = 0; d < nd; d++) off += (d === dim ? index[i] : pos[d]) * xStrides[d];
    map[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      if (++pos[d] < iShape[d]) break;
      pos[d] = 0;
    }
  }
  return map;
}

/**
 * concat(tensors, dim): joins along `dim`; all other sizes must agree. Output dtype is promoted.
 * Backward: each input receives its slice of g.
 */
const concatOp: Op<{ dim: number }> = {
  name: "concat",
  backwardReads: [],
  forward(inputs, a) {
    const first = inputs[0];
    const d = a.dim;
    let dtype = first.dtype;
    let total = 0;
    for (const t of inputs) {
      dtype = promote(dtype, t.dtype);
      total += t.shape[d];
    }
    const shape = copyShape(first.shape);
    shape[d] = total;
    const outer = sizeOfRange(shape, 0, d);
    const inner = sizeOfRange(shape, d + 1);
    const out = allocate(dtype, sizeOf(shape));
    let offset = 0;
    for (const t of inputs) {
      const chunk = t.shape[d] * inner;
      for (let o = 0; o < outer; o++)
        out.set(t._data.subarray(o * chunk, (o + 1) * chunk), o * total * inner + offset);
      offset += chunk;
    }
    return { data: out, shape };
  },
  backward(g, ctx, needs) {
    const d = ctx.attrs.dim;
    const shape = ctx.outShape;
    const total = shape[d];
    const outer = sizeOfRange(shape, 0, d);
    const inner = sizeOfRange(shape, d + 1);
    const res: (FloatArray | null)[] = [];
    let offset = 0;
    for (let k = 0; k < ctx.inputs.length; k++) {
      const t = ctx.inputs[k];
      const chunk = t.shape[d] * inner;
      if (needs[k]) {
        const gi = allocate(g instanceof Float64Array ? "float64" : "float32", t.size);
        for (let o = 0; o < outer; o++) {
          gi.set(g.subarray(o * total * inner + offset, o * total * inner + offset + chunk), o * chunk);
        }
        res.push(gi);
      } else res.push(null);
      offset += chunk;
    }
    return res;
  },
};

export const indexOps = {
  indexSelect: indexSelectOp,
  gather: gatherOp,
  concat: concatOp,
} satisfies Partial<OpTable>;

/** Selects entries `indices` (1-D) along `dim`, as `torch.index_select`. */
export function indexSelect(x: Tensor, dim: number, indices: Indices): Tensor {
  return select("indexSelect", x, dim, indices, false);
}

/**
 * Rows `indices` of `x` (dim 0): the batching primitive, `x[indices]` in PyTorch. As there,
 * negative indices count from the end (`-1` is the last row); `indexSelect` rejects them.
 */
export function rows(x: Tensor, indices: Indices): Tensor {
  return select("rows", x, 0, indices, true);
}

function select(op: string, x: Tensor, dim: number, indices: Indices, wrap: boolean): Tensor {
  checkTensor(op, "input", x);
  const d = normalizeDim(op, dim, x.ndim);
  if (x.ndim === 0) throw new RangeError(`${op}: cannot index a 0-d tensor`);
  const { index, shape } = toIndices(op, indices, x.shape[d], wrap);
  if (shape.length > 1) throw new RangeError(`${op}: indices must be 1-D, got shape ${fmtShape(shape)}`);
  return apply(indexSelectOp, [x], { dim: d, index });
}

/** `torch.gather(x, dim, index)`. */
export function gather(x: Tensor, dim: number, indices: Indices): Tensor {
  checkTensor("gather", "input", x);
  const d = normalizeDim("gather", dim, x.ndim);
  const { index, shape } = toIndices("gather", indices, x.ndim === 0 ? 1 : x.shape[d]);
  const ishape = x.ndim === 0 && shape.length === 1 && shape[0] === 1 ? [] : shape;
  if (ishape.length !== x.ndim) {
    throw new RangeError(
      `gather: index ${fmtShape(shape)} must have as many dims as the input ${fmtShape(x.shape)}`,
    );
  }
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && ishape[i] > x.shape[i]) {
      throw new RangeError(
        `gather: index ${fmtShape(shape)} is larger than input ${fmtShape(x.shape)} in dim ${i}`,
      );
    }
  }
  return apply(gatherOp, [x], { dim: d, index, indexShape: ishape });
}

/** Joins tensors along an existing `dim` (`torch.cat`). */
export function concat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList("concat", tensors);
  const first = tensors[0];
  if (first.ndim === 0) throw new RangeError("concat: zero-dimensional tensors cannot be concatenated");
  const d = normalizeDim("concat", dim, first.ndim);
  for (let k = 1; k < tensors.length; k++) {
    const t = tensors[k];
    const ok =
      t.ndim === first.ndim && t.shape.every((s: number, i: number) => i === d || s === first.shape[i]);
    if (!ok) {
      throw new RangeError(
        `concat: tensor ${k} has shape ${fmtShape(t.shape)}, incompatible with ${fmtShape(first.shape)} along dim ${d}`,
      );
    }
  }
  const shape = copyShape(first.shape);
  shape[d] = 0;
  for (const t of tensors) shape[d] += t.shape[d];
  checkedSizeOf("concat", shape);
  return apply(concatOp, tensors, { dim: d });
}

/** Stacks same-shaped tensors along a new `dim` (`torch.stack`). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList("stack", tensors);
  const first = tensors[0];
  for (let k = 1; k < tensors.length; k++) {
    if (!sameShape(tensors[k].shape, first.shape)) {
      throw new RangeError(
        `stack: tensor ${k} has shape ${fmtShape(tensors[k].shape)}, expected ${fmtShape(first.shape)}`,
      );
    }
  }
  const d = normalizeNewDim("stack", dim, first.ndim, `${first.ndim}-D inputs`);
  return concat(
    tensors.map((t) => t.unsqueeze(d)),
    d,
  );
}

/** A non-empty array of Tensors (else an error naming the op and the first bad element). */
function checkTensorList(op: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors)) {
    throw new TypeError(`${op}: expected a list of tensors, got ${describeValue(tensors)}`);
  }
  if (tensors.length === 0) throw new RangeError(`${op}: expected a non-empty list of tensors`);
  for (let k = 0; k < tensors.length; k++) {
    if (!(tensors[k] instanceof Tensor)) {
      throw new TypeError(
        `${op}: element ${k} of the list must be a Tensor, got ${describeValue(tensors[k])}`,
      );
    }
  }
}

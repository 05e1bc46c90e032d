import { Reduce } from "../backend/backend.js";
import { backend } from "../backend/index.js";
import { checkTensor, describeValue } from "../check.js";
import { allocate, type FloatArray, promote } from "../dtype.js";
import { apply } from "../engine.js";
import {
  broadcastShapes,
  broadcastStrides,
  checkedSizeOf,
  checkNumel,
  copyShape,
  fmtShape,
  MAX_ELEMENTS,
  sizeOf,
  sizeOfRange,
} from "../shape.js";
import { Tensor } from "../tensor.js";
import type { Ctx, Forward, Op, OpTable } from "./op.js";

/**
 * The plan of a (batched, broadcast) matmul, as in `torch.matmul`:
 * 1-D `a` is a row `[1, k]` (the 1 is dropped from the result), 1-D `b` a column `[k, 1]`
 * (likewise dropped); leading batch dims broadcast.
 */
interface Plan {
  m: number;
  k: number;
  n: number;
  batch: number[];
  /** For each output batch, the offset (in matrices) into a and b. */
  aIdx: Int32Array;
  bIdx: Int32Array;
  outShape: number[];
}

function plan(a: Tensor, b: Tensor): Plan {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(
      `matmul: both arguments must be at least 1-D, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  const as = a.ndim === 1 ? [1, a.shape[0]] : a.shape;
  const bs = b.ndim === 1 ? [b.shape[0], 1] : b.shape;
  const m = as[as.length - 2];
  const k = as[as.length - 1];
  const k2 = bs[bs.length - 2];
  const n = bs[bs.length - 1];
  if (k !== k2) {
    throw new RangeError(
      `matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} are incompatible ` +
        `(inner dims ${k} and ${k2} differ)`,
    );
  }
  const aBatch = as.slice(0, -2);
  const bBatch = bs.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes("matmul", aBatch, bBatch);
  } catch {
    throw new RangeError(
      `matmul: batch dims of ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be broadcast together`,
    );
  }
  const nb = sizeOf(batch);
  const aIdx = batchIndex(aBatch, batch, nb);
  const bIdx = batchIndex(bBatch, batch, nb);
  const outShape = [...batch];
  if (a.ndim > 1) outShape.push(m);
  if (b.ndim > 1) outShape.push(n);
  checkedSizeOf("matmul", outShape);
  return { m, k, n, batch, aIdx, bIdx, outShape };
}

/** For each flat index of `batch`, the flat index into `shape` broadcast to it. */
function batchIndex(shape: readonly number[], batch: readonly number[], nb: number): Int32Array {
  const idx = new Int32Array(nb);
  if (sizeOf(shape) === 1) return idx;
  const src = new Float64Array(sizeOf(shape));
  for (let i = 0; i < src.length; i++) src[i] = i;
  const out = new Float64Array(nb);
  backend.expand(src, broadcastStrides(shape, batch), out, batch);
  for (let i = 0; i < nb; i++) idx[i] = out[i];
  return idx;
}

/**
 * `C = A·B` (batched). Backward: `dA = dC·Bᵀ`, `dB = Aᵀ·dC`, computed with the transposed kernel
 * forms (no transpose is materialised) and accumulated over broadcast batch dims.
 */
const matmulOp: Op<null> = {
  name: "matmul",
  backwardReads: [0, 1],
  forward(inputs): Forward {
    const [a, b] = inputs;
    const p = plan(a, b);
    const { m, k, n } = p;
    const out = allocate(promote(a.dtype, b.dtype), sizeOf(p.outShape));
    for (let i = 0; i < p.aIdx.length; i++) {
      backend.matmul({
        a: a._data,
        aOff: p.aIdx[i] * m * k,
        b: b._data,
        bOff: p.bIdx[i] * k * n,
        out,
        oOff: i * m * n,
        m,
        k,
        n,
      });
    }
    return { data: out, shape: p.outShape, saved: p };
  },
  backward(g, ctx: Ctx<null>, needs) {
    const [a, b] = ctx.inputs;
    const p = ctx.saved as Plan;
    const { m, k, n } = p;
    const dt = g instanceof Float64Array ? "float64" : "float32";
    let ga: FloatArray | null = null;
    let gb: FloatArray | null = null;
    if (needs[0]) {
      ga = allocate(dt, a.size);
      for (let i = 0; i < p.aIdx.length; i++) {
        // dA[m×k] += dC[m×n] · Bᵀ
        backend.matmul({
          a: g,
          aOff: i * m * n,
          b: b._data,
          bOff: p.bIdx[i] * k * n,
          out: ga,
          oOff: p.aIdx[i] * m * k,
          m,
          k: n,
          n: k,
          transB: true,
          accumulate: true,
        });
      }
    }
    if (needs[1]) {
      gb = allocate(dt, b.size);
      for (let i = 0; i < p.aIdx.length; i++) {
        // dB[k×n] += Aᵀ · dC[m×n]
        backend.matmul({
          a: a._data,
          aOff: p.aIdx[i] * m * k,
          b: g,
          bOff: i * m * n,
          out: gb,
          oOff: p.bIdx[i] * k * n,
          m: k,
          k: m,
          n,
          transA: true,
          accumulate: true,
        });
      }
    }
    return [ga, gb];
  },
};

/**
 * `y = x·Wᵀ + b` (PyTorch `F.linear`) with `x: [..., in]`, `W: [out, in]`, optional `b: [out]`,
 * fused so that Wᵀ is never materialised.
 * Backward: `dx = dy·W`, `dW = dyᵀ·x`, `db = Σ_rows dy`.
 */
const linearOp: Op<null> = {
  name: "linear",
  backwardReads: [0, 1],
  forward(inputs): Forward {
    const [x, w, bias] = inputs;
    if (x.ndim < 1 || w.ndim !== 2 || x.shape[x.ndim - 1] !== w.shape[1]) {
      throw new RangeError(
        `linear: input ${fmtShape(x.shape)} and weight ${fmtShape(w.shape)} are incompatible ` +
          "(expected input [..., in] and weight [out, in])",
      );
    }
    const outF = w.shape[0];
    if (bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
      throw new RangeError(
        `linear: bias ${fmtShape(bias.shape)} must have shape [${outF}] for weight ${fmtShape(w.shape)}`,
      );
    }
    const inF = w.shape[1];
    const rows = sizeOfRange(x.shape, 0, x.ndim - 1);
    if (rows * outF > MAX_ELEMENTS)
      checkNumel("linear", rows * outF, `the output [..., ${outF}] for input ${fmtShape(x.shape)}`);
    let dtype = promote(x.dtype, w.dtype);
    if (bias !== undefined) dtype = promote(dtype, bias.dtype);
    const out = allocate(dtype, rows * outF);
    if (bias !== undefined) {
      for (let r = 0; r < rows; r++) for (let j = 0; j < outF; j++) out[r * outF + j] = bias._data[j];
    }
    backend.matmul({
      a: x.data,
      b: w.data,
      out,
      m: rows,
      k: inF,
      n: outF,
      transB: true,
      accumulate: bias !== undefined,
    });
    return { data: out, shape: [...x.shape.slice(0, -1), outF] };
  },
  backward(g, ctx, needs) {
    const [x, w] = ctx.inputs;
    const outF = w.shape[0];
    const inF = w.shape[1];
    const rows = sizeOfRange(x.shape, 0, x.ndim - 1);
    const dt = g instanceof Float64Array ? "float64" : "float32";
    let gx: FloatArray | null = null;
    let gw: FloatArray | null = null;
    let gbias: FloatArray | null = null;
    if (needs[0]) {
      gx = allocate(dt, x.size);
      backend.matmul({ a: g, b: w.data, out: gx, m: rows, k: outF, n: inF }); // dx = dy·W
    }
    if (needs[1]) {
      gw = allocate(dt, w.size);
      backend.matmul({ a: g, b: x.data, out: gw, m: outF, k: rows, n: inF, transA: true }); // dW = dyᵀ·x
    }
    if (needs[2]) {
      gbias = allocate(dt, outF);
      backend.reduce(Reduce.sum, g, gbias, 1, rows, outF);
    }
    return [gx, gw, gbias];
  },
};

export const matmulOps = { matmul: matmulOp, linear: linearOp } satisfies Partial<OpTable>;

/** Matrix product with `torch.matmul` semantics: 1-D, 2-D and batched (broadcast) operands. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor("matmul", "input", a);
  checkTensor("matmul", "other", b);
  return apply(matmulOp, [a, b], null);
}

/** `x·Wᵀ + b` as in PyTorch's `F.linear` (`W` is `[out, in]`). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor("linear", "input", x);
  checkTensor("linear", "weight", weight);
  if (bias !== undefined && bias !== null && !(bias instanceof Tensor)) {
    throw new TypeError(
      `linear: argument 'bias' must be a Tensor, null or undefined, got ${describeValue(bias)}`,
    );
  }
  return apply(linearOp, bias ? [x, weight, bias] : [x, weight], null);
}

import type { FloatArray } from "../dtype.js";
import { erf } from "../erf.js";
import {
  type Backend,
  Binary,
  type BinaryCode,
  Reduce,
  type ReduceCode,
  Unary,
  type UnaryCode,
} from "./backend.js";

const SQRT1_2 = Math.SQRT1_2;
/** 1/√(2π): the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;
/** √(2/π) */
const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_TANH_C = 0.044715;

/**
 * C (m×n) (+)= op(A) (m×k) · op(B) (k×n), each loop order chosen so that the innermost loop runs
 * over contiguous memory and no transpose is materialised:
 *   NN: i-p-j, 4 rows of C at a time (each row of B loaded once per 4 rows)
 *   TN: p-i-j, likewise (A read down its columns)
 *   NT: i-j-p, 4 dot products at a time sharing the loads of A's row
 *   TT: i-j-p strided dot (rare)
 * No shortcut skips zeros: 0·∞ must still give NaN, as in PyTorch.
 */
function matmul(
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  oOff: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): void {
  if (!accumulate) out.fill(0, oOff, oOff + m * n);
  if (!transB) {
    // A element (i, p) sits at aOff + i·sa + p·sp.
    const sa = transA ? 1 : k;
    const sp = transA ? m : 1;
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const c0 = oOff + i * n;
      const c1 = c0 + n;
      const c2 = c1 + n;
      const c3 = c2 + n;
      for (let p = 0; p < k; p++) {
        const ap = aOff + i * sa + p * sp;
        const a0 = a[ap];
        const a1 = a[ap + sa];
        const a2 = a[ap + 2 * sa];
        const a3 = a[ap + 3 * sa];
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) {
          const bv = b[bp + j];
          out[c0 + j] += a0 * bv;
          out[c1 + j] += a1 * bv;
          out[c2 + j] += a2 * bv;
          out[c3 + j] += a3 * bv;
        }
      }
    }
    for (; i < m; i++) {
      const c0 = oOff + i * n;
      for (let p = 0; p < k; p++) {
        const a0 = a[aOff + i * sa + p * sp];
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) out[c0 + j] += a0 * b[bp + j];
      }
    }
  } else if (!transA) {
    for (let i = 0; i < m; i++) {
      const ai = aOff + i * k;
      const ci = oOff + i * n;
      let j = 0;
      for (; j + 3 < n; j += 4) {
        const b0 = bOff + j * k;
        const b1 = b0 + k;
        const b2 = b1 + k;
        const b3 = b2 + k;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let p = 0; p < k; p++) {
          const av = a[ai + p];
          s0 += av * b[b0 + p];
          s1 += av * b[b1 + p];
          s2 += av * b[b2 + p];
          s3 += av * b[b3 + p];
        }
        out[ci + j] += s0;
        out[ci + j + 1] += s1;
        out[ci + j + 2] += s2;
        out[ci + j + 3] += s3;
      }
      for (; j < n; j++) {
        const b0 = bOff + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p] * b[b0 + p];
        out[ci + j] += s;
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      const ci = oOff + i * n;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[aOff + p * m + i] * b[bOff + j * k + p];
        out[ci + j] += s;
      }
    }
  }
}

function unary(code: UnaryCode, x: FloatArray, out: FloatArray, n: number, p0: number, p1: number): void {
  switch (code) {
    case Unary.neg:
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case Unary.exp:
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case Unary.log:
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      return;
    case Unary.sqrt:
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      return;
    case Unary.abs:
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      return;
    case Unary.tanh:
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case Unary.sigmoid:
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
      return;
    case Unary.relu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : Number.isNaN(v) ? v : 0;
      }
      return;
    case Unary.leakyRelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : v * p0;
      }
      return;
    case Unary.gelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v * 0.5 * (1 + erf(v * SQRT1_2));
      }
      return;
    case Unary.geluTanh:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_TANH_C * v * v * v)));
      }
      return;
    case Unary.clamp:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = Number.isNaN(v) ? v : Math.min(Math.max(v, p0), p1);
      }
      return;
    case Unary.pow:
      for (let i = 0; i < n; i++) out[i] = x[i] ** p0;
      return;
  }
}

function unaryGrad(
  code: UnaryCode,
  x: FloatArray,
  y: FloatArray,
  g: FloatArray,
  out: FloatArray,
  n: number,
  p0: number,
  p1: number,
): void {
  switch (code) {
    case Unary.neg:
      for (let i = 0; i < n; i++) out[i] = -g[i];
      return;
    case Unary.exp:
      for (let i = 0; i < n; i++) out[i] = g[i] * y[i];
      return;
    case Unary.log:
      for (let i = 0; i < n; i++) out[i] = g[i] / x[i];
      return;
    case Unary.sqrt:
      for (let i = 0; i < n; i++) out[i] = g[i] / (2 * y[i]);
      return;
    case Unary.abs:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? g[i] : v < 0 ? -g[i] : v === 0 ? 0 : v;
      }
      return;
    case Unary.tanh:
      for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i] * y[i]);
      return;
    case Unary.sigmoid:
      for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i]) * y[i];
      return;
    case Unary.relu:
      for (let i = 0; i < n; i++) out[i] = y[i] > 0 ? g[i] : 0;
      return;
    case Unary.leakyRelu:
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : g[i] * p0;
      return;
    case Unary.gelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const cdf = 0.5 * (1 + erf(v * SQRT1_2));
        const pdf = Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
        out[i] = g[i] * (cdf + v * pdf);
      }
      return;
    case Unary.geluTanh:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const inner = SQRT_2_OVER_PI * (v + GELU_TANH_C * v * v * v);
        const t = Math.tanh(inner);
        const dInner = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * v * v);
        out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner);
      }
      return;
    case Unary.clamp:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v >= p0 && v <= p1 ? g[i] : 0;
      }
      return;
    case Unary.pow:
      if (p0 === 0) {
        out.fill(0, 0, n);
        return;
      }
      for (let i = 0; i < n; i++) out[i] = g[i] * p0 * x[i] ** (p0 - 1);
      return;
  }
}

/** One contiguous row of a broadcast binary op: `out[o + j] = a[ai + j·as] ∘ b[bi + j·bs]`. */
function binaryRow(
  code: BinaryCode,
  a: FloatArray,
  ai: number,
  as: number,
  b: FloatArray,
  bi: number,
  bs: number,
  out: FloatArray,
  o: number,
  n: number,
): void {
  switch (code) {
    case Binary.add:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] + b[bi + j * bs];
      return;
    case Binary.sub:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] - b[bi + j * bs];
      return;
    case Binary.mul:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] * b[bi + j * bs];
      return;
    case Binary.div:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] / b[bi + j * bs];
      return;
    case Binary.maximum:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = Math.max(x, y);
      }
      return;
    case Binary.minimum:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = Math.min(x, y);
      }
      return;
    case Binary.eq:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] === b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.ne:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] !== b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.lt:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] < b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.le:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] <= b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.gt:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] > b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.ge:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] >= b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.gtHalf:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = x > y ? 1 : x === y ? 0.5 : 0;
      }
      return;
    case Binary.ltHalf:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = x < y ? 1 : x === y ? 0.5 : 0;
      }
      return;
  }
}

/**
 * Walks every row (last dim) of `shape`, calling `row(aOff, bOff, outOff)` with the start offsets
 * of operands with strides `as`/`bs`. Iterative odometer, no per-element work.
 */
function forEachRow(
  shape: readonly number[],
  as: readonly number[],
  bs: readonly number[],
  row: (aOff: number, bOff: number, oOff: number) => void,
): void {
  const nd = shape.length;
  if (nd === 0) {
    row(0, 0, 0);
    return;
  }
  const last = shape[nd - 1];
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= shape[d];
  if (rows === 0 || last === 0) return;
  const idx = new Array<number>(nd).fill(0);
  let aOff = 0;
  let bOff = 0;
  for (let r = 0; r < rows; r++) {
    row(aOff, bOff, r * last);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      aOff += as[d];
      bOff += bs[d];
      if (idx[d] < shape[d]) break;
      aOff -= as[d] * shape[d];
      bOff -= bs[d] * shape[d];
      idx[d] = 0;
    }
  }
}

function isContiguous(strides: readonly number[], shape: readonly number[]): boolean {
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== acc) return false;
    acc *= shape[i];
  }
  return true;
}

function binary(
  code: BinaryCode,
  a: FloatArray,
  aStrides: readonly number[],
  b: FloatArray,
  bStrides: readonly number[],
  out: FloatArray,
  outShape: readonly number[],
): void {
  const nd = outShape.length;
  const n = out.length;
  const aC = isContiguous(aStrides, outShape);
  const bC = isContiguous(bStrides, outShape);
  if (aC && bC) {
    binaryRow(code, a, 0, 1, b, 0, 1, out, 0, n);
    return;
  }
  if (aC && b.length === 1) {
    binaryRow(code, a, 0, 1, b, 0, 0, out, 0, n);
    return;
  }
  if (bC && a.length === 1) {
    binaryRow(code, a, 0, 0, b, 0, 1, out, 0, n);
    return;
  }
  const last = outShape[nd - 1];
  const as = aStrides[nd - 1];
  const bs = bStrides[nd - 1];
  forEachRow(outShape, aStrides, bStrides, (ao, bo, oo) =>
    binaryRow(code, a, ao, as, b, bo, bs, out, oo, last),
  );
}

function expand(
  x: FloatArray,
  xStrides: readonly number[],
  out: FloatArray,
  outShape: readonly number[],
): void {
  const nd = outShape.length;
  if (isContiguous(xStrides, outShape)) {
    out.set(x.subarray(0, out.length));
    return;
  }
  if (x.length === 1) {
    out.fill(x[0]);
    return;
  }
  const last = outShape[nd - 1];
  const xs = xStrides[nd - 1];
  forEachRow(outShape, xStrides, xStrides, (xo, _b, oo) => {
    for (let j = 0; j < last; j++) out[oo + j] = x[xo + j * xs];
  });
}

function sumTo(
  g: FloatArray,
  gShape: readonly number[],
  out: FloatArray,
  outStrides: readonly number[],
): void {
  out.fill(0);
  const nd = gShape.length;
  if (out.length === 1) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i];
    out[0] = s;
    return;
  }
  const last = gShape[nd - 1];
  const os = outStrides[nd - 1];
  forEachRow(gShape, outStrides, outStrides, (oo, _b, go) => {
    if (os === 0) {
      let s = 0;
      for (let j = 0; j < last; j++) s += g[go + j];
      out[oo] += s;
    } else {
      for (let j = 0; j < last; j++) out[oo + j * os] += g[go + j];
    }
  });
}

function reduce(
  code: ReduceCode,
  x: FloatArray,
  out: FloatArray,
  outer: number,
  r: number,
  inner: number,
): void {
  if (code === Reduce.sum) {
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      const base = o * r * inner;
      if (inner === 1) {
        let s = 0;
        for (let j = 0; j < r; j++) s += x[base + j];
        out[o] = s;
        continue;
      }
      for (let j = 0; j < r; j++) {
        const row = base + j * inner;
        for (let i = 0; i < inner; i++) acc[i] += x[row + i];
      }
      for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
    }
    return;
  }
  const idx = new Int32Array(outer * inner);
  reduceArg(code, x, out, idx, outer, r, inner);
}

function reduceArg(
  code: ReduceCode,
  x: FloatArray,
  out: FloatArray,
  idx: Int32Array,
  outer: number,
  r: number,
  inner: number,
): void {
  const isMax = code === Reduce.max;
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    for (let i = 0; i < inner; i++) {
      let best = x[base + i];
      let bi = 0;
      if (!Number.isNaN(best)) {
        for (let j = 1; j < r; j++) {
          const v = x[base + j * inner + i];
          if (Number.isNaN(v)) {
            best = v;
            bi = j;
            break;
          }
          if (isMax ? v > best : v < best) {
            best = v;
            bi = j;
          }
        }
      }
      out[o * inner + i] = best;
      idx[o * inner + i] = bi;
    }
  }
}

function softmax(
  x: FloatArray,
  out: FloatArray,
  outer: number,
  r: number,
  inner: number,
  log: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let m = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < r; j++) {
        const v = x[base + j * inner];
        if (v > m || Number.isNaN(v)) m = v;
      }
      if (m === Number.NEGATIVE_INFINITY || m === Number.POSITIVE_INFINITY) m = 0;
      let s = 0;
      for (let j = 0; j < r; j++) s += Math.exp(x[base + j * inner] - m);
      if (log) {
        const lse = m + Math.log(s);
        for (let j = 0; j < r; j++) out[base + j * inner] = x[base + j * inner] - lse;
      } else {
        for (let j = 0; j < r; j++) out[base + j * inner] = Math.exp(x[base + j * inner] - m) / s;
      }
    }
  }
}

function softmaxGrad(
  y: FloatArray,
  g: FloatArray,
  out: FloatArray,
  outer: number,
  r: number,
  inner: number,
  log: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let s = 0;
      if (log) {
        for (let j = 0; j < r; j++) s += g[base + j * inner];
        for (let j = 0; j < r; j++) {
          const k = base + j * inner;
          out[k] = g[k] - Math.exp(y[k]) * s;
        }
      } else {
        for (let j = 0; j < r; j++) s += g[base + j * inner] * y[base + j * inner];
        for (let j = 0; j < r; j++) {
          const k = base + j * inner;
          out[k] = y[k] * (g[k] - s);
        }
      }
    }
  }
}

function permute(x: FloatArray, shape: readonly number[], perm: readonly number[], out: FloatArray): void {
  const nd = shape.length;
  const inStrides = new Array<number>(nd);
  let acc = 1;
  for (let i = nd - 1; i >= 0; i--) {
    inStrides[i] = acc;
    acc *= shape[i];
  }
  const outShape = perm.map((p) => shape[p]);
  const srcStrides = perm.map((p) => inStrides[p]);
  if (nd === 2 && perm[0] === 1) {
    // 2-D transpose, row by row of the output.
    const r = outShape[0];
    const c = outShape[1];
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * c + j] = x[j * r + i];
    return;
  }
  expand(x, srcStrides, out, outShape);
}

/** The plain TypeScript backend: the numeric reference every faster backend is tested against. */
export const referenceBackend: Backend = {
  name: "reference",
  matmul,
  unary,
  unaryGrad,
  binary,
  expand,
  sumTo,
  reduce,
  reduceArg,
  softmax,
  softmaxGrad,
  permute,
};

import type { FloatArray } from "../../dtype.js";

/**
 * Walks every row (last dim) of `shape`, calling `row(aOff, bOff, outOff)` with the start offsets
 * of operands with strides `as`/`bs`. Iterative odometer, no per-element work.
 */
export function forEachRow(
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

export function isContiguous(strides: readonly number[], shape: readonly number[]): boolean {
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== acc) return false;
    acc *= shape[i];
  }
  return true;
}

export function expand(
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

/**
 * Sums `g` into `out` along the dims where `outStrides` is 0. The sums accumulate sequentially in
 * float64 and are rounded once into `out` (as `reduce`'s), so a float32 partial sum past the float32
 * range does not turn a finite total into ±∞.
 */
export function sumTo(
  g: FloatArray,
  gShape: readonly number[],
  out: FloatArray,
  outStrides: readonly number[],
): void {
  const nd = gShape.length;
  if (out.length === 1) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i];
    out[0] = s;
    return;
  }
  const acc = out instanceof Float64Array ? out : new Float64Array(out.length);
  acc.fill(0);
  const last = gShape[nd - 1];
  const os = outStrides[nd - 1];
  forEachRow(gShape, outStrides, outStrides, (oo, _b, go) => {
    if (os === 0) {
      let s = 0;
      for (let j = 0; j < last; j++) s += g[go + j];
      acc[oo] += s;
    } else {
      for (let j = 0; j < last; j++) acc[oo + j * os] += g[go + j];
    }
  });
  if (acc !== out) out.set(acc);
}

export function permute(
  x: FloatArray,
  shape: readonly number[],
  perm: readonly number[],
  out: FloatArray,
): void {
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

/**
 * The flat-vector operations of L-BFGS, each rounded as PyTorch's CPU implementation rounds it, in
 * the vector's dtype: a `Float64Array` in float64, a `Float32Array` in float32 (the reductions'
 * results are float32 values then). Elementwise ops round once per element; the order of the
 * reductions is stated on each.
 */
import { isFloat32 } from "../kernel-check.js";
import type { FloatArray } from "../param.js";
import { fma, fmaF32 } from "./fma.js";

/** A new zero vector of `x`'s dtype. */
export function zerosOf(float32: boolean, n: number): FloatArray {
  return float32 ? new Float32Array(n) : new Float64Array(n);
}

/** `−x` (`x.neg()`), a new vector. */
export function neg(x: FloatArray): FloatArray {
  const out = zerosOf(isFloat32(x), x.length);
  for (let i = 0; i < x.length; i++) out[i] = -x[i];
  return out;
}

/** `x − y` (`x.sub(y)`), a new vector. */
export function sub(x: FloatArray, y: FloatArray): FloatArray {
  const out = zerosOf(isFloat32(x), x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] - y[i];
  return out;
}

/** `s·x` (`x.mul(s)`, the scalar cast to the dtype first), a new vector. */
export function scale(x: FloatArray, s: number): FloatArray {
  const f32 = isFloat32(x);
  const k = f32 ? Math.fround(s) : s;
  const out = zerosOf(f32, x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * k;
  return out;
}

/**
 * `x ← x + α·y` in place (`x.add_(y, alpha=α)`), with one rounding per element: ATen computes it
 * as a fused multiply-add `fma(α, y, x)` (the scalar cast to the dtype first).
 */
export function addScaled(x: FloatArray, y: FloatArray, alpha: number, offset = 0): void {
  const n = x.length;
  if (isFloat32(x)) {
    const a = Math.fround(alpha);
    for (let i = 0; i < n; i++) x[i] = fmaF32(a, y[offset + i], x[i]);
  } else {
    for (let i = 0; i < n; i++) x[i] = fma(alpha, y[offset + i], x[i]);
  }
}

/**
 * `Σ xᵢ·yᵢ` (`x.dot(y)`), accumulated from the first element to the last, as the reference BLAS
 * `ddot`/`sdot` that PyTorch calls computes it (float32: each product and each sum rounded to
 * float32). Optimized BLAS libraries (MKL, OpenBLAS) sum in other orders: that changes results by
 * rounding only.
 */
export function dot(x: FloatArray, y: FloatArray): number {
  let s = 0;
  if (isFloat32(x)) {
    const f = Math.fround;
    for (let i = 0; i < x.length; i++) s = f(s + f(x[i] * y[i]));
  } else {
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  }
  return s;
}

/**
 * `max |xᵢ|` (`x.abs().max()`), NaN if any element is NaN (as `torch.max`). Exact, so the order
 * does not matter. `scale` multiplies each element first, rounded to the dtype
 * (`x.mul(scale).abs().max()`).
 */
export function absMax(x: FloatArray, scale = 1): number {
  const k = isFloat32(x) ? Math.fround(scale) : scale;
  const f = isFloat32(x) ? Math.fround : (v: number) => v;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(k === 1 ? x[i] : f(x[i] * k));
    if (v > m) m = v;
    else if (Number.isNaN(v)) return Number.NaN;
  }
  return m;
}

/**
 * `Σ |xᵢ|` (`x.abs().sum()`), in the order of ATen's CPU sum kernel on AVX2 (`cascade_sum`,
 * `ReduceOps/SumKernel.cpp`): the array is read as vectors of `L` lanes (4 float64, 8 float32),
 * the vectors are summed in four interleaved chains of cascaded partial sums (`multi_row_sum`,
 * `row_sum`), the elements after the last whole vector are summed one by one, and the `L` lanes
 * are added to that last. Arrays shorter than `L` are summed by the scalar variant of the same
 * chains. float32 sums in float32. CPUs with AVX-512 kernels (16/8 lanes) or without SIMD sum in
 * other orders, which changes results by rounding only.
 */
export function absSum(x: FloatArray): number {
  const f32 = isFloat32(x);
  const r = f32 ? Math.fround : (v: number) => v;
  const lanes = f32 ? 8 : 4;
  const n = x.length;
  const abs = (i: number) => Math.abs(x[i]);
  if (n < lanes) return rowSum(1, n, (i) => [abs(i)], r)[0];
  const vectors = Math.floor(n / lanes);
  const acc = rowSum(lanes, vectors, (i) => Array.from({ length: lanes }, (_, k) => abs(i * lanes + k)), r);
  let total = 0;
  for (let k = vectors * lanes; k < n; k++) total = r(total + abs(k));
  for (let k = 0; k < lanes; k++) total = r(total + acc[k]);
  return total;
}

type Lanes = number[];

/** ATen's `row_sum`: `size` items (vectors of `width` lanes) in 4 interleaved chains, then combined. */
function rowSum(width: number, size: number, load: (i: number) => Lanes, r: (v: number) => number): Lanes {
  const ilp = 4;
  const rows = Math.floor(size / ilp);
  const partial = multiRowSum(width, ilp, rows, (i, k) => load(i * ilp + k), r);
  for (let i = rows * ilp; i < size; i++) addInto(partial[0], load(i), r);
  for (let k = 1; k < ilp; k++) addInto(partial[0], partial[k], r);
  return partial[0];
}

/**
 * ATen's `multi_row_sum`: `nrows` running sums over `size` rows, cascaded over 4 levels so that
 * each level adds up 2^levelPower items of the level below before passing its sum up.
 */
function multiRowSum(
  width: number,
  nrows: number,
  size: number,
  load: (row: number, k: number) => Lanes,
  r: (v: number) => number,
): Lanes[] {
  const levels = 4;
  const levelPower = Math.max(4, Math.floor(ceilLog2(size) / levels));
  const levelStep = 2 ** levelPower;
  const levelMask = levelStep - 1;
  const zeros = () => new Array<number>(width).fill(0);
  const acc = Array.from({ length: levels }, () => Array.from({ length: nrows }, zeros));
  let i = 0;
  while (i + levelStep <= size) {
    for (let j = 0; j < levelStep; j++, i++) {
      for (let k = 0; k < nrows; k++) addInto(acc[0][k], load(i, k), r);
    }
    for (let j = 1; j < levels; j++) {
      for (let k = 0; k < nrows; k++) {
        addInto(acc[j][k], acc[j - 1][k], r);
        acc[j - 1][k] = zeros();
      }
      if ((i & (levelMask * 2 ** (j * levelPower))) !== 0) break;
    }
  }
  for (; i < size; i++) {
    for (let k = 0; k < nrows; k++) addInto(acc[0][k], load(i, k), r);
  }
  for (let j = 1; j < levels; j++) {
    for (let k = 0; k < nrows; k++) addInto(acc[0][k], acc[j][k], r);
  }
  return acc[0];
}

function addInto(target: Lanes, value: Lanes, r: (v: number) => number): void {
  for (let k = 0; k < target.length; k++) target[k] = r(target[k] + value[k]);
}

/** ATen's `CeilLog2`: 1 for x ≤ 2, else ⌈log2 x⌉. */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : 32 - Math.clz32(x - 1);
}

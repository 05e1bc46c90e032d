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
  if (isFloat32(x)) addScaledF32(x, y as Float32Array, Math.fround(alpha), offset);
  else addScaledF64(x as Float64Array, y as Float64Array, alpha, offset);
}

// One loop per dtype keeps each loop's array accesses monomorphic (several times faster in V8).

function addScaledF64(x: Float64Array, y: Float64Array, alpha: number, offset: number): void {
  for (let i = 0; i < x.length; i++) x[i] = fma(alpha, y[offset + i], x[i]);
}

function addScaledF32(x: Float32Array, y: Float32Array, alpha: number, offset: number): void {
  for (let i = 0; i < x.length; i++) x[i] = fmaF32(alpha, y[offset + i], x[i]);
}

/**
 * `Σ xᵢ·yᵢ` (`x.dot(y)`), accumulated from the first element to the last, as the reference BLAS
 * `ddot`/`sdot` that PyTorch calls computes it (float32: each product and each sum rounded to
 * float32). Optimized BLAS libraries (MKL, OpenBLAS) sum in other orders: that changes results by
 * rounding only.
 */
export function dot(x: FloatArray, y: FloatArray): number {
  return isFloat32(x) ? dotF32(x, y as Float32Array) : dotF64(x as Float64Array, y as Float64Array);
}

function dotF64(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

function dotF32(x: Float32Array, y: Float32Array): number {
  const f = Math.fround;
  let s = 0;
  for (let i = 0; i < x.length; i++) s = f(s + f(x[i] * y[i]));
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
 * the vectors are summed in four interleaved chains of cascaded partial sums (`row_sum`,
 * `multi_row_sum`), the elements after the last whole vector are summed one by one, and the `L`
 * lanes are added to that last. Arrays shorter than `L` are summed by the scalar variant of the
 * same chains (L = 1). float32 sums in float32. CPUs with AVX-512 kernels (16/8 lanes) or without
 * SIMD sum in other orders, which changes results by rounding only.
 */
export function absSum(x: FloatArray): number {
  const f32 = isFloat32(x);
  const lanes = f32 ? 8 : 4;
  const n = x.length;
  if (n < lanes) return rowSum(x, 1, n, f32)[0];
  const vectors = Math.floor(n / lanes);
  const acc = rowSum(x, lanes, vectors, f32);
  let total = 0;
  for (let k = vectors * lanes; k < n; k++) total = add(total, Math.abs(x[k]), f32);
  for (let k = 0; k < lanes; k++) total = add(total, acc[k], f32);
  return total;
}

function add(a: number, b: number, f32: boolean): number {
  return f32 ? Math.fround(a + b) : a + b;
}

/** The ILP factor of ATen's `row_sum`: 4 interleaved chains. */
const CHAINS = 4;
/** The levels of ATen's `multi_row_sum` cascade. */
const LEVELS = 4;

/**
 * ATen's `row_sum` over the first `size` items of `x` (an item is `width` consecutive |xᵢ|, one
 * SIMD vector): item j goes to chain j mod 4 for the first ⌊size/4⌋·4 items (`multi_row_sum`),
 * the rest to chain 0, then chains 1–3 are added to chain 0. Returns the `width` lane sums.
 */
function rowSum(x: FloatArray, width: number, size: number, f32: boolean): Float64Array {
  const rows = Math.floor(size / CHAINS);
  const chains = multiRowSum(x, width, rows, f32);
  const out = chains.subarray(0, width);
  for (let j = rows * CHAINS; j < size; j++) {
    for (let l = 0; l < width; l++) out[l] = add(out[l], Math.abs(x[j * width + l]), f32);
  }
  for (let k = 1; k < CHAINS; k++) {
    for (let l = 0; l < width; l++) out[l] = add(out[l], chains[k * width + l], f32);
  }
  return out;
}

/**
 * ATen's `multi_row_sum`: 4 running sums (one per chain) over `rows` rows of 4 items, cascaded
 * over 4 levels: level 0 adds up 2^p rows (p = max(4, ⌊⌈log2 rows⌉/4⌋)), then passes its sums up,
 * and each level passes up when its own 2^p-block is complete. Returns the 4 chains' sums,
 * `width` lanes each, as one array.
 */
function multiRowSum(x: FloatArray, width: number, rows: number, f32: boolean): Float64Array {
  const levelPower = Math.max(4, Math.floor(ceilLog2(rows) / LEVELS));
  const levelStep = 2 ** levelPower;
  const levelMask = levelStep - 1;
  const stride = CHAINS * width; // one level: all chains' lanes
  const acc = new Float64Array(LEVELS * stride);
  const addRow = (i: number) => {
    for (let m = 0; m < stride; m++) acc[m] = add(acc[m], Math.abs(x[i * stride + m]), f32);
  };
  let i = 0;
  while (i + levelStep <= rows) {
    for (let j = 0; j < levelStep; j++, i++) addRow(i);
    for (let j = 1; j < LEVELS; j++) {
      for (let m = 0; m < stride; m++) {
        acc[j * stride + m] = add(acc[j * stride + m], acc[(j - 1) * stride + m], f32);
        acc[(j - 1) * stride + m] = 0;
      }
      if ((i & (levelMask * 2 ** (j * levelPower))) !== 0) break;
    }
  }
  for (; i < rows; i++) addRow(i);
  for (let j = 1; j < LEVELS; j++) {
    for (let m = 0; m < stride; m++) acc[m] = add(acc[m], acc[j * stride + m], f32);
  }
  return acc.subarray(0, stride);
}

/** ATen's `CeilLog2`: 1 for x ≤ 2, else ⌈log2 x⌉. */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : 32 - Math.clz32(x - 1);
}

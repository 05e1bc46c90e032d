import type { FloatArray } from "../../dtype.js";
import type { MatmulArgs } from "../backend.js";

/**
 * Depth of the slices of k that {@link matmul} sums separately: the `KC` of the WASM kernels
 * (`asm/gemm.ts`), whose order of operations the reference reproduces exactly.
 */
export const MATMUL_SLICE = 256;

/**
 * `C (m×n) (+)= op(A) (m×k) · op(B) (k×n)`, in the arithmetic of `out`'s dtype and in one fixed
 * order of operations, the WASM kernels' order, so both backends give the same bits:
 *
 *     c ← accumulate ? C[i][j] : +0
 *     for each slice P = [p₀, p₀ + 256) of 0..k−1, in order:
 *       t ← +0;  for p in P, in order:  t ← t + op(A)[i][p]·op(B)[p][j]
 *       c ← c + t
 *     C[i][j] ← c
 *
 * Every product and sum is rounded to `out`'s dtype: a float32 product is rounded to float32
 * (overflowing to ±∞ past 3.4e38) before it is added, as in PyTorch's float32 matmul, so large
 * finite operands give ±∞ or NaN exactly as IEEE float32 arithmetic in this order does.
 * (`Math.fround(x + y)` of two float32 values is the float32 sum: binary64 carries more than
 * 2·24 + 2 bits, so rounding twice is the same as rounding once.) No shortcut skips zeros:
 * 0·∞ must still give NaN, as in PyTorch.
 *
 * Loop orders keep the innermost loop on contiguous memory and materialise no transpose:
 *   B read as stored (NN, TN): i-p-j, 4 rows of C at a time (each row of B loaded once per 4 rows)
 *   B transposed (NT, TT):     i-j-p, 4 dot products at a time sharing the loads of A's row
 */
export function matmul({
  a,
  aOff = 0,
  b,
  bOff = 0,
  out,
  oOff = 0,
  m,
  k,
  n,
  transA = false,
  transB = false,
  accumulate = false,
}: MatmulArgs): void {
  if (!accumulate) out.fill(0, oOff, oOff + m * n);
  if (m === 0 || n === 0 || k === 0) return;
  // A element (i, p) sits at aOff + i·sa + p·sp.
  const sa = transA ? 1 : k;
  const sp = transA ? m : 1;
  const f32 = out instanceof Float32Array;
  if (!transB) (f32 ? rowsF32 : rowsF64)(a, aOff, sa, sp, b, bOff, out, oOff, m, k, n);
  else (f32 ? dotsF32 : dotsF64)(a, aOff, sa, sp, b, bOff, out, oOff, m, k, n);
}

let scratch32 = new Float32Array(1024);
let scratch64 = new Float64Array(1024);

/** A reusable work buffer of at least `n` elements (the kernel is synchronous). */
function scratchF32(n: number): Float32Array {
  if (scratch32.length < n) scratch32 = new Float32Array(Math.max(n, 2 * scratch32.length));
  return scratch32;
}
function scratchF64(n: number): Float64Array {
  if (scratch64.length < n) scratch64 = new Float64Array(Math.max(n, 2 * scratch64.length));
  return scratch64;
}

/**
 * B read as stored (row p of B at bOff + p·n): four rows of C at a time; each slice's partial sums
 * `t` live in a float32 scratch (every store rounds) and are added into C at the end of the slice.
 * Rows past `m` multiply zeros and are discarded.
 */
function rowsF32(
  a: FloatArray,
  aOff: number,
  sa: number,
  sp: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  oOff: number,
  m: number,
  k: number,
  n: number,
): void {
  const t = scratchF32(4 * n);
  for (let i = 0; i < m; i += 4) {
    const rows = Math.min(4, m - i);
    const c0 = oOff + i * n;
    for (let p0 = 0; p0 < k; p0 += MATMUL_SLICE) {
      const p1 = Math.min(k, p0 + MATMUL_SLICE);
      t.fill(0, 0, 4 * n);
      for (let p = p0; p < p1; p++) {
        const ap = aOff + i * sa + p * sp;
        const a0 = a[ap];
        const a1 = rows > 1 ? a[ap + sa] : 0;
        const a2 = rows > 2 ? a[ap + 2 * sa] : 0;
        const a3 = rows > 3 ? a[ap + 3 * sa] : 0;
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) {
          const bv = b[bp + j];
          t[j] += Math.fround(a0 * bv);
          t[n + j] += Math.fround(a1 * bv);
          t[2 * n + j] += Math.fround(a2 * bv);
          t[3 * n + j] += Math.fround(a3 * bv);
        }
      }
      for (let j = 0; j < rows * n; j++) out[c0 + j] += t[j];
    }
  }
}

/** {@link rowsF32} in float64. */
function rowsF64(
  a: FloatArray,
  aOff: number,
  sa: number,
  sp: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  oOff: number,
  m: number,
  k: number,
  n: number,
): void {
  const t = scratchF64(4 * n);
  for (let i = 0; i < m; i += 4) {
    const rows = Math.min(4, m - i);
    const c0 = oOff + i * n;
    for (let p0 = 0; p0 < k; p0 += MATMUL_SLICE) {
      const p1 = Math.min(k, p0 + MATMUL_SLICE);
      t.fill(0, 0, 4 * n);
      for (let p = p0; p < p1; p++) {
        const ap = aOff + i * sa + p * sp;
        const a0 = a[ap];
        const a1 = rows > 1 ? a[ap + sa] : 0;
        const a2 = rows > 2 ? a[ap + 2 * sa] : 0;
        const a3 = rows > 3 ? a[ap + 3 * sa] : 0;
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) {
          const bv = b[bp + j];
          t[j] += a0 * bv;
          t[n + j] += a1 * bv;
          t[2 * n + j] += a2 * bv;
          t[3 * n + j] += a3 * bv;
        }
      }
      for (let j = 0; j < rows * n; j++) out[c0 + j] += t[j];
    }
  }
}

/**
 * B transposed (column j of op(B) contiguous at bOff + j·k): four dot products at a time, each
 * slice summed in a register (`Math.fround` after every operation) and added into C.
 */
function dotsF32(
  a: FloatArray,
  aOff: number,
  sa: number,
  sp: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  oOff: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * sa;
    const ci = oOff + i * n;
    for (let p0 = 0; p0 < k; p0 += MATMUL_SLICE) {
      const p1 = Math.min(k, p0 + MATMUL_SLICE);
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
        for (let p = p0; p < p1; p++) {
          const av = a[ai + p * sp];
          s0 = Math.fround(s0 + Math.fround(av * b[b0 + p]));
          s1 = Math.fround(s1 + Math.fround(av * b[b1 + p]));
          s2 = Math.fround(s2 + Math.fround(av * b[b2 + p]));
          s3 = Math.fround(s3 + Math.fround(av * b[b3 + p]));
        }
        out[ci + j] += s0;
        out[ci + j + 1] += s1;
        out[ci + j + 2] += s2;
        out[ci + j + 3] += s3;
      }
      for (; j < n; j++) {
        const b0 = bOff + j * k;
        let s = 0;
        for (let p = p0; p < p1; p++) s = Math.fround(s + Math.fround(a[ai + p * sp] * b[b0 + p]));
        out[ci + j] += s;
      }
    }
  }
}

/** {@link dotsF32} in float64. */
function dotsF64(
  a: FloatArray,
  aOff: number,
  sa: number,
  sp: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  oOff: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * sa;
    const ci = oOff + i * n;
    for (let p0 = 0; p0 < k; p0 += MATMUL_SLICE) {
      const p1 = Math.min(k, p0 + MATMUL_SLICE);
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
        for (let p = p0; p < p1; p++) {
          const av = a[ai + p * sp];
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
        for (let p = p0; p < p1; p++) s += a[ai + p * sp] * b[b0 + p];
        out[ci + j] += s;
      }
    }
  }
}

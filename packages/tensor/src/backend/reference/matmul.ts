import type { MatmulArgs } from "../backend.js";

/**
 * C (m×n) (+)= op(A) (m×k) · op(B) (k×n), each loop order chosen so that the innermost loop runs
 * over contiguous memory and no transpose is materialised:
 *   NN: i-p-j, 4 rows of C at a time (each row of B loaded once per 4 rows) into a float64 scratch
 *   TN: p-i-j, likewise (A read down its columns)
 *   NT: i-j-p, 4 dot products at a time sharing the loads of A's row
 *   TT: i-j-p strided dot (rare)
 * No shortcut skips zeros: 0·∞ must still give NaN, as in PyTorch.
 */
let scratchBuf = new Float64Array(1024);

/** A reusable float64 work buffer of at least `n` elements (the kernel is synchronous). */
function scratch(n: number): Float64Array {
  if (scratchBuf.length < n) scratchBuf = new Float64Array(Math.max(n, 2 * scratchBuf.length));
  return scratchBuf;
}

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
  if (!transB) {
    // A element (i, p) sits at aOff + i·sa + p·sp.
    const sa = transA ? 1 : k;
    const sp = transA ? m : 1;
    // Four rows of C accumulate in a float64 scratch (exact-ish sums for float32 too), then land in C.
    const acc = scratch(4 * n);
    let i = 0;
    for (; i < m; i += 4) {
      const rows = Math.min(4, m - i);
      acc.fill(0, 0, 4 * n);
      for (let p = 0; p < k; p++) {
        const ap = aOff + i * sa + p * sp;
        const a0 = a[ap];
        const a1 = rows > 1 ? a[ap + sa] : 0;
        const a2 = rows > 2 ? a[ap + 2 * sa] : 0;
        const a3 = rows > 3 ? a[ap + 3 * sa] : 0;
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) {
          const bv = b[bp + j];
          acc[j] += a0 * bv;
          acc[n + j] += a1 * bv;
          acc[2 * n + j] += a2 * bv;
          acc[3 * n + j] += a3 * bv;
        }
      }
      const c0 = oOff + i * n;
      for (let j = 0; j < rows * n; j++) out[c0 + j] += acc[j];
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

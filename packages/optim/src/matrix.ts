/**
 * Dense matrix products for the rules that work on a parameter as a matrix (Muon's Newton–Schulz
 * iteration), over row-major `Float64Array`s.
 *
 * One product, `C ← A·Bᵀ` (every entry a dot product of a row of A and a row of B), covers the
 * three the iteration needs: the Gram matrix `X·Xᵀ`, the square of a symmetric matrix
 * (`S·S = S·Sᵀ`), and `S·X` (as `S·(Xᵀ)ᵀ`, with Xᵀ transposed once into rows).
 *
 * **Summation order.** Every entry is summed in float64 in increasing `k`, one rounding per product
 * and per addition (`acc ← acc + a_k·b_k`, no fused multiply-add): the order a plain triple loop
 * gives, and the one the NumPy reference of `fixtures/` uses, so results are reproducible bit for
 * bit. The blocking below changes which entries are computed together, never the order of an
 * entry's sum. For float32 matrices held in float64 arrays (the float32 path of Muon), each product
 * of two float32 values is exact in float64, so an entry is its float64 sum, rounded once to
 * float32 by the caller: close to the correctly rounded float32 product.
 */

/** Rows of A per block: each row of A is read once per block of B's rows. */
const ROW_BLOCK = 4;
/** Rows of B per tile: a tile (COL_TILE rows of k values) stays in cache while every row block of A passes over it. */
const COL_TILE = 64;

/**
 * `out` (p×q) ← A·Bᵀ for A (p×k) and B (q×k), row-major: `out[i·q + j] = Σ_k A[i,k]·B[j,k]`,
 * summed in increasing k.
 *
 * With `symmetric` (A and B the same matrix, p = q), entries above the diagonal are copied from
 * below it: the same values (each term `A[i,k]·A[j,k]` is the same product either way round), at
 * half the work.
 */
export function multiplyTransposed(
  a: Float64Array,
  b: Float64Array,
  p: number,
  q: number,
  k: number,
  out: Float64Array,
  symmetric = false,
): void {
  if (a.length < p * k || b.length < q * k || out.length < p * q) {
    throw new RangeError(
      `multiplyTransposed: arrays too short for ${p}×${k} · (${q}×${k})ᵀ (have ${a.length}, ${b.length}, ${out.length})`,
    );
  }
  for (let j0 = 0; j0 < q; j0 += COL_TILE) {
    const j1 = Math.min(q, j0 + COL_TILE);
    const iStart = symmetric ? j0 - (j0 % ROW_BLOCK) : 0;
    for (let i0 = iStart; i0 < p; i0 += ROW_BLOCK) {
      const i1 = Math.min(p, i0 + ROW_BLOCK);
      // When symmetric, the columns up to the block's last row: every entry on or below the
      // diagonal, and a few above it in the diagonal block, which the mirror below overwrites.
      const jEnd = symmetric ? Math.min(j1, i1) : j1;
      if (i1 - i0 === ROW_BLOCK) block4(a, b, q, k, out, i0, j0, jEnd);
      else for (let i = i0; i < i1; i++) row1(a, b, q, k, out, i, j0, jEnd);
    }
  }
  if (symmetric) {
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) out[i * p + j] = out[j * p + i];
  }
}

/**
 * Rows i0..i0+3 of `out`, columns j0..jEnd−1, four columns at a time: sixteen independent sums in
 * registers, each in increasing k (measured fastest in V8 among 1×1, 4×2 and 4×4 blocks, and the
 * i-k-j order: about 2× the 1×1 dot product at 256×1024·1024×256).
 */
function block4(
  a: Float64Array,
  b: Float64Array,
  q: number,
  k: number,
  out: Float64Array,
  i0: number,
  j0: number,
  jEnd: number,
): void {
  const r0 = i0 * k;
  const r1 = r0 + k;
  const r2 = r1 + k;
  const r3 = r2 + k;
  let j = j0;
  for (; j + 3 < jEnd; j += 4) {
    const s0 = j * k;
    const s1 = s0 + k;
    const s2 = s1 + k;
    const s3 = s2 + k;
    let c00 = 0;
    let c01 = 0;
    let c02 = 0;
    let c03 = 0;
    let c10 = 0;
    let c11 = 0;
    let c12 = 0;
    let c13 = 0;
    let c20 = 0;
    let c21 = 0;
    let c22 = 0;
    let c23 = 0;
    let c30 = 0;
    let c31 = 0;
    let c32 = 0;
    let c33 = 0;
    for (let t = 0; t < k; t++) {
      const b0 = b[s0 + t];
      const b1 = b[s1 + t];
      const b2 = b[s2 + t];
      const b3 = b[s3 + t];
      let x = a[r0 + t];
      c00 += x * b0;
      c01 += x * b1;
      c02 += x * b2;
      c03 += x * b3;
      x = a[r1 + t];
      c10 += x * b0;
      c11 += x * b1;
      c12 += x * b2;
      c13 += x * b3;
      x = a[r2 + t];
      c20 += x * b0;
      c21 += x * b1;
      c22 += x * b2;
      c23 += x * b3;
      x = a[r3 + t];
      c30 += x * b0;
      c31 += x * b1;
      c32 += x * b2;
      c33 += x * b3;
    }
    let o = i0 * q + j;
    out[o] = c00;
    out[o + 1] = c01;
    out[o + 2] = c02;
    out[o + 3] = c03;
    o += q;
    out[o] = c10;
    out[o + 1] = c11;
    out[o + 2] = c12;
    out[o + 3] = c13;
    o += q;
    out[o] = c20;
    out[o + 1] = c21;
    out[o + 2] = c22;
    out[o + 3] = c23;
    o += q;
    out[o] = c30;
    out[o + 1] = c31;
    out[o + 2] = c32;
    out[o + 3] = c33;
  }
  if (j < jEnd) for (let i = i0; i < i0 + ROW_BLOCK; i++) row1(a, b, q, k, out, i, j, jEnd);
}

/** Row i of `out`, columns j0..j1−1, one sum at a time. */
function row1(
  a: Float64Array,
  b: Float64Array,
  q: number,
  k: number,
  out: Float64Array,
  i: number,
  j0: number,
  j1: number,
): void {
  const r = i * k;
  for (let j = j0; j < j1; j++) {
    const s = j * k;
    let c = 0;
    for (let t = 0; t < k; t++) c += a[r + t] * b[s + t];
    out[i * q + j] = c;
  }
}

/** `out` (cols×rows) ← the transpose of `src` (rows×cols), row-major. */
export function transposeInto(src: ArrayLike<number>, rows: number, cols: number, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = src[r + j];
  }
}

// Matrix product C (p×q) ← A (p×k) · B (k×q) over row-major float64 matrices, for Muon's
// Newton–Schulz iteration, f64x2 SIMD across pairs of columns of C:
//
//   C[i, j] = Σ_t A[i, t]·B[t, j]      summed in increasing t, one rounding per product and per sum
//
// the same order and roundings as `multiplyTransposed` in `src/matrix.ts` (a TypeScript triple
// loop), so both give the same bits. Each 4×4 block of C is sixteen independent sums held in eight
// f64x2 registers; B is walked in tiles of COL_TILE columns so a tile stays in cache while every
// block row of A passes over it.
//
// With `lower`, only the blocks that reach the diagonal or below it are computed (for a symmetric
// C: the caller copies the entries above the diagonal from below it).

const COL_TILE: i32 = 64;

export function matmulF64(a: usize, b: usize, c: usize, p: i32, q: i32, k: i32, lower: bool): void {
  const q8 = (<usize>q) << 3;
  const k8 = (<usize>k) << 3;
  for (let j0: i32 = 0; j0 < q; j0 += COL_TILE) {
    const j1 = min(q, j0 + COL_TILE);
    let i: i32 = lower ? j0 - (j0 & 3) : 0;
    for (; i + 3 < p; i += 4) {
      const jEnd = lower ? min(j1, i + 4) : j1;
      const a0 = a + <usize>i * k8;
      const a1 = a0 + k8;
      const a2 = a1 + k8;
      const a3 = a2 + k8;
      let j = j0;
      for (; j + 3 < jEnd; j += 4) {
        let c00 = f64x2.splat(0);
        let c01 = f64x2.splat(0);
        let c10 = f64x2.splat(0);
        let c11 = f64x2.splat(0);
        let c20 = f64x2.splat(0);
        let c21 = f64x2.splat(0);
        let c30 = f64x2.splat(0);
        let c31 = f64x2.splat(0);
        let bp = b + ((<usize>j) << 3);
        for (let t: i32 = 0; t < k; t++) {
          const b0 = v128.load(bp);
          const b1 = v128.load(bp, 16);
          const o = (<usize>t) << 3;
          let x = f64x2.splat(load<f64>(a0 + o));
          c00 = f64x2.add(c00, f64x2.mul(x, b0));
          c01 = f64x2.add(c01, f64x2.mul(x, b1));
          x = f64x2.splat(load<f64>(a1 + o));
          c10 = f64x2.add(c10, f64x2.mul(x, b0));
          c11 = f64x2.add(c11, f64x2.mul(x, b1));
          x = f64x2.splat(load<f64>(a2 + o));
          c20 = f64x2.add(c20, f64x2.mul(x, b0));
          c21 = f64x2.add(c21, f64x2.mul(x, b1));
          x = f64x2.splat(load<f64>(a3 + o));
          c30 = f64x2.add(c30, f64x2.mul(x, b0));
          c31 = f64x2.add(c31, f64x2.mul(x, b1));
          bp += q8;
        }
        const cp = c + ((<usize>i * <usize>q + <usize>j) << 3);
        v128.store(cp, c00);
        v128.store(cp, c01, 16);
        v128.store(cp + q8, c10);
        v128.store(cp + q8, c11, 16);
        v128.store(cp + 2 * q8, c20);
        v128.store(cp + 2 * q8, c21, 16);
        v128.store(cp + 3 * q8, c30);
        v128.store(cp + 3 * q8, c31, 16);
      }
      for (; j < jEnd; j++) for (let r = i; r < i + 4; r++) entry(a, b, c, q, k, r, j);
    }
    for (; i < p; i++) {
      const jEnd = lower ? min(j1, i + 1) : j1;
      for (let j = j0; j < jEnd; j++) entry(a, b, c, q, k, i, j);
    }
  }
}

/** C[i, j], one sum. */
function entry(a: usize, b: usize, c: usize, q: i32, k: i32, i: i32, j: i32): void {
  let s: f64 = 0;
  let ap = a + <usize>i * ((<usize>k) << 3);
  let bp = b + ((<usize>j) << 3);
  const q8 = (<usize>q) << 3;
  for (let t: i32 = 0; t < k; t++) {
    s += load<f64>(ap) * load<f64>(bp);
    ap += 8;
    bp += q8;
  }
  store<f64>(c + ((<usize>i * <usize>q + <usize>j) << 3), s);
}

// GEMM with 128-bit SIMD, one driver for f32 and f64 (AssemblyScript; compiled by
// scripts/build-wasm.mjs into src/backend/wasm-binary.ts).
//
//   C (m×n, row-major) += op(A) · op(B),   op(A) m×k, op(B) k×n
//   op(A)[i][p] = transA ? A[p·m + i] : A[i·k + p]      op(B)[p][j] = transB ? B[j·k + p] : B[p·n + j]
//
// GotoBLAS structure: for each KC-deep slice of k, pack a KC×n slice of op(B) into NR-wide column
// panels and, for each MC-tall block of rows, an MC×KC block of op(A) into MR-tall row panels
// (zero-padded at the edges, so the micro-kernel never branches); then an MR×NR micro-kernel keeps
// its tile of C in eight v128 registers over the whole KC loop. Transposes are absorbed by the
// packing, so all four forms run the same kernel. The caller zero-fills C for `C = A·B`.
// All pointers are byte addresses in this module's memory; the caller lays out the operands and
// the two packing buffers (sizes from gemmPackA and sgemmPackB / dgemmPackB).
//
// The driver is generic over the element type T; every block is sized in bytes, so f32 and f64
// have the same register and cache footprint:
//   micro-tile  MR × NR = 4 rows × 32 bytes: 4×8 f32 (f32x4 lanes) or 4×4 f64 (f64x2 lanes)
//   slice of k  KC = 256
//   A block     MC·KC·sizeof(T) = 128 KiB: MC = 128 rows of f32 or 64 rows of f64
//
// Each element of C is computed as C + t₁ + t₂ + … where tₛ sums the products of slice s in order
// of p, starting from +0, in T's arithmetic (a multiply, then an add: WebAssembly has no fused
// multiply-add). The reference backend (src/backend/reference/matmul.ts) performs exactly these
// operations, so both give the same bits; KC must equal its MATMUL_SLICE (the tests that compare
// the two bit for bit straddle it).

const MR = 4;
const KC = 256;
const NR_BYTES = 32;
const A_BLOCK_BYTES = 128 * 1024;

/** Bytes of the A packing buffer. */
export function gemmPackA(): i32 {
  return A_BLOCK_BYTES;
}

/** Bytes of the B packing buffer for `n` columns of T (plus an MR×NR edge tile). */
function packBBytes<T>(n: i32): i32 {
  const nr = NR_BYTES / sizeof<T>();
  return ((n + nr - 1) / nr) * NR_BYTES * KC + MR * NR_BYTES;
}

/** `C += op(A)·op(B)` in T's arithmetic (T = f32 or f64): the blocking and packing loops. */
function gemm<T>(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  transA: bool,
  transB: bool,
  pa: usize,
  pb: usize,
): void {
  const es = <i32>sizeof<T>();
  const nr = NR_BYTES / es;
  const mc = A_BLOCK_BYTES / (KC * es);
  const nPanels = (n + nr - 1) / nr;
  const tile = pb + <usize>(nPanels * NR_BYTES * KC);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    packB<T>(b, k, n, transB, pc, kc, pb);
    for (let ic = 0; ic < m; ic += mc) {
      const mcur = min(mc, m - ic);
      packA<T>(a, m, k, transA, ic, mcur, pc, kc, pa);
      for (let jp = 0; jp < nPanels; jp++) {
        const j = jp * nr;
        const bp = pb + <usize>(jp * kc * NR_BYTES);
        for (let i = 0; i < mcur; i += MR) {
          const ap = pa + <usize>(i * kc * es);
          const ci = c + <usize>(((ic + i) * n + j) * es);
          if (i + MR <= mcur && j + nr <= n) {
            micro<T>(ap, bp, kc, ci, <usize>(n * es));
          } else {
            memory.fill(tile, 0, MR * NR_BYTES);
            micro<T>(ap, bp, kc, tile, NR_BYTES);
            const rows = min(MR, mcur - i);
            const cols = min(nr, n - j);
            for (let r = 0; r < rows; r++) {
              for (let q = 0; q < cols; q++) {
                const dst = ci + <usize>((r * n + q) * es);
                store<T>(dst, load<T>(dst) + load<T>(tile + <usize>(r * NR_BYTES + q * es)));
              }
            }
          }
        }
      }
    }
  }
}

/** op(B)[pc..pc+kc][0..n] into NR-wide panels: panel jp holds kc rows of NR elements (32 bytes). */
function packB<T>(b: usize, k: i32, n: i32, transB: bool, pc: i32, kc: i32, pb: usize): void {
  const es = <i32>sizeof<T>();
  const nr = NR_BYTES / es;
  let dst = pb;
  for (let j = 0; j < n; j += nr) {
    const cols = min(nr, n - j);
    if (!transB && cols === nr) {
      let src = b + <usize>((pc * n + j) * es);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += <usize>(n * es);
        dst += NR_BYTES;
      }
    } else if (transB && cols === nr && es === 4) {
      // B is stored n×k: each of the panel's 8 columns of op(B) is a contiguous row of B.
      // Transpose 4×4 blocks: 4 k-values from each of 4 rows become 4 rows of the panel. (f64
      // panels take the element-wise path below: a dedicated one would push the module past 4 KiB,
      // the most some browsers compile synchronously on the main thread.)
      const src = b + <usize>((j * k + pc) * es);
      const ld = <usize>(k * es);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s = src + <usize>(p * 4);
        transpose4(dst, s, s + ld, s + 2 * ld, s + 3 * ld, NR_BYTES);
        transpose4(dst + 16, s + 4 * ld, s + 5 * ld, s + 6 * ld, s + 7 * ld, NR_BYTES);
        dst += 4 * NR_BYTES;
      }
      for (; p < kc; p++) {
        for (let q = 0; q < nr; q++)
          store<T>(dst + <usize>(q * es), load<T>(src + <usize>q * ld + <usize>(p * es)));
        dst += NR_BYTES;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < nr; q++) {
          let v: T = <T>0;
          if (q < cols) {
            v = transB
              ? load<T>(b + <usize>(((j + q) * k + pc + p) * es))
              : load<T>(b + <usize>(((pc + p) * n + j + q) * es));
          }
          store<T>(dst + <usize>(q * es), v);
        }
        dst += NR_BYTES;
      }
    }
  }
}

/** op(A)[ic..ic+mc][pc..pc+kc] into MR-tall panels: each panel holds kc columns of MR elements. */
function packA<T>(
  a: usize,
  m: i32,
  k: i32,
  transA: bool,
  ic: i32,
  mc: i32,
  pc: i32,
  kc: i32,
  pa: usize,
): void {
  const es = <i32>sizeof<T>();
  let dst = pa;
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    const row = ic + i;
    if (transA && rows === MR) {
      // A is stored k×m: the panel's column p is MR contiguous elements of row pc + p of A.
      let src = a + <usize>((pc * m + row) * es);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        if (es === 8) v128.store(dst, v128.load(src, 16), 16);
        src += <usize>(m * es);
        dst += MR * es;
      }
    } else if (!transA && rows === MR) {
      // A is stored m×k: the panel's 4 rows are contiguous; for f32, transpose 4×4 blocks of them.
      const r0 = a + <usize>((row * k + pc) * es);
      const ld = <usize>(k * es);
      let p = 0;
      if (es === 4) {
        for (; p + 4 <= kc; p += 4) {
          const s = r0 + <usize>(p * 4);
          transpose4(dst, s, s + ld, s + 2 * ld, s + 3 * ld, MR * 4);
          dst += 4 * MR * 4;
        }
      }
      for (; p < kc; p++) {
        const s = r0 + <usize>(p * es);
        store<T>(dst, load<T>(s));
        store<T>(dst + <usize>es, load<T>(s + ld));
        store<T>(dst + <usize>(2 * es), load<T>(s + 2 * ld));
        store<T>(dst + <usize>(3 * es), load<T>(s + 3 * ld));
        dst += MR * es;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v: T = <T>0;
          if (r < rows) {
            v = transA
              ? load<T>(a + <usize>(((pc + p) * m + row + r) * es))
              : load<T>(a + <usize>(((row + r) * k + pc + p) * es));
          }
          store<T>(dst + <usize>(r * es), v);
        }
        dst += MR * es;
      }
    }
  }
}

/**
 * Reads 4 floats at each of `s0..s3` (rows of a 4×4 f32 block) and stores the block transposed:
 * `dst + i·stride` receives `[s0[i], s1[i], s2[i], s3[i]]`.
 */
function transpose4(dst: usize, s0: usize, s1: usize, s2: usize, s3: usize, stride: usize): void {
  const v0 = v128.load(s0);
  const v1 = v128.load(s1);
  const v2 = v128.load(s2);
  const v3 = v128.load(s3);
  const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/** C[0..MR][0..NR] (row stride `ldc` bytes) += Apanel (kc×MR)ᵀ · Bpanel (kc×NR), in registers. */
function micro<T>(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize): void {
  let c00 = v128.splat<T>(<T>0);
  let c01 = v128.splat<T>(<T>0);
  let c10 = v128.splat<T>(<T>0);
  let c11 = v128.splat<T>(<T>0);
  let c20 = v128.splat<T>(<T>0);
  let c21 = v128.splat<T>(<T>0);
  let c30 = v128.splat<T>(<T>0);
  let c31 = v128.splat<T>(<T>0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load_splat<T>(ap);
    c00 = v128.add<T>(c00, v128.mul<T>(x, b0));
    c01 = v128.add<T>(c01, v128.mul<T>(x, b1));
    x = v128.load_splat<T>(ap, sizeof<T>());
    c10 = v128.add<T>(c10, v128.mul<T>(x, b0));
    c11 = v128.add<T>(c11, v128.mul<T>(x, b1));
    x = v128.load_splat<T>(ap, 2 * sizeof<T>());
    c20 = v128.add<T>(c20, v128.mul<T>(x, b0));
    c21 = v128.add<T>(c21, v128.mul<T>(x, b1));
    x = v128.load_splat<T>(ap, 3 * sizeof<T>());
    c30 = v128.add<T>(c30, v128.mul<T>(x, b0));
    c31 = v128.add<T>(c31, v128.mul<T>(x, b1));
    ap += MR * sizeof<T>();
    bp += NR_BYTES;
  }
  v128.store(c, v128.add<T>(v128.load(c), c00));
  v128.store(c, v128.add<T>(v128.load(c, 16), c01), 16);
  c += ldc;
  v128.store(c, v128.add<T>(v128.load(c), c10));
  v128.store(c, v128.add<T>(v128.load(c, 16), c11), 16);
  c += ldc;
  v128.store(c, v128.add<T>(v128.load(c), c20));
  v128.store(c, v128.add<T>(v128.load(c, 16), c21), 16);
  c += ldc;
  v128.store(c, v128.add<T>(v128.load(c), c30));
  v128.store(c, v128.add<T>(v128.load(c, 16), c31), 16);
}

// The exported entry points, one per element type.

export function sgemm(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  transA: bool,
  transB: bool,
  pa: usize,
  pb: usize,
): void {
  gemm<f32>(a, b, c, m, k, n, transA, transB, pa, pb);
}

export function dgemm(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  transA: bool,
  transB: bool,
  pa: usize,
  pb: usize,
): void {
  gemm<f64>(a, b, c, m, k, n, transA, transB, pa, pb);
}

/** Bytes of the B packing buffer for `n` float32 columns. */
export function sgemmPackB(n: i32): i32 {
  return packBBytes<f32>(n);
}

/** Bytes of the B packing buffer for `n` float64 columns. */
export function dgemmPackB(n: i32): i32 {
  return packBBytes<f64>(n);
}

// fp32 GEMM with f32x4 SIMD (AssemblyScript; compiled by build.mjs into src/backend/wasm-binary.ts).
//
//   C (m×n, row-major) += op(A) · op(B),   op(A) m×k, op(B) k×n
//   op(A)[i][p] = transA ? A[p·m + i] : A[i·k + p]      op(B)[p][j] = transB ? B[j·k + p] : B[p·n + j]
//
// GotoBLAS structure: for each KC-deep slice of k, pack a KC×n slice of op(B) into NR-wide column
// panels and, for each MC-tall block of rows, an MC×KC block of op(A) into MR-tall row panels
// (zero-padded at the edges, so the micro-kernel never branches); then an MR×NR micro-kernel keeps
// its 4×8 tile of C in eight f32x4 registers over the whole KC loop. Transposes are absorbed by
// the packing, so all four forms run the same kernel. The caller zero-fills C for `C = A·B`.
// All pointers are byte addresses in this module's memory; the caller lays out the operands and
// the two packing buffers (sizes from sgemmPackA / sgemmPackB).

const MR = 4;
const NR = 8;
const KC = 256;
const MC = 128;

/** Bytes of the A packing buffer. */
export function sgemmPackA(): i32 {
  return MC * KC * 4;
}

/** Bytes of the B packing buffer for `n` columns (plus a 4×8 edge tile). */
export function sgemmPackB(n: i32): i32 {
  return (((n + NR - 1) / NR) * NR * KC + MR * NR) * 4;
}

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
  const nPanels = (n + NR - 1) / NR;
  const tile = pb + <usize>(nPanels * NR * KC * 4);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    packB(b, k, n, transB, pc, kc, pb);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min(MC, m - ic);
      packA(a, m, k, transA, ic, mc, pc, kc, pa);
      for (let jp = 0; jp < nPanels; jp++) {
        const j = jp * NR;
        const bp = pb + <usize>(jp * NR * kc * 4);
        for (let i = 0; i < mc; i += MR) {
          const ap = pa + <usize>(i * kc * 4);
          const ci = c + <usize>(((ic + i) * n + j) * 4);
          if (i + MR <= mc && j + NR <= n) {
            micro(ap, bp, kc, ci, <usize>n * 4);
          } else {
            memory.fill(tile, 0, MR * NR * 4);
            micro(ap, bp, kc, tile, NR * 4);
            const rows = min(MR, mc - i);
            const cols = min(NR, n - j);
            for (let r = 0; r < rows; r++) {
              for (let q = 0; q < cols; q++) {
                const dst = ci + <usize>((r * n + q) * 4);
                store<f32>(dst, load<f32>(dst) + load<f32>(tile + <usize>((r * NR + q) * 4)));
              }
            }
          }
        }
      }
    }
  }
}

/** op(B)[pc..pc+kc][0..n] into NR-wide panels: panel jp holds kc rows of NR floats. */
function packB(b: usize, k: i32, n: i32, transB: bool, pc: i32, kc: i32, pb: usize): void {
  let dst = pb;
  for (let j = 0; j < n; j += NR) {
    const cols = min(NR, n - j);
    if (!transB && cols === NR) {
      let src = b + <usize>((pc * n + j) * 4);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += <usize>n * 4;
        dst += NR * 4;
      }
    } else if (transB && cols === NR) {
      // B is stored n×k: each of the panel's 8 columns of op(B) is a contiguous row of B.
      // Transpose 4×4 blocks: 4 k-values from each of 4 rows become 4 rows of the panel.
      const src = b + <usize>(j * k + pc) * 4;
      const ld = <usize>k * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s = src + <usize>(p * 4);
        transpose4(dst, s, s + ld, s + 2 * ld, s + 3 * ld, NR * 4);
        transpose4(dst + 16, s + 4 * ld, s + 5 * ld, s + 6 * ld, s + 7 * ld, NR * 4);
        dst += 4 * NR * 4;
      }
      for (; p < kc; p++) {
        for (let q = 0; q < NR; q++)
          store<f32>(dst + <usize>(q * 4), load<f32>(src + <usize>q * ld + <usize>(p * 4)));
        dst += NR * 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < NR; q++) {
          let v: f32 = 0;
          if (q < cols) {
            v = transB
              ? load<f32>(b + <usize>(((j + q) * k + pc + p) * 4))
              : load<f32>(b + <usize>(((pc + p) * n + j + q) * 4));
          }
          store<f32>(dst + <usize>(q * 4), v);
        }
        dst += NR * 4;
      }
    }
  }
}

/** op(A)[ic..ic+mc][pc..pc+kc] into MR-tall panels: panel holds kc columns of MR floats. */
function packA(a: usize, m: i32, k: i32, transA: bool, ic: i32, mc: i32, pc: i32, kc: i32, pa: usize): void {
  let dst = pa;
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    const row = ic + i;
    if (transA && rows === MR) {
      let src = a + <usize>((pc * m + row) * 4);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        src += <usize>m * 4;
        dst += MR * 4;
      }
    } else if (!transA && rows === MR) {
      // A is stored m×k: the panel's 4 rows are contiguous; transpose 4×4 blocks of them.
      const r0 = a + <usize>((row * k + pc) * 4);
      const ld = <usize>k * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s = r0 + <usize>(p * 4);
        transpose4(dst, s, s + ld, s + 2 * ld, s + 3 * ld, MR * 4);
        dst += 4 * MR * 4;
      }
      for (; p < kc; p++) {
        const s = r0 + <usize>(p * 4);
        store<f32>(dst, load<f32>(s));
        store<f32>(dst, load<f32>(s + ld), 4);
        store<f32>(dst, load<f32>(s + 2 * ld), 8);
        store<f32>(dst, load<f32>(s + 3 * ld), 12);
        dst += MR * 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v: f32 = 0;
          if (r < rows) {
            v = transA
              ? load<f32>(a + <usize>(((pc + p) * m + row + r) * 4))
              : load<f32>(a + <usize>(((row + r) * k + pc + p) * 4));
          }
          store<f32>(dst + <usize>(r * 4), v);
        }
        dst += MR * 4;
      }
    }
  }
}

/**
 * Reads 4 floats at each of `s0..s3` (rows of a 4×4 block) and stores the block transposed:
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

/** C[0..4][0..8] (row stride `ldc` bytes) += Apanel (kc×4) ᵀ· Bpanel (kc×8), in registers. */
function micro(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    ap += MR * 4;
    bp += NR * 4;
  }
  v128.store(c, f32x4.add(v128.load(c), c00));
  v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
  c += ldc;
  v128.store(c, f32x4.add(v128.load(c), c10));
  v128.store(c, f32x4.add(v128.load(c, 16), c11), 16);
  c += ldc;
  v128.store(c, f32x4.add(v128.load(c), c20));
  v128.store(c, f32x4.add(v128.load(c, 16), c21), 16);
  c += ldc;
  v128.store(c, f32x4.add(v128.load(c), c30));
  v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
}

// fp64 GEMM with f64x2 SIMD: the same algorithm as sgemm.ts (see there), with 8-byte elements,
// a 4×4 micro-tile held in eight f64x2 registers, and 64-row blocks of A (64×256×8 = 128 KiB).
//
//   C (m×n, row-major) += op(A) · op(B),   op(A) m×k, op(B) k×n
//   op(A)[i][p] = transA ? A[p·m + i] : A[i·k + p]      op(B)[p][j] = transB ? B[j·k + p] : B[p·n + j]

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;
const ES = 8;

/** Bytes of the A packing buffer. */
export function dgemmPackA(): i32 {
  return MC * KC * ES;
}

/** Bytes of the B packing buffer for `n` columns (plus a 4×4 edge tile). */
export function dgemmPackB(n: i32): i32 {
  return (((n + NR - 1) / NR) * NR * KC + MR * NR) * ES;
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
  const nPanels = (n + NR - 1) / NR;
  const tile = pb + <usize>(nPanels * NR * KC * ES);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    packB64(b, k, n, transB, pc, kc, pb);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min(MC, m - ic);
      packA64(a, m, k, transA, ic, mc, pc, kc, pa);
      for (let jp = 0; jp < nPanels; jp++) {
        const j = jp * NR;
        const bp = pb + <usize>(jp * NR * kc * ES);
        for (let i = 0; i < mc; i += MR) {
          const ap = pa + <usize>(i * kc * ES);
          const ci = c + <usize>(((ic + i) * n + j) * ES);
          if (i + MR <= mc && j + NR <= n) {
            micro64(ap, bp, kc, ci, <usize>n * ES);
          } else {
            memory.fill(tile, 0, MR * NR * ES);
            micro64(ap, bp, kc, tile, NR * ES);
            const rows = min(MR, mc - i);
            const cols = min(NR, n - j);
            for (let r = 0; r < rows; r++) {
              for (let q = 0; q < cols; q++) {
                const dst = ci + <usize>((r * n + q) * ES);
                store<f64>(dst, load<f64>(dst) + load<f64>(tile + <usize>((r * NR + q) * ES)));
              }
            }
          }
        }
      }
    }
  }
}

/** op(B)[pc..pc+kc][0..n] into NR-wide panels: panel jp holds kc rows of NR doubles. */
function packB64(b: usize, k: i32, n: i32, transB: bool, pc: i32, kc: i32, pb: usize): void {
  let dst = pb;
  for (let j = 0; j < n; j += NR) {
    const cols = min(NR, n - j);
    if (!transB && cols === NR) {
      let src = b + <usize>((pc * n + j) * ES);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += <usize>n * ES;
        dst += NR * ES;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < NR; q++) {
          let v: f64 = 0;
          if (q < cols) {
            v = transB
              ? load<f64>(b + <usize>(((j + q) * k + pc + p) * ES))
              : load<f64>(b + <usize>(((pc + p) * n + j + q) * ES));
          }
          store<f64>(dst + <usize>(q * ES), v);
        }
        dst += NR * ES;
      }
    }
  }
}

/** op(A)[ic..ic+mc][pc..pc+kc] into MR-tall panels: each panel holds kc columns of MR doubles. */
function packA64(
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
  let dst = pa;
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    const row = ic + i;
    if (transA && rows === MR) {
      let src = a + <usize>((pc * m + row) * ES);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += <usize>m * ES;
        dst += MR * ES;
      }
    } else if (!transA && rows === MR) {
      const r0 = a + <usize>((row * k + pc) * ES);
      const stride = <usize>k * ES;
      for (let p = 0; p < kc; p++) {
        const s = r0 + <usize>(p * ES);
        store<f64>(dst, load<f64>(s));
        store<f64>(dst, load<f64>(s + stride), 8);
        store<f64>(dst, load<f64>(s + 2 * stride), 16);
        store<f64>(dst, load<f64>(s + 3 * stride), 24);
        dst += MR * ES;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v: f64 = 0;
          if (r < rows) {
            v = transA
              ? load<f64>(a + <usize>(((pc + p) * m + row + r) * ES))
              : load<f64>(a + <usize>(((row + r) * k + pc + p) * ES));
          }
          store<f64>(dst + <usize>(r * ES), v);
        }
        dst += MR * ES;
      }
    }
  }
}

/** C[0..4][0..4] (row stride `ldc` bytes) += Apanel (kc×4)ᵀ · Bpanel (kc×4), in registers. */
function micro64(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize): void {
  let c00 = f64x2.splat(0);
  let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0);
  let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0);
  let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0);
  let c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(x, b0));
    c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(x, b0));
    c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(x, b0));
    c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(x, b0));
    c31 = f64x2.add(c31, f64x2.mul(x, b1));
    ap += MR * ES;
    bp += NR * ES;
  }
  v128.store(c, f64x2.add(v128.load(c), c00));
  v128.store(c, f64x2.add(v128.load(c, 16), c01), 16);
  c += ldc;
  v128.store(c, f64x2.add(v128.load(c), c10));
  v128.store(c, f64x2.add(v128.load(c, 16), c11), 16);
  c += ldc;
  v128.store(c, f64x2.add(v128.load(c), c20));
  v128.store(c, f64x2.add(v128.load(c, 16), c21), 16);
  c += ldc;
  v128.store(c, f64x2.add(v128.load(c), c30));
  v128.store(c, f64x2.add(v128.load(c, 16), c31), 16);
}

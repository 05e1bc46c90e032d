import { wasmFor } from "./kernel-backend.js";
import { multiplyTransposed, transposeInto } from "./matrix.js";
import { wasmMatrices } from "./wasm/matrix.js";
import type { OptimKernels } from "./wasm/module.js";

/** The Newton–Schulz iteration's settings (Muon's `nsCoefficients`, `nsSteps`, `eps`). */
export interface NewtonSchulzSettings {
  /** `[a, b, c]`: the quintic `X ← a·X + (b·A + c·A²)·X`, `A = X·Xᵀ`. */
  readonly coefficients: readonly [number, number, number];
  /** Number of iterations. */
  readonly steps: number;
  /** Lower bound of the norm the input is divided by. */
  readonly eps: number;
  /** Round every operation to float32 (the float32 model, see {@link newtonSchulz}). */
  readonly float32: boolean;
}

const same = (x: number): number => x;

/** The matrices of one iteration and its three products (in TypeScript, or in the WASM kernels' memory). */
interface Workspace {
  /** X, m×n. */
  readonly x: Float64Array;
  /** A = X·Xᵀ, m×m. */
  readonly gram: Float64Array;
  /** B = b·A + c·A·A, m×m (holds A·A first). */
  readonly update: Float64Array;
  /** B·X, m×n. */
  readonly bx: Float64Array;
  /** gram ← X·Xᵀ */
  gramOfX(): void;
  /** update ← gram·gram */
  squareGram(): void;
  /** bx ← update·X */
  updateTimesX(): void;
  /** Whether `x` lives in the kernels' memory (the result must be copied out). */
  readonly shared: boolean;
}

function typescriptWorkspace(m: number, n: number): Workspace {
  const x = new Float64Array(m * n);
  const xt = new Float64Array(m * n);
  const gram = new Float64Array(m * m);
  const update = new Float64Array(m * m);
  const bx = new Float64Array(m * n);
  return {
    x,
    gram,
    update,
    bx,
    gramOfX: () => multiplyTransposed(x, x, m, m, n, gram, true),
    // A·A = A·Aᵀ: A is symmetric, bit for bit (its entries are sums of the same products).
    squareGram: () => multiplyTransposed(gram, gram, m, m, m, update, true),
    updateTimesX: () => {
      transposeInto(x, m, n, xt);
      multiplyTransposed(update, xt, m, n, m, bx);
    },
    shared: false,
  };
}

/** The same products by the WASM kernel `matmulF64` (`asm/matrix.ts`): the same sums, the same bits. */
function wasmWorkspace(kern: OptimKernels, m: number, n: number): Workspace | null {
  const mats = wasmMatrices(kern, [m * n, m * n, m * m, m * m, m * n]);
  if (mats === null) return null;
  const [x, xt, gram, update, bx] = mats.views;
  return {
    x,
    gram,
    update,
    bx,
    gramOfX: () => {
      transposeInto(x, m, n, xt);
      mats.matmul(x, xt, gram, m, m, n, true);
      mirrorLower(gram, m);
    },
    squareGram: () => {
      mats.matmul(gram, gram, update, m, m, m, true);
      mirrorLower(update, m);
    },
    updateTimesX: () => mats.matmul(update, x, bx, m, n, m),
    shared: true,
  };
}

/** Copies the entries below the diagonal of a symmetric m×m matrix above it. */
function mirrorLower(a: Float64Array, m: number): void {
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) a[i * m + j] = a[j * m + i];
}

/**
 * PyTorch's `_zeropower_via_newtonschulz` (`torch/optim/_muon.py`), in the matrix's own precision:
 * an approximate orthogonalization `U·S'·Vᵀ` (S' with entries roughly in [0.5, 1.5]) of
 * `G = U·S·Vᵀ` (rows×cols, row-major), by the quintic Newton–Schulz iteration:
 *
 *     X ← Gᵀ if rows > cols, else G          (so that X·Xᵀ is the smaller Gram matrix)
 *     X ← X / max(‖X‖_F, ε)                  (spectral norm ≤ 1)
 *     repeat `steps` times:
 *       A ← X·Xᵀ
 *       B ← b·A + c·A·A                      torch.addmm(A, A, A, beta=b, alpha=c)
 *       X ← a·X + B·X                        torch.addmm(X, B, X, beta=a)
 *     return Xᵀ if rows > cols, else X
 *
 * PyTorch runs this on `grad.bfloat16()`; here it runs in float64, or with `float32` in float32:
 * every element-wise operation rounded to float32, the norm and every matrix product summed in
 * float64 (each product of two float32 values is exact there) and rounded once to float32, and
 * `addmm` as `fl(fl(β·C) + fl(α·fl(A·B)))`. Sums run in increasing index order (see `matrix.ts`):
 * the reference of `fixtures/` computes the same sums, bit for bit.
 *
 * The three products per iteration run in the WASM kernel (`asm/matrix.ts`, f64x2 SIMD, about 3×
 * faster) when the kernel backend is `"wasm"` and the matrix has at least `WASM_MIN_ELEMENTS`
 * elements, else in TypeScript: the same sums in the same order, so the same bits.
 *
 * @returns a new row-major rows×cols matrix (float32 values when `float32`).
 */
export function newtonSchulz(
  g: ArrayLike<number>,
  rows: number,
  cols: number,
  s: NewtonSchulzSettings,
): Float64Array {
  const r = s.float32 ? Math.fround : same;
  const transposed = rows > cols;
  const m = transposed ? cols : rows;
  const n = transposed ? rows : cols;
  const size = m * n;
  const kern = wasmFor(size);
  const w = (kern === null ? null : wasmWorkspace(kern, m, n)) ?? typescriptWorkspace(m, n);
  const { x, gram, update, bx } = w;
  // `ortho_grad.norm()`: the Frobenius norm (summed over G in memory order), `.clamp(min=eps)`.
  let sum = 0;
  for (let i = 0; i < size; i++) sum += g[i] * g[i];
  let norm = r(Math.sqrt(sum));
  const eps = r(s.eps);
  if (norm < eps) norm = eps;
  if (transposed) transposeInto(g, rows, cols, x);
  else for (let i = 0; i < size; i++) x[i] = g[i];
  for (let i = 0; i < size; i++) x[i] = r(x[i] / norm); // `ortho_grad.div_(...)`
  const a = r(s.coefficients[0]);
  const b = r(s.coefficients[1]);
  const c = r(s.coefficients[2]);
  for (let step = 0; step < s.steps; step++) {
    // `gram_matrix = ortho_grad @ ortho_grad.T`
    w.gramOfX();
    if (s.float32) for (let i = 0; i < gram.length; i++) gram[i] = r(gram[i]);
    // `gram_update = torch.addmm(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)`
    w.squareGram();
    for (let i = 0; i < update.length; i++) update[i] = r(r(b * gram[i]) + r(c * r(update[i])));
    // `ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)`
    w.updateTimesX();
    for (let i = 0; i < size; i++) x[i] = r(r(a * x[i]) + r(bx[i]));
  }
  if (!transposed) return w.shared ? x.slice() : x;
  const out = new Float64Array(size);
  transposeInto(x, m, n, out);
  return out;
}

import { multiplyTransposed, transposeInto } from "./matrix.js";

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
  // `ortho_grad.norm()`: the Frobenius norm (summed over G in memory order), `.clamp(min=eps)`.
  let sum = 0;
  for (let i = 0; i < size; i++) sum += g[i] * g[i];
  let norm = r(Math.sqrt(sum));
  const eps = r(s.eps);
  if (norm < eps) norm = eps;
  const x = new Float64Array(size);
  if (transposed) transposeInto(g, rows, cols, x);
  else for (let i = 0; i < size; i++) x[i] = g[i];
  for (let i = 0; i < size; i++) x[i] = r(x[i] / norm); // `ortho_grad.div_(...)`
  const a = r(s.coefficients[0]);
  const b = r(s.coefficients[1]);
  const c = r(s.coefficients[2]);
  const gram = new Float64Array(m * m);
  const update = new Float64Array(m * m);
  const xt = new Float64Array(size);
  const bx = new Float64Array(size);
  for (let step = 0; step < s.steps; step++) {
    // `gram_matrix = ortho_grad @ ortho_grad.T`
    multiplyTransposed(x, x, m, m, n, gram, true);
    if (s.float32) for (let i = 0; i < gram.length; i++) gram[i] = r(gram[i]);
    // `gram_update = torch.addmm(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)`:
    // A·A = A·Aᵀ (A is symmetric, bit for bit: its entries are sums of the same products).
    multiplyTransposed(gram, gram, m, m, m, update, true);
    for (let i = 0; i < update.length; i++) update[i] = r(r(b * gram[i]) + r(c * r(update[i])));
    // `ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)`
    transposeInto(x, m, n, xt);
    multiplyTransposed(update, xt, m, n, m, bx);
    for (let i = 0; i < size; i++) x[i] = r(r(a * x[i]) + r(bx[i]));
  }
  if (!transposed) return x;
  const out = new Float64Array(size);
  transposeInto(x, m, n, out);
  return out;
}

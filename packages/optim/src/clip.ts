import type { FloatArray, Param } from "./param.js";

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or ±Infinity instead of scaling by it. Default false. */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales the gradients so that their total norm is at most `maxNorm`, in place (PyTorch's
 * `torch.nn.utils.clip_grad_norm_`), and returns the total norm before clipping.
 *
 * The total norm is the p-norm of the per-parameter p-norms (the norm of all gradients viewed as
 * one vector); parameters whose `grad` is null are ignored, and no gradients give 0. Then
 *
 *   coef = min(1, maxNorm · 1/(total + 1e-6)),   g ← coef · g
 *
 * (`1/(total + 1e-6)` then `· maxNorm`, the order PyTorch evaluates `max_norm / (total + 1e-6)` in,
 * since a Python scalar divided by a tensor is `tensor.reciprocal() * scalar`). The gradients are
 * always multiplied, by 1 when not clipped: a NaN norm makes every gradient NaN and an infinite one
 * zeroes the finite gradients (∞·0 = NaN for the infinite ones), unless `errorIfNonfinite` is set,
 * which throws before changing anything.
 *
 * `normType`: any p ≠ 0 (‖g‖_p = (Σ|gᵢ|^p)^(1/p)), `Infinity` (max |gᵢ|), `-Infinity` (min |gᵢ|) or
 * 0 (the count of nonzeros), as `torch.linalg.vector_norm`. The norms are accumulated in float64.
 * When every gradient is a `Float32Array`, the per-parameter norms, the total, `total + 1e-6`, its
 * reciprocal and the coefficient are rounded to float32, like PyTorch computing in the gradients'
 * dtype; the returned norm is then the float32 value.
 *
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * optimizer.step();
 */
export function clipGradNorm(
  params: Param | Iterable<Param>,
  maxNorm: number,
  normType = 2,
  { errorIfNonfinite = false }: ClipGradNormOptions = {},
): number {
  if (typeof maxNorm !== "number" || !(maxNorm >= 0)) {
    throw new RangeError(`clipGradNorm: maxNorm must be a non-negative number, got ${maxNorm}`);
  }
  if (typeof normType !== "number" || Number.isNaN(normType)) {
    throw new RangeError(`clipGradNorm: normType must be a number or Infinity, got ${String(normType)}`);
  }
  const grads = gradsOf("clipGradNorm", params);
  if (grads.length === 0) return 0;
  const f32 = grads.every((g) => g instanceof Float32Array);
  const round = f32 ? Math.fround : (x: number) => x;
  const norms = grads.map((g) => round(vectorNorm(g, normType)));
  const total = round(vectorNorm(norms, normType));
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(
      `The total norm of order ${formatOrder(normType)} for gradients from \`parameters\` is non-finite, ` +
        "so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm " +
        "anyway, set `errorIfNonfinite: false`",
    );
  }
  const coef = round(round(1 / round(total + round(1e-6))) * round(maxNorm));
  const clamped = Math.min(coef, 1); // like torch.clamp(max=1), keeps NaN
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) g[i] *= clamped;
  }
  return total;
}

/**
 * Clamps every gradient element to [−clipValue, clipValue], in place (PyTorch's
 * `torch.nn.utils.clip_grad_value_`). Parameters whose `grad` is null are ignored; NaN stays NaN.
 * For float32 gradients the bound is the float32 nearest `clipValue`.
 *
 * @example
 * clipGradValue(params, 0.5);
 */
export function clipGradValue(params: Param | Iterable<Param>, clipValue: number): void {
  if (typeof clipValue !== "number" || !(clipValue >= 0)) {
    throw new RangeError(`clipGradValue: clipValue must be a non-negative number, got ${clipValue}`);
  }
  for (const g of gradsOf("clipGradValue", params)) {
    const hi = g instanceof Float32Array ? Math.fround(clipValue) : clipValue;
    const lo = -hi;
    for (let i = 0; i < g.length; i++) {
      const x = g[i];
      if (x < lo) g[i] = lo;
      else if (x > hi) g[i] = hi;
    }
  }
}

/** The non-null gradient arrays of `params`, checking each against its parameter's length. */
function gradsOf(name: string, params: Param | Iterable<Param>): FloatArray[] {
  const list: Param[] = isParam(params) ? [params] : Array.from(params);
  const grads: FloatArray[] = [];
  list.forEach((p, i) => {
    if (p.grad === null || p.grad === undefined) return;
    const g = p.grad.data;
    if (g.length !== p.data.length) {
      throw new RangeError(
        `${name}: the grad of parameter ${i} has ${g.length} elements but the parameter has ${p.data.length}`,
      );
    }
    grads.push(g);
  });
  return grads;
}

function isParam(x: Param | Iterable<Param>): x is Param {
  return typeof x === "object" && x !== null && "data" in x && "grad" in x && !(Symbol.iterator in x);
}

/** `torch.linalg.vector_norm(x, ord)` in float64. */
function vectorNorm(x: ArrayLike<number>, ord: number): number {
  const n = x.length;
  if (ord === Number.POSITIVE_INFINITY) {
    let m = n === 0 ? 0 : Math.abs(x[0]);
    for (let i = 1; i < n; i++) {
      const a = Math.abs(x[i]);
      if (a > m || Number.isNaN(a)) m = a;
      if (Number.isNaN(m)) break;
    }
    return m;
  }
  if (ord === Number.NEGATIVE_INFINITY) {
    let m = n === 0 ? Number.POSITIVE_INFINITY : Math.abs(x[0]);
    for (let i = 1; i < n; i++) {
      const a = Math.abs(x[i]);
      if (a < m || Number.isNaN(a)) m = a;
      if (Number.isNaN(m)) break;
    }
    return m;
  }
  let s = 0;
  if (ord === 0) {
    for (let i = 0; i < n; i++) if (x[i] !== 0) s += 1;
    return s;
  }
  if (ord === 2) {
    for (let i = 0; i < n; i++) s += x[i] * x[i];
    return Math.sqrt(s);
  }
  if (ord === 1) {
    for (let i = 0; i < n; i++) s += Math.abs(x[i]);
    return s;
  }
  for (let i = 0; i < n; i++) s += Math.abs(x[i]) ** ord;
  return s ** (1 / ord);
}

/** The order as Python prints a float: 2 → "2.0", Infinity → "inf". */
function formatOrder(ord: number): string {
  if (ord === Number.POSITIVE_INFINITY) return "inf";
  if (ord === Number.NEGATIVE_INFINITY) return "-inf";
  return Number.isInteger(ord) ? `${ord}.0` : String(ord);
}

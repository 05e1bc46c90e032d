import { sharedKernels } from "./wasm.js";

/** Adam's hyperparameters, as in `@descent/optim` (PyTorch's, camelCased). */
export interface WasmAdamHyperparameters {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  /** Adam: L2 penalty added to the gradient; with `decoupled`, AdamW's decay of the weights. */
  weightDecay: number;
  maximize: boolean;
  /** AdamW: decay the weights by `1 − lr·weightDecay` instead of adding `weightDecay·p` to g. */
  decoupled?: boolean;
}

/**
 * Elements per kernel call. The arrays stay in JavaScript memory; each chunk of p, g, m, v is
 * copied into the kernel's memory (4 × 16 KiB: stays in L1/L2), updated there and copied back,
 * so main memory sees one read of p, g, m, v and one write of p, m, v, as a fused loop would.
 */
export const ADAM_CHUNK = 4096;

/**
 * One Adam (or AdamW) step over float32 arrays, in place, in WebAssembly SIMD with PyTorch's
 * float32 arithmetic (`_single_tensor_adam`, no amsgrad):
 *
 *     g ← −∇ if maximize, else ∇;   p ← p·(1 − γλ) (AdamW)  or  g ← g + λ·p (Adam)
 *     m ← lerp(m, g, 1 − β1)         v ← β2·v + (1 − β2)·g²
 *     p ← p − (γ / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *
 * Every operation rounds to float32 as PyTorch's float32 CPU kernels do, so results match
 * PyTorch bit for bit; `@descent/optim`'s `adamStep` computes in float64 and rounds once, which
 * differs by at most a few float32 ulps.
 *
 * @param t the step number, counting this step (1 at the first step).
 * @throws Error when WebAssembly SIMD is unavailable, RangeError on mismatched lengths.
 */
export function wasmAdamStep(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  t: number,
  h: WasmAdamHyperparameters,
): void {
  const n = p.length;
  if (g.length !== n || m.length !== n || v.length !== n) {
    throw new RangeError(
      `wasmAdamStep: lengths differ: param ${n}, grad ${g.length}, expAvg ${m.length}, expAvgSq ${v.length}`,
    );
  }
  if (!Number.isInteger(t) || t < 1) throw new RangeError(`wasmAdamStep: invalid step number ${t}`);
  const kern = sharedKernels();
  if (kern === null) throw new Error("wasmAdamStep: WebAssembly SIMD is not available here");
  const { lr, eps, weightDecay, maximize } = h;
  const [beta1, beta2] = h.betas;
  const negStep = -(lr / (1 - beta1 ** t));
  const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
  const l2 = h.decoupled ? 0 : weightDecay;
  const decay = h.decoupled ? 1 - lr * weightDecay : 1;
  const C = ADAM_CHUNK;
  const pp = 0;
  const gp = C * 4;
  const mp = 2 * C * 4;
  const vp = 3 * C * 4;
  kern.reserve(4 * C * 4);
  const f = kern.f32;
  const x = kern.exports;
  for (let i = 0; i < n; i += C) {
    const e = Math.min(n, i + C);
    const len = e - i;
    f.set(p.subarray(i, e), 0);
    f.set(g.subarray(i, e), C);
    f.set(m.subarray(i, e), 2 * C);
    f.set(v.subarray(i, e), 3 * C);
    x.adamF32(pp, gp, mp, vp, len, 1 - beta1, beta2, 1 - beta2, bc2Sqrt, eps, negStep, l2, decay, maximize);
    p.set(f.subarray(0, len), i);
    m.set(f.subarray(2 * C, 2 * C + len), i);
    v.set(f.subarray(3 * C, 3 * C + len), i);
  }
}

import { sharedKernels } from "./wasm.js";
import { checkLengths, streamChunks } from "./wasm-stream.js";

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
 * One Adam (or AdamW) step over float32 arrays, in place, in WebAssembly SIMD with PyTorch's
 * float32 arithmetic (`_single_tensor_adam`, no amsgrad):
 *
 *     g ← −∇ if maximize, else ∇;   p ← p·(1 − γλ) (AdamW)  or  g ← g + λ·p (Adam)
 *     m ← lerp(m, g, 1 − β1)         v ← β2·v + (1 − β2)·g²
 *     p ← p − (γ / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *
 * Every operation rounds to float32 as PyTorch's float32 CPU kernels do, so results match
 * PyTorch bit for bit; `@descent/optim`'s `adamStep` computes in float64 and rounds once, which
 * differs by at most a few float32 ulps. The arrays are streamed through the kernels' memory in
 * L2-sized chunks (`streamChunks`): one pass over main memory.
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
  checkLengths("wasmAdamStep", n, { grad: g, expAvg: m, expAvgSq: v });
  if (!Number.isInteger(t) || t < 1) throw new RangeError(`wasmAdamStep: invalid step number ${t}`);
  const kern = sharedKernels();
  if (kern === null) throw new Error("wasmAdamStep: WebAssembly SIMD is not available here");
  const { lr, eps, weightDecay, maximize } = h;
  const [beta1, beta2] = h.betas;
  const negStep = -(lr / (1 - beta1 ** t));
  const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
  const l2 = h.decoupled ? 0 : weightDecay;
  const decay = h.decoupled ? 1 - lr * weightDecay : 1;
  const x = kern.exports;
  streamChunks(kern, n, [p, g, m, v], WRITE_BACK, (q, len) =>
    x.adamF32(
      q[0],
      q[1],
      q[2],
      q[3],
      len,
      1 - beta1,
      beta2,
      1 - beta2,
      bc2Sqrt,
      eps,
      negStep,
      l2,
      decay,
      maximize,
    ),
  );
}

const WRITE_BACK = [true, false, true, true];

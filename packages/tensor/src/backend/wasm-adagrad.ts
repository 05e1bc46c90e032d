import { sharedKernels } from "./wasm.js";
import { checkLengths, streamChunks } from "./wasm-stream.js";

/** Adagrad's hyperparameters, as in `@descent/optim` (PyTorch's, camelCased). */
export interface WasmAdagradHyperparameters {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  eps: number;
  maximize: boolean;
}

/**
 * One Adagrad step over float32 arrays, in place, in WebAssembly SIMD with PyTorch's float32
 * arithmetic (`_single_tensor_adagrad`), bit for bit:
 *
 *     g ← −∇ if maximize, else ∇;   g ← g + λ·p  if λ ≠ 0
 *     s ← s + g²;   p ← p − γ̃ · g / (√s + ε),   γ̃ = γ / (1 + (t − 1)·η)
 *
 * @param t the step number, counting this step (1 at the first step).
 */
export function wasmAdagradStep(
  p: Float32Array,
  g: Float32Array,
  sum: Float32Array,
  t: number,
  h: WasmAdagradHyperparameters,
): void {
  const n = p.length;
  checkLengths("wasmAdagradStep", n, { grad: g, sum });
  if (!Number.isInteger(t) || t < 1) throw new RangeError(`wasmAdagradStep: invalid step number ${t}`);
  const kern = sharedKernels();
  if (kern === null) throw new Error("wasmAdagradStep: WebAssembly SIMD is not available here");
  const negClr = -(h.lr / (1 + (t - 1) * h.lrDecay));
  const x = kern.exports;
  streamChunks(kern, n, [p, g, sum], WRITE_BACK, (q, len) =>
    x.adagradF32(q[0], q[1], q[2], len, negClr, h.weightDecay, h.eps, h.maximize),
  );
}

const WRITE_BACK = [true, false, true];

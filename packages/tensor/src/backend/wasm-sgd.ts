import { sharedKernels } from "./wasm.js";
import { checkLengths, streamChunks } from "./wasm-stream.js";

/** SGD's hyperparameters, as in `@descent/optim` (PyTorch's, camelCased). */
export interface WasmSGDHyperparameters {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
}

/**
 * One SGD step over float32 arrays, in place, in WebAssembly SIMD with PyTorch's float32
 * arithmetic (`_single_tensor_sgd`), bit for bit:
 *
 *     d ← −∇ if maximize, else ∇;   d ← d + λ·p  if λ ≠ 0
 *     if μ ≠ 0:  b ← d  if firstStep, else μ·b + (1 − τ)·d;   d ← d + μ·b if nesterov, else b
 *     p ← p − γ·d
 *
 * @param buf the momentum buffer (required when `momentum ≠ 0`, else ignored).
 * @param firstStep whether the buffer is being created (PyTorch sets it to d, undampened).
 */
export function wasmSgdStep(
  p: Float32Array,
  g: Float32Array,
  buf: Float32Array | null,
  firstStep: boolean,
  h: WasmSGDHyperparameters,
): void {
  const n = p.length;
  const mu = h.momentum;
  if (mu !== 0 && buf === null)
    throw new TypeError("wasmSgdStep: momentum is not 0 but there is no momentum buffer");
  checkLengths("wasmSgdStep", n, { grad: g, "momentum buffer": mu !== 0 ? buf : null });
  const kern = sharedKernels();
  if (kern === null) throw new Error("wasmSgdStep: WebAssembly SIMD is not available here");
  const x = kern.exports;
  const b = mu !== 0 ? buf : null;
  streamChunks(kern, n, [p, g, b], WRITE_BACK, (q, len) =>
    x.sgdF32(
      q[0],
      q[1],
      q[2],
      len,
      -h.lr,
      h.weightDecay,
      mu,
      1 - h.dampening,
      firstStep,
      h.nesterov,
      h.maximize,
    ),
  );
}

const WRITE_BACK = [true, false, true];

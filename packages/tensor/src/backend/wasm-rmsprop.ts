import { sharedKernels } from "./wasm.js";
import { checkLengths, streamChunks } from "./wasm-stream.js";

/** RMSprop's hyperparameters, as in `@descent/optim` (PyTorch's, camelCased). */
export interface WasmRMSpropHyperparameters {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * One RMSprop step over float32 arrays, in place, in WebAssembly SIMD with PyTorch's float32
 * arithmetic (`_single_tensor_rmsprop`), bit for bit:
 *
 *     g ← −∇ if maximize, else ∇;   g ← g + λ·p  if λ ≠ 0
 *     v ← α·v + (1 − α)·g²
 *     centered: ḡ ← lerp(ḡ, g, 1 − α), a ← √(v − ḡ²) + ε;   else a ← √v + ε
 *     μ > 0: b ← μ·b + g/a, p ← p − γ·b;   else p ← p − γ·g/a
 *
 * @param gradAvg ḡ (required when `centered`), `buf` b (required when `momentum > 0`).
 */
export function wasmRmspropStep(
  p: Float32Array,
  g: Float32Array,
  squareAvg: Float32Array,
  gradAvg: Float32Array | null,
  buf: Float32Array | null,
  h: WasmRMSpropHyperparameters,
): void {
  const n = p.length;
  if (h.centered && gradAvg === null) throw new TypeError("wasmRmspropStep: centered needs a gradAvg buffer");
  if (h.momentum > 0 && buf === null)
    throw new TypeError("wasmRmspropStep: momentum > 0 needs a momentum buffer");
  const ga = h.centered ? gradAvg : null;
  const b = h.momentum > 0 ? buf : null;
  checkLengths("wasmRmspropStep", n, { grad: g, squareAvg, gradAvg: ga, "momentum buffer": b });
  const kern = sharedKernels();
  if (kern === null) throw new Error("wasmRmspropStep: WebAssembly SIMD is not available here");
  const x = kern.exports;
  streamChunks(kern, n, [p, g, squareAvg, ga, b], WRITE_BACK, (q, len) =>
    x.rmspropF32(
      q[0],
      q[1],
      q[2],
      q[3],
      q[4],
      len,
      -h.lr,
      h.alpha,
      1 - h.alpha,
      h.eps,
      h.weightDecay,
      h.momentum,
      h.centered,
      h.maximize,
    ),
  );
}

const WRITE_BACK = [true, false, true, true, true];

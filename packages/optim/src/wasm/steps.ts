import type { OptimKernels } from "./module.js";
import { streamChunks } from "./stream.js";

// The rules' float32 updates in the WASM SIMD kernels (asm/*.ts), streamed chunk by chunk through
// the kernels' memory. The callers (adamKernel, sgdStep, adagradStep, rmspropStep) have validated
// the arrays and computed the Python-float scalars exactly as their TypeScript loops do; the
// kernels round those scalars to float32 at the call (WebAssembly's f32 parameters) and compute
// the same float32 operations as the loops. Each returns false, having changed nothing, when the
// kernels' scratch memory cannot be reserved; the caller then runs its TypeScript loop.

const ADAM_WRITE_BACK = [true, false, true, true, true];

/** Adam / AdamW (with AMSGrad when `vmax` is given); see `adamKernel` for the scalars. */
export function adamWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vmax: Float32Array | null,
  w1: number,
  beta2: number,
  w2: number,
  bc2Sqrt: number,
  eps: number,
  negStep: number,
  l2: number,
  decay: number,
  maximize: boolean,
): boolean {
  const x = kern.exports;
  const amsgrad = vmax !== null;
  return streamChunks(kern, p.length, [p, g, m, v, vmax], ADAM_WRITE_BACK, (q, len) =>
    x.adamF32(
      q[0],
      q[1],
      q[2],
      q[3],
      q[4],
      len,
      w1,
      beta2,
      w2,
      bc2Sqrt,
      eps,
      negStep,
      l2,
      decay,
      amsgrad,
      maximize,
    ),
  );
}

const SGD_WRITE_BACK = [true, false, true];

/** SGD; `buf` is null without momentum; `first`: the buffer is set to the gradient. */
export function sgdWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  buf: Float32Array | null,
  negLr: number,
  weightDecay: number,
  momentum: number,
  oneMinusDampening: number,
  first: boolean,
  nesterov: boolean,
  maximize: boolean,
): boolean {
  const x = kern.exports;
  return streamChunks(kern, p.length, [p, g, buf], SGD_WRITE_BACK, (q, len) =>
    x.sgdF32(
      q[0],
      q[1],
      q[2],
      len,
      negLr,
      weightDecay,
      momentum,
      oneMinusDampening,
      first,
      nesterov,
      maximize,
    ),
  );
}

const ADAGRAD_WRITE_BACK = [true, false, true];

/** Adagrad, with `negClr` = −γ/(1 + (t − 1)·η). */
export function adagradWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  sum: Float32Array,
  negClr: number,
  weightDecay: number,
  eps: number,
  maximize: boolean,
): boolean {
  const x = kern.exports;
  return streamChunks(kern, p.length, [p, g, sum], ADAGRAD_WRITE_BACK, (q, len) =>
    x.adagradF32(q[0], q[1], q[2], len, negClr, weightDecay, eps, maximize),
  );
}

const RMSPROP_WRITE_BACK = [true, false, true, true, true];

/** RMSprop; `gradAvg` is null unless centered, `buf` null unless momentum > 0. */
export function rmspropWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  squareAvg: Float32Array,
  gradAvg: Float32Array | null,
  buf: Float32Array | null,
  negLr: number,
  alpha: number,
  oneMinusAlpha: number,
  eps: number,
  weightDecay: number,
  momentum: number,
  maximize: boolean,
): boolean {
  const x = kern.exports;
  const centered = gradAvg !== null;
  return streamChunks(kern, p.length, [p, g, squareAvg, gradAvg, buf], RMSPROP_WRITE_BACK, (q, len) =>
    x.rmspropF32(
      q[0],
      q[1],
      q[2],
      q[3],
      q[4],
      len,
      negLr,
      alpha,
      oneMinusAlpha,
      eps,
      weightDecay,
      momentum,
      centered,
      maximize,
    ),
  );
}

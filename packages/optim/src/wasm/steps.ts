import type { AdagradHyperparameters } from "../adagrad.js";
import type { AdamScalars } from "../adam.js";
import type { RMSpropHyperparameters } from "../rmsprop.js";
import type { SGDHyperparameters } from "../sgd.js";
import type { OptimKernels } from "./module.js";
import { streamChunks } from "./stream.js";

// The rules' float32 updates in the WASM SIMD kernels (asm/*.ts), streamed chunk by chunk through
// the kernels' memory. The callers (adamKernel, sgdStep, adagradStep, rmspropStep) have validated
// the arrays (a buffer is null when its term does not apply); the Python-float scalars are computed in float64 exactly as the TypeScript loops
// compute them, the kernels round them to float32 at the call (WebAssembly's f32 parameters) and
// compute the same float32 operations as the loops. Which optional terms apply (weight decay,
// momentum) is decided here on the float64 values, as the loops and PyTorch decide it. Each returns false, having changed nothing, when the
// kernels' scratch memory cannot be reserved; the caller then runs its TypeScript loop.

const ADAM_WRITE_BACK = [true, false, true, true, true];

/** Adam / AdamW (with AMSGrad when `vmax` is given). */
export function adamWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vmax: Float32Array | null,
  s: AdamScalars,
): boolean {
  const x = kern.exports;
  const amsgrad = vmax !== null;
  const { w1, beta2, w2, bc2Sqrt, eps, negStep, l2, decay, maximize } = s;
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
      l2 !== 0,
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
  first: boolean,
  h: SGDHyperparameters,
): boolean {
  const x = kern.exports;
  const { lr, weightDecay, momentum, dampening, nesterov, maximize } = h;
  return streamChunks(kern, p.length, [p, g, buf], SGD_WRITE_BACK, (q, len) =>
    x.sgdF32(
      q[0],
      q[1],
      q[2],
      len,
      -lr,
      weightDecay,
      momentum,
      1 - dampening,
      weightDecay !== 0,
      buf !== null,
      first,
      nesterov,
      maximize,
    ),
  );
}

const ADAGRAD_WRITE_BACK = [true, false, true];

/** Adagrad, with the step's decayed learning rate `clr` = γ/(1 + (t − 1)·η). */
export function adagradWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  sum: Float32Array,
  clr: number,
  h: AdagradHyperparameters,
): boolean {
  const x = kern.exports;
  const { weightDecay, eps, maximize } = h;
  return streamChunks(kern, p.length, [p, g, sum], ADAGRAD_WRITE_BACK, (q, len) =>
    x.adagradF32(q[0], q[1], q[2], len, -clr, weightDecay, eps, weightDecay !== 0, maximize),
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
  h: RMSpropHyperparameters,
): boolean {
  const x = kern.exports;
  const { lr, alpha, eps, weightDecay, momentum, maximize } = h;
  const centered = gradAvg !== null;
  return streamChunks(kern, p.length, [p, g, squareAvg, gradAvg, buf], RMSPROP_WRITE_BACK, (q, len) =>
    x.rmspropF32(
      q[0],
      q[1],
      q[2],
      q[3],
      q[4],
      len,
      -lr,
      alpha,
      1 - alpha,
      eps,
      weightDecay,
      momentum,
      weightDecay !== 0,
      buf !== null,
      centered,
      maximize,
    ),
  );
}

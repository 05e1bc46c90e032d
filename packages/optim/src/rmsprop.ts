import type { OptimizerEntry } from "./catalog-entry.js";
import { EPSILON, flag, L2_WEIGHT_DECAY, LEARNING_RATE, MOMENTUM } from "./hyperparameters.js";
import { wasmFor } from "./kernel-backend.js";
import { checkLength, f, isFloat32 } from "./kernel-check.js";
import { lerp } from "./lerp.js";
import {
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  resolveOptions,
  type StateLayout,
} from "./optimizer.js";
import type { FloatArray } from "./param.js";
import { zerosLike } from "./state-dict.js";
import {
  checkBoolean,
  checkEps,
  checkInRange,
  checkLr,
  checkMomentum,
  checkWeightDecay,
} from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** RMSprop's hyperparameters (PyTorch's, camelCased). */
export interface RMSpropHyperparameters {
  /** Learning rate γ. Default 1e-2. */
  lr: number;
  /** Smoothing constant α of the squared-gradient average. Default 0.99. */
  alpha: number;
  /** Added to √v (outside the square root). Default 1e-8. */
  eps: number;
  /** L2 penalty λ, added to the gradient. Default 0. */
  weightDecay: number;
  /** Momentum factor μ. Default 0. */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance, `v − ḡ²`. Default false. */
  centered: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** RMSprop's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type RMSpropOptions = Partial<RMSpropHyperparameters> & OptimizerOptions;

/**
 * RMSprop's per-parameter state: the squared-gradient average, plus the momentum buffer (with
 * `momentum > 0`) and the gradient average (with `centered`).
 */
export interface RMSpropState extends ParamState {
  squareAvg: FloatArray;
  momentumBuffer?: FloatArray;
  gradAvg?: FloatArray;
}

/**
 * One RMSprop step, in place, with PyTorch's semantics (`_single_tensor_rmsprop`), in one pass:
 *
 *     g ← −∇ if maximize, else ∇;   g ← g + λ·p if λ ≠ 0
 *     v ← α·v + (1 − α)·g²
 *     ḡ ← lerp(ḡ, g, 1 − α),  ṽ ← v − ḡ²       if centered,  else ṽ ← v
 *     d ← √ṽ + ε
 *     b ← μ·b + g/d,  p ← p − γ·b               if μ > 0
 *     p ← p − γ·g/d                             otherwise
 *
 * @param gradAvg the gradient average (used only, and required, when `centered`).
 * @param buf the momentum buffer (used only, and required, when `momentum > 0`).
 */
export function rmspropStep(
  p: FloatArray,
  grad: FloatArray,
  squareAvg: FloatArray,
  gradAvg: FloatArray | null,
  buf: FloatArray | null,
  h: RMSpropHyperparameters,
): void {
  const n = p.length;
  const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = h;
  checkLength("rmspropStep", "grad", grad, n);
  checkLength("rmspropStep", "squareAvg", squareAvg, n);
  if (centered && gradAvg === null) throw new TypeError("rmspropStep: centered needs a gradAvg buffer");
  if (momentum > 0 && buf === null) throw new TypeError("rmspropStep: momentum > 0 needs a momentum buffer");
  if (centered) checkLength("rmspropStep", "gradAvg", gradAvg, n);
  if (momentum > 0) checkLength("rmspropStep", "momentum buffer", buf, n);
  const oneMinusAlpha = 1 - alpha;
  const ga = centered ? gradAvg : null;
  const b = momentum > 0 ? buf : null;
  if (
    isFloat32(p) &&
    isFloat32(grad) &&
    isFloat32(squareAvg) &&
    (ga === null || isFloat32(ga)) &&
    (b === null || isFloat32(b))
  ) {
    const kern = wasmFor(n);
    if (kern !== null && rmspropWasm(kern, p, grad, squareAvg, ga, b, h)) return;
    rmspropLoopF32(p, grad, squareAvg, ga, b, h);
    return;
  }
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (weightDecay !== 0) g = g + weightDecay * p[i];
    const v = squareAvg[i] * alpha + oneMinusAlpha * g * g;
    squareAvg[i] = v;
    let avg: number;
    if (centered) {
      const ga = lerp((gradAvg as FloatArray)[i], g, oneMinusAlpha);
      (gradAvg as FloatArray)[i] = ga;
      avg = Math.sqrt(v - ga * ga) + eps;
    } else {
      avg = Math.sqrt(v) + eps;
    }
    if (momentum > 0) {
      const bi = (buf as FloatArray)[i] * momentum + g / avg;
      (buf as FloatArray)[i] = bi;
      p[i] = p[i] + -lr * bi;
    } else {
      p[i] = p[i] + (-lr * g) / avg;
    }
  }
}

/** Which arrays `asm/rmsprop.ts` updates: p, (g), square average, grad average, buffer. */
const RMSPROP_WRITE_BACK = [true, false, true, true, true];

/**
 * {@link rmspropLoopF32} in the WASM kernel `rmspropF32` (`asm/rmsprop.ts`); `gradAvg` is null
 * unless centered, `buf` null unless momentum > 0. False if it could not run.
 */
function rmspropWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  squareAvg: Float32Array,
  gradAvg: Float32Array | null,
  buf: Float32Array | null,
  h: RMSpropHyperparameters,
): boolean {
  const { lr, alpha, eps, weightDecay, momentum, maximize } = h;
  return runKernel(kern, "rmspropF32", [p, g, squareAvg, gradAvg, buf], RMSPROP_WRITE_BACK, [
    -lr,
    alpha,
    1 - alpha,
    eps,
    weightDecay,
    momentum,
    weightDecay !== 0,
    buf !== null,
    gradAvg !== null,
    maximize,
  ]);
}

/**
 * {@link rmspropStep}'s loop for float32 arrays: the same operations, each rounded to float32 as
 * PyTorch's float32 CPU kernels round them, with the Python-float scalars rounded to float32 first.
 * The WASM kernel (`asm/rmsprop.ts`) computes exactly these operations, so the two give the same bits.
 */
function rmspropLoopF32(
  p: Float32Array,
  grad: Float32Array,
  squareAvg: Float32Array,
  gradAvg: Float32Array | null,
  buf: Float32Array | null,
  h: RMSpropHyperparameters,
): void {
  const { maximize } = h;
  const useDecay = h.weightDecay !== 0;
  const weightDecay = f(h.weightDecay);
  const alpha = f(h.alpha);
  const w = f(1 - h.alpha);
  const wc = f(1 - w);
  const lerpLow = Math.abs(w) < 0.5; // ATen's is_lerp_weight_small; w < 0 when alpha > 1
  const eps = f(h.eps);
  const momentum = f(h.momentum);
  const negLr = f(-h.lr);
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (useDecay) g = f(g + f(weightDecay * p[i]));
    const v = f(f(squareAvg[i] * alpha) + f(f(w * g) * g));
    squareAvg[i] = v;
    let avg: number;
    if (gradAvg !== null) {
      const a0 = gradAvg[i];
      const ga = lerpLow ? f(a0 + f(w * f(g - a0))) : f(g - f(f(g - a0) * wc));
      gradAvg[i] = ga;
      avg = f(f(Math.sqrt(f(v - f(ga * ga)))) + eps);
    } else {
      avg = f(f(Math.sqrt(v)) + eps);
    }
    if (buf !== null) {
      const bi = f(f(buf[i] * momentum) + f(g / avg));
      buf[i] = bi;
      p[i] = f(p[i] + f(negLr * bi));
    } else {
      p[i] = f(p[i] + f(f(negLr * g) / avg));
    }
  }
}

/**
 * RMSprop, exactly PyTorch's `torch.optim.RMSprop` (see the package README on arithmetic:
 * float64 for Float64Array parameters, PyTorch's float32 op by op for Float32Array ones).
 *
 * Update rule (PyTorch's algorithm box), with `v₀ = 0, b₀ = 0, ḡ₀ = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     g_t ← g_t + λ·θ_{t−1}                                  if λ ≠ 0
 *     v_t ← α·v_{t−1} + (1 − α)·g_t²
 *     ṽ_t ← v_t
 *     if centered:  ḡ_t ← α·ḡ_{t−1} + (1 − α)·g_t,   ṽ_t ← ṽ_t − ḡ_t²
 *     if μ > 0:     b_t ← μ·b_{t−1} + g_t / (√ṽ_t + ε),   θ_t ← θ_{t−1} − γ·b_t
 *     else:         θ_t ← θ_{t−1} − γ·g_t / (√ṽ_t + ε)
 *
 * Defaults: `lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false,
 * maximize = false` (PyTorch's).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1]), grad: { data: new Float64Array([0.5]) } };
 * new RMSprop([w]).step();
 * // v = 0.01·0.25, so w moves by 0.01·0.5/(√0.0025 + 1e-8) ≈ 0.1: w ≈ 0.9
 * ```
 *
 * **Differences from other libraries.**
 * - The average's decay is α = 0.99 here (PyTorch); Keras (`rho=0.9`), TF.js
 *   (`tf.train.rmsprop(lr, decay = 0.9)`) and Optax (`optax.rmsprop(decay=0.9)`) use 0.9.
 * - ε is added outside the square root here, `g / (√v + ε)`; Keras and TF.js add it inside,
 *   `g / √(v + ε)`, with ε = 1e-7, and so does Optax by default (`eps_in_sqrt=True`).
 * - The lr is outside the momentum buffer here, `b ← μ·b + g/d, p ← p − γ·b`; Keras, TF.js and
 *   Optax accumulate `γ·g/d` in the buffer and subtract it. That is the same for a constant lr but
 *   not under a schedule.
 */
export class RMSprop extends Optimizer<RMSpropHyperparameters, RMSpropState> {
  get kind(): string {
    return "RMSprop";
  }

  constructor(params: ParamsInput<RMSpropHyperparameters>, options: RMSpropOptions = {}) {
    const [defaults, rest] = resolveOptions<RMSpropHyperparameters>("RMSprop", options, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: RMSpropHyperparameters): void {
    checkLr(h.lr);
    checkEps(h.eps);
    checkMomentum(h.momentum);
    checkWeightDecay(h.weightDecay);
    // PyTorch checks only alpha >= 0; above 1 the square average goes negative and √v is NaN.
    checkInRange(h.alpha, "alpha", 0, 1);
    checkBoolean(h.centered, "centered");
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["squareAvg"], optional: ["momentumBuffer", "gradAvg"], nonNegative: ["squareAvg"] };
  }

  protected initState(p: FloatArray): RMSpropState {
    return { step: 0, squareAvg: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: RMSpropState,
    group: ParamGroup & RMSpropHyperparameters,
  ): void {
    // Buffers are created when an option first needs them (PyTorch creates them with the state).
    if (group.momentum > 0 && state.momentumBuffer === undefined) state.momentumBuffer = zerosLike(p);
    if (group.centered && state.gradAvg === undefined) state.gradAvg = zerosLike(p);
    rmspropStep(p, grad, state.squareAvg, state.gradAvg ?? null, state.momentumBuffer ?? null, group);
  }
}

/** RMSprop in the optimizer catalog. */
export const RMSPROP_ENTRY: OptimizerEntry = {
  id: "rmsprop",
  name: "RMSprop",
  className: "RMSprop",
  create: (params, options) => new RMSprop(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-2 },
    {
      kind: "number",
      key: "alpha",
      option: "alpha",
      label: "α",
      default: 0.99,
      min: 0,
      max: 1,
      typical: [0.9, 0.999],
      scale: "linear",
      meaning: "decay rate of the running average of squared gradients",
    },
    EPSILON,
    MOMENTUM,
    flag("centered", "centered", "divide by the estimated variance instead of the raw second moment"),
    L2_WEIGHT_DECAY,
  ],
  summary:
    "Like Adagrad, but with a decaying average of squared gradients instead of a sum, so the step size adapts without shrinking forever.",
  update: "v ← α·v + (1 − α)·g²\nθ ← θ − γ·g / (√v + ε)",
  reference: {
    authors: "T. Tieleman, G. Hinton",
    title: "Lecture 6.5 — RMSprop: divide the gradient by a running average of its recent magnitude",
    year: 2012,
    url: "https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf",
  },
};

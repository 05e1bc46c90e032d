import type { OptimizerEntry } from "./catalog-entry.js";
import { BETA1, BETA2, EPSILON, flag, L2_WEIGHT_DECAY, LEARNING_RATE } from "./hyperparameters.js";
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
import { checkBetas, checkBoolean, checkEps, checkLr, checkWeightDecay } from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** Adam's and AdamW's hyperparameters (PyTorch's, camelCased). */
export interface AdamHyperparameters {
  /** Learning rate γ. Default 1e-3. */
  lr: number;
  /** Decay rates `[β1, β2]` of the first and second moment averages. Default `[0.9, 0.999]`. */
  betas: [number, number];
  /** Added to √v̂ (outside the square root). Default 1e-8. */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay: number;
  /** Use AMSGrad: normalize by the running maximum of v. Default false. */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** Adam's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type AdamOptions = Partial<AdamHyperparameters> & OptimizerOptions;

/** Adam's and AdamW's per-parameter state: the moment averages, and with `amsgrad` the max of v. */
export interface AdamState extends ParamState {
  expAvg: FloatArray;
  expAvgSq: FloatArray;
  maxExpAvgSq?: FloatArray;
}

/**
 * One Adam step (coupled L2 weight decay), in place, with PyTorch's semantics
 * (`_single_tensor_adam`), in one pass:
 *
 *     g ← −∇ if maximize, else ∇;   g ← g + λ·p if λ ≠ 0
 *     m ← lerp(m, g, 1 − β1)                 (= β1·m + (1 − β1)·g)
 *     v ← β2·v + (1 − β2)·g²
 *     v_max ← max(v_max, v)                  if amsgrad (the raw v, not v̂)
 *     p ← p − (γ / (1 − β1^t)) · m / (√v' / √(1 − β2^t) + ε),   v' = v_max if amsgrad, else v
 *
 * @param vmax the running maximum of v (used only, and required, when `amsgrad`).
 * @param t the step number, counting this step (1 at the first step).
 */
export function adamStep(
  p: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vmax: FloatArray | null,
  t: number,
  h: AdamHyperparameters,
): void {
  adamKernel("adamStep", false, p, grad, m, v, vmax, t, h);
}

/**
 * The loop of {@link adamStep} and `adamwStep`, which differ only in where weight decay λ goes:
 * coupled (`g ← g + λ·p`, Adam) or decoupled (`p ← p·(1 − γ·λ)` before the update, AdamW).
 * PyTorch's `_single_tensor_adam` is also one function with a `decoupled_weight_decay` flag.
 */
export function adamKernel(
  kernel: string,
  decoupled: boolean,
  p: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vmax: FloatArray | null,
  t: number,
  h: AdamHyperparameters,
): void {
  const n = p.length;
  const { lr, eps, weightDecay, amsgrad, maximize } = h;
  const [beta1, beta2] = h.betas;
  checkLength(kernel, "grad", grad, n);
  checkLength(kernel, "exp_avg (m)", m, n);
  checkLength(kernel, "exp_avg_sq (v)", v, n);
  if (amsgrad) {
    if (vmax === null) throw new TypeError(`${kernel}: amsgrad needs a vmax buffer`);
    checkLength(kernel, "max_exp_avg_sq (vmax)", vmax, n);
  }
  const s: AdamScalars = {
    w1: 1 - beta1,
    beta2,
    w2: 1 - beta2,
    bc2Sqrt: Math.sqrt(1 - beta2 ** t),
    eps,
    negStep: -(lr / (1 - beta1 ** t)),
    l2: decoupled ? 0 : weightDecay,
    decay: decoupled && weightDecay !== 0 ? 1 - lr * weightDecay : 1,
    maximize,
  };
  const vm = amsgrad ? vmax : null;
  if (isFloat32(p) && isFloat32(grad) && isFloat32(m) && isFloat32(v) && (vm === null || isFloat32(vm))) {
    const kern = wasmFor(n);
    if (kern !== null && adamWasm(kern, p, grad, m, v, vm, s)) return;
    adamLoopF32(p, grad, m, v, vm, s);
    return;
  }
  const { w1, w2, bc2Sqrt, negStep, l2, decay } = s;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    let pi = p[i];
    if (l2 !== 0) g = g + l2 * pi;
    if (decay !== 1) pi = pi * decay;
    const mi = lerp(m[i], g, w1);
    m[i] = mi;
    let vi = v[i] * beta2 + w2 * g * g;
    v[i] = vi;
    if (vm !== null) {
      vi = Math.max(vm[i], vi);
      vm[i] = vi;
    }
    p[i] = pi + (negStep * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}

/**
 * The scalars of one Adam / AdamW update, computed once per parameter and step in float64 (Python
 * floats in PyTorch): `w1 = 1 − β1`, `w2 = 1 − β2`, `bc2Sqrt = √(1 − β2^t)`,
 * `negStep = −γ/(1 − β1^t)`, `l2` = λ for Adam (else 0), `decay` = 1 − γλ for AdamW (else 1).
 */
export interface AdamScalars {
  w1: number;
  beta2: number;
  w2: number;
  bc2Sqrt: number;
  eps: number;
  negStep: number;
  l2: number;
  decay: number;
  maximize: boolean;
}

/**
 * {@link adamKernel}'s loop for float32 arrays: the same operations, each rounded to float32 as
 * PyTorch's float32 CPU kernels round them, with the Python-float scalars rounded to float32 first
 * (`fround`). The WASM kernel (`asm/adam.ts`) computes exactly these operations, so the two give
 * the same bits.
 */
function adamLoopF32(
  p: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vmax: Float32Array | null,
  s: AdamScalars,
): void {
  const w1 = f(s.w1);
  const beta2 = f(s.beta2);
  const w2 = f(s.w2);
  const bc2Sqrt = f(s.bc2Sqrt);
  const eps = f(s.eps);
  const negStep = f(s.negStep);
  const l2 = f(s.l2);
  const decay = f(s.decay);
  const useL2 = s.l2 !== 0;
  const maximize = s.maximize;
  const w1c = f(1 - w1);
  const lerpLow = w1 < 0.5;
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    let pi = p[i];
    if (decay !== 1) pi = f(pi * decay);
    if (useL2) g = f(g + f(l2 * pi));
    const m0 = m[i];
    const mi = lerpLow ? f(m0 + f(w1 * f(g - m0))) : f(g - f(f(g - m0) * w1c));
    m[i] = mi;
    let vi = f(f(v[i] * beta2) + f(f(w2 * g) * g));
    v[i] = vi;
    if (vmax !== null) {
      vi = Math.max(vmax[i], vi);
      vmax[i] = vi;
    }
    p[i] = f(pi + f(f(negStep * mi) / f(f(f(Math.sqrt(vi)) / bc2Sqrt) + eps)));
  }
}

/** Which arrays `asm/adam.ts` updates: p, (g), m, v, vmax. */
const ADAM_WRITE_BACK = [true, false, true, true, true];

/** {@link adamLoopF32} in the WASM kernel `adamF32` (`asm/adam.ts`); false if it could not run. */
function adamWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vmax: Float32Array | null,
  s: AdamScalars,
): boolean {
  const { w1, beta2, w2, bc2Sqrt, eps, negStep, l2, decay, maximize } = s;
  return runKernel(kern, "adamF32", [p, g, m, v, vmax], ADAM_WRITE_BACK, [
    w1,
    beta2,
    w2,
    bc2Sqrt,
    eps,
    negStep,
    l2,
    decay,
    l2 !== 0,
    vmax !== null,
    maximize,
  ]);
}

/** Adam's and AdamW's state layout. */
const ADAM_STATE_LAYOUT: StateLayout = {
  required: ["expAvg", "expAvgSq"],
  optional: ["maxExpAvgSq"],
  nonNegative: ["expAvgSq", "maxExpAvgSq"],
};

/**
 * What Adam and AdamW share: options, validation (PyTorch's messages), state and its layout, and
 * the update through {@link adamKernel}. The subclasses set the name, the defaults and whether
 * weight decay is {@link decoupled}.
 */
export abstract class AdamFamily extends Optimizer<AdamHyperparameters, AdamState> {
  /** True for AdamW (decay applied to the parameter), false for Adam (L2 added to the gradient). */
  protected abstract get decoupled(): boolean;

  protected validate(h: AdamHyperparameters): void {
    checkLr(h.lr);
    checkEps(h.eps);
    checkBetas(h.betas);
    checkWeightDecay(h.weightDecay);
    checkBoolean(h.amsgrad, "amsgrad");
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return ADAM_STATE_LAYOUT;
  }

  protected initState(p: FloatArray, group: ParamGroup & AdamHyperparameters): AdamState {
    const state: AdamState = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
    if (group.amsgrad) state.maxExpAvgSq = zerosLike(p);
    return state;
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: AdamState,
    group: ParamGroup & AdamHyperparameters,
  ): void {
    if (group.amsgrad && state.maxExpAvgSq === undefined) state.maxExpAvgSq = zerosLike(p);
    const kernel = this.decoupled ? "adamwStep" : "adamStep";
    adamKernel(
      kernel,
      this.decoupled,
      p,
      grad,
      state.expAvg,
      state.expAvgSq,
      state.maxExpAvgSq ?? null,
      state.step,
      group,
    );
  }
}

/**
 * Adam, exactly PyTorch's `torch.optim.Adam` (see the package README on arithmetic:
 * float64 for Float64Array parameters, PyTorch's float32 op by op for Float32Array ones). For decoupled weight decay use {@link AdamW}.
 *
 * Update rule (PyTorch's algorithm box), with `m₀ = v₀ = v₀^max = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     g_t ← g_t + λ·θ_{t−1}                                  if λ ≠ 0
 *     m_t ← β1·m_{t−1} + (1 − β1)·g_t
 *     v_t ← β2·v_{t−1} + (1 − β2)·g_t²
 *     m̂_t ← m_t / (1 − β1^t)
 *     if amsgrad:  v_t^max ← max(v_{t−1}^max, v_t),   v̂_t ← v_t^max / (1 − β2^t)
 *     else:        v̂_t ← v_t / (1 − β2^t)
 *     θ_t ← θ_{t−1} − γ·m̂_t / (√v̂_t + ε)
 *
 * computed as PyTorch does: `θ ← θ − (γ/(1 − β1^t))·m / (√v/√(1 − β2^t) + ε)`, with
 * `m ← lerp(m, g, 1 − β1)`. AMSGrad keeps the maximum of the raw v (PyTorch's
 * `max_exp_avg_sqs`), not of v̂.
 *
 * Defaults: `lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false,
 * maximize = false` (PyTorch's).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
 * const opt = new Adam([w], { lr: 0.1 });
 * opt.step(); // first step: m̂ = g, v̂ = g², so w moves by lr·g/(|g| + ε): w ≈ [0.9, −1.9]
 * ```
 *
 * **Differences from other libraries.**
 * - Keras computes `p ← p − γ·√(1 − β2^t)/(1 − β1^t) · m / (√v + ε)`: its ε ("epsilon hat",
 *   default 1e-7) is added to the uncorrected √v, which is ε·√(1 − β2^t) in PyTorch's form, a
 *   much larger effective ε in early steps. TF.js (`tf.train.adam`) and Optax (`optax.adam`) use
 *   the corrected form as here; TF.js's default ε is 1e-7 (`backend.epsilon()`), Optax's 1e-8.
 *   All three put ε outside the square root, as here (Optax's `eps_root` adds one inside).
 * - `weightDecay` here is L2 added to the gradient (coupled), as in PyTorch's Adam; Keras's
 *   `weight_decay` on Adam is decoupled, like {@link AdamW}.
 */
export class Adam extends AdamFamily {
  get kind(): string {
    return "Adam";
  }

  constructor(params: ParamsInput<AdamHyperparameters>, options: AdamOptions = {}) {
    const [defaults, rest] = resolveOptions<AdamHyperparameters>("Adam", options, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected get decoupled(): boolean {
    return false;
  }
}

/** The Adam paper, which AdamW's entry cites too. */
export const ADAM_REFERENCE = {
  authors: "D. P. Kingma, J. Ba",
  title: "Adam: A Method for Stochastic Optimization",
  year: 2015,
  url: "https://arxiv.org/abs/1412.6980",
};

/** Adam in the optimizer catalog. */
export const ADAM_ENTRY: OptimizerEntry = {
  id: "adam",
  name: "Adam",
  className: "Adam",
  create: (params, options) => new Adam(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-3 },
    BETA1,
    BETA2,
    EPSILON,
    L2_WEIGHT_DECAY,
    flag("amsgrad", "AMSGrad", "normalise by the running maximum of v, so steps cannot grow back"),
  ],
  summary:
    "Momentum and RMSprop together, with bias correction for the zero-initialised averages: a per-coordinate step of about γ in the direction of the averaged gradient. The usual default.",
  update:
    "m ← β₁·m + (1 − β₁)·g\nv ← β₂·v + (1 − β₂)·g²\nm̂ ← m/(1 − β₁ᵗ),  v̂ ← v/(1 − β₂ᵗ)\nθ ← θ − γ·m̂ / (√v̂ + ε)",
  reference: ADAM_REFERENCE,
};

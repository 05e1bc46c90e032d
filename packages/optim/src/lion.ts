import type { OptimizerEntry } from "./catalog-entry.js";
import { BETA1, BETA2, LEARNING_RATE } from "./hyperparameters.js";
import { wasmFor } from "./kernel-backend.js";
import { checkLength, f, isFloat32 } from "./kernel-check.js";
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
import { checkBetas, checkBoolean, checkLr, checkWeightDecay } from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** Lion's hyperparameters. */
export interface LionHyperparameters {
  /** Learning rate γ: every coordinate moves by γ (times ±1) per step. Default 1e-4. */
  lr: number;
  /**
   * `[β1, β2]`: β1 mixes the momentum and the gradient into the step's sign, β2 decays the
   * momentum. Default `[0.9, 0.99]`.
   */
  betas: [number, number];
  /** Decoupled weight decay λ, scaled by the learning rate (`θ ← θ − γ·λ·θ`). Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (the gradient is negated first). Default false. */
  maximize: boolean;
}

/** Lion's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type LionOptions = Partial<LionHyperparameters> & OptimizerOptions;

/** Lion's per-parameter state: the momentum m (Optax's `mu`). */
export interface LionState extends ParamState {
  expAvg: FloatArray;
}

/** `jnp.sign` (XLA's Sign): ±1 by sign, and x itself for ±0 and NaN. */
function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

/**
 * One Lion step, in place, with the semantics of Optax's `optax.lion` (`scale_by_lion`, then
 * `add_decayed_weights`, then `scale_by_learning_rate`), in one pass:
 *
 *     g ← −∇ if maximize, else ∇
 *     u ← sign((1 − β1)·g + β1·m)          (sign(0) = 0)
 *     m ← (1 − β2)·g + β2·m
 *     u ← u + λ·θ                          if λ ≠ 0
 *     θ ← θ + (−γ)·u
 *
 * in that order of operations (each one rounded once, in float32 for float32 arrays, with the
 * hyperparameters rounded to float32 first, as JAX computes with Python-float hyperparameters).
 */
export function lionStep(p: FloatArray, grad: FloatArray, m: FloatArray, h: LionHyperparameters): void {
  const n = p.length;
  checkLength("lionStep", "grad", grad, n);
  checkLength("lionStep", "exp_avg (m)", m, n);
  const [beta1, beta2] = h.betas;
  const s: LionScalars = {
    w1: 1 - beta1,
    beta1,
    w2: 1 - beta2,
    beta2,
    weightDecay: h.weightDecay,
    negLr: -1 * h.lr,
    maximize: h.maximize,
  };
  if (isFloat32(p) && isFloat32(grad) && isFloat32(m)) {
    const kern = wasmFor(n);
    if (kern === null || !lionWasm(kern, p, grad, m, s)) lionLoopF32(p, grad, m, s);
    return;
  }
  const { w1, w2, weightDecay, negLr, maximize } = s;
  const useDecay = weightDecay !== 0;
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grad[i] : grad[i];
    const mi = m[i];
    let u = sign(w1 * g + beta1 * mi);
    m[i] = w2 * g + beta2 * mi;
    const pi = p[i];
    if (useDecay) u = u + weightDecay * pi;
    p[i] = pi + negLr * u;
  }
}

/**
 * The scalars of one Lion update, in float64 (Python floats in Optax): `w1 = 1 − β1`,
 * `w2 = 1 − β2`, `negLr = −γ`.
 */
interface LionScalars {
  w1: number;
  beta1: number;
  w2: number;
  beta2: number;
  weightDecay: number;
  negLr: number;
  maximize: boolean;
}

/**
 * {@link lionStep}'s loop for float32 arrays: the same operations, each rounded to float32, the
 * scalars rounded to float32 first. The WASM kernel (`asm/lion.ts`) computes exactly these
 * operations, so the two give the same bits.
 */
function lionLoopF32(p: Float32Array, grad: Float32Array, m: Float32Array, s: LionScalars): void {
  const w1 = f(s.w1);
  const beta1 = f(s.beta1);
  const w2 = f(s.w2);
  const beta2 = f(s.beta2);
  const weightDecay = f(s.weightDecay);
  const negLr = f(s.negLr);
  const useDecay = s.weightDecay !== 0;
  const maximize = s.maximize;
  for (let i = 0; i < p.length; i++) {
    const g = maximize ? -grad[i] : grad[i];
    const mi = m[i];
    let u = sign(f(f(w1 * g) + f(beta1 * mi)));
    m[i] = f(f(w2 * g) + f(beta2 * mi));
    const pi = p[i];
    if (useDecay) u = f(u + f(weightDecay * pi));
    p[i] = f(pi + f(negLr * u));
  }
}

/** Which arrays `asm/lion.ts` updates: p, (g), m. */
const LION_WRITE_BACK = [true, false, true];

/** {@link lionLoopF32} in the WASM kernel `lionF32` (`asm/lion.ts`); false if it could not run. */
function lionWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  s: LionScalars,
): boolean {
  const { w1, beta1, w2, beta2, weightDecay, negLr, maximize } = s;
  return runKernel(kern, "lionF32", [p, g, m], LION_WRITE_BACK, [
    w1,
    beta1,
    w2,
    beta2,
    weightDecay,
    negLr,
    weightDecay !== 0,
    maximize,
  ]);
}

/**
 * Lion (EvoLved Sign Momentum, Chen et al. 2023), with the semantics of Optax's `optax.lion`
 * (float64 for Float64Array parameters; float32 op by op for Float32Array ones).
 *
 * Update rule (Optax's), with `m₀ = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     c_t ← β1·m_{t−1} + (1 − β1)·g_t
 *     u_t ← −γ·(sign(c_t) + λ·θ_{t−1})
 *     m_t ← β2·m_{t−1} + (1 − β2)·g_t
 *     θ_t ← θ_{t−1} + u_t
 *
 * Every coordinate moves by exactly ±γ (plus the decay), whatever the gradient's scale: Lion's
 * learning rate is typically 3–10× smaller than AdamW's, and its weight decay 3–10× larger for the
 * same strength γ·λ. `sign(0) = 0`: a coordinate whose c is 0 does not move (apart from the decay).
 * Only one buffer (the momentum) is kept, half of Adam's state.
 *
 * Defaults: `lr = 1e-4, betas = [0.9, 0.99], weightDecay = 0, maximize = false` (lion-pytorch's;
 * the paper's β's).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
 * new Lion([w], { lr: 0.01 }).step(); // every coordinate moves by 0.01 against its gradient's sign
 * // w = [0.99, −1.99]
 * ```
 *
 * **Differences from other libraries.**
 * - Optax's `optax.lion` has no default learning rate and defaults `weight_decay` to 1e-3; here
 *   (as in lion-pytorch) lr 1e-4 and weightDecay 0. Optax applies weight decay inside the update,
 *   `θ ← θ − γ·(sign(c) + λθ)`.
 * - lion-pytorch (`lucidrains/lion-pytorch`) decays first, `θ ← θ·(1 − γλ)`, then
 *   `θ ← θ − γ·sign(c)`: the same update up to rounding. With `decoupled_weight_decay=True` it
 *   divides λ by the initial lr. Its β's may be 1; here they must be in [0, 1).
 * - Optax's `mu_dtype` (a lower-precision momentum) and `scale_by_lion`'s `mode` ("smooth",
 *   "refined" signs) are not offered; Optax has no `maximize` (here the gradient is negated first,
 *   as PyTorch's optimizers do).
 * - Keras's `Lion` (`keras.optimizers.Lion`) defaults lr to 1e-3; its `weight_decay` (the base
 *   optimizer's) shrinks θ by γλθ apart from the update, as lion-pytorch does. TF.js has no Lion.
 */
export class Lion extends Optimizer<LionHyperparameters, LionState> {
  get kind(): string {
    return "Lion";
  }

  constructor(params: ParamsInput<LionHyperparameters>, options: LionOptions = {}) {
    const [defaults, rest] = resolveOptions<LionHyperparameters>("Lion", options, {
      lr: 1e-4,
      betas: [0.9, 0.99],
      weightDecay: 0,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: LionHyperparameters): void {
    checkLr(h.lr);
    checkBetas(h.betas);
    checkWeightDecay(h.weightDecay);
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["expAvg"], optional: [] };
  }

  protected initState(p: FloatArray): LionState {
    return { step: 0, expAvg: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: LionState,
    group: ParamGroup & LionHyperparameters,
  ): void {
    lionStep(p, grad, state.expAvg, group);
  }
}

/** Lion in the optimizer catalog. */
export const LION_ENTRY: OptimizerEntry = {
  id: "lion",
  name: "Lion",
  className: "Lion",
  create: (params, options) => new Lion(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-4, typical: [1e-6, 1e-2] },
    { ...BETA1, meaning: "weight of the momentum against the gradient in the step's sign" },
    { ...BETA2, default: 0.99, meaning: "decay rate of the momentum (the running average of gradients)" },
    {
      kind: "number",
      key: "weightDecay",
      option: "weightDecay",
      label: "weight decay",
      default: 0,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0, 1],
      scale: "linear",
      meaning: "decoupled decay: θ shrinks by lr·λ·θ each step (Lion's λ is usually 3–10× AdamW's)",
    },
  ],
  summary:
    "Sign momentum: each coordinate moves by exactly the learning rate, in the direction of the sign of a blend of momentum and gradient. Half of Adam's memory; wants a smaller learning rate and a larger weight decay than AdamW.",
  update: "u ← sign(β₁·m + (1 − β₁)·g)\nm ← β₂·m + (1 − β₂)·g\nθ ← θ − γ·(u + λ·θ)",
  reference: {
    authors:
      "X. Chen, C. Liang, D. Huang, E. Real, K. Wang, Y. Liu, H. Pham, X. Dong, T. Luong, C.-J. Hsieh, Y. Lu, Q. V. Le",
    title: "Symbolic Discovery of Optimization Algorithms",
    year: 2023,
    url: "https://arxiv.org/abs/2302.06675",
  },
};

import type { OptimizerEntry } from "./catalog-entry.js";
import { EPSILON, flag, L2_WEIGHT_DECAY, LEARNING_RATE, MOMENTUM } from "./hyperparameters.js";
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
import { normFromSquares, trustRatio } from "./trust-ratio.js";
import {
  checkBoolean,
  checkEps,
  checkLr,
  checkMomentum,
  checkNonNegativeOption,
  checkWeightDecay,
} from "./validate.js";

/** LARS's hyperparameters (Optax's `lars`, with this package's names). */
export interface LARSHyperparameters {
  /** Learning rate γ. Required: like Optax's `lars`, there is no default. */
  lr: number;
  /** Momentum μ of the trace of past (lr-scaled) updates. Default 0.9. */
  momentum: number;
  /** Nesterov momentum: step by `u + μ·b` instead of `b`. Default false. */
  nesterov: boolean;
  /** λ: `λ·θ` added to the gradient before the trust ratio. Default 0. */
  weightDecay: number;
  /** η, the trust coefficient: the ratio is `η·‖θ‖/(‖g‖ + ε)`. Default 0.001. */
  trustCoefficient: number;
  /** ε, added to the update's norm in the trust ratio. Default 0. */
  eps: number;
  /** Maximize the objective instead of minimizing it (the gradient is negated first). Default false. */
  maximize: boolean;
}

/** LARS's options: `lr` (required), any other hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type LARSOptions = Partial<LARSHyperparameters> & { lr: number } & OptimizerOptions;

/** LARS's per-parameter state: the momentum trace (Optax's `trace`). */
export interface LARSState extends ParamState {
  momentumBuffer: FloatArray;
}

/**
 * One LARS step, in place, with the semantics of Optax's `optax.lars` (`add_decayed_weights`,
 * `scale_by_trust_ratio(trust_coefficient, eps)`, `scale_by_learning_rate`, `trace(momentum,
 * nesterov)`):
 *
 *     g ← −∇ if maximize, else ∇
 *     u ← g + λ·θ                                  (u = g if λ = 0)
 *     r ← η·‖θ‖ / (‖u‖ + ε)   (1 where ‖θ‖ = 0 or ‖u‖ = 0)   norms over the whole parameter
 *     u ← (−γ)·(u·r)
 *     b ← u + μ·b
 *     θ ← θ + (u + μ·b) if nesterov, else θ + b
 *
 * Two passes: the first sums ‖θ‖² and ‖u‖², the second recomputes u and applies the step.
 */
export function larsStep(p: FloatArray, grad: FloatArray, buf: FloatArray, h: LARSHyperparameters): void {
  const n = p.length;
  checkLength("larsStep", "grad", grad, n);
  checkLength("larsStep", "momentum_buffer (trace)", buf, n);
  const s: LARSScalars = {
    weightDecay: h.weightDecay,
    trustCoefficient: h.trustCoefficient,
    eps: h.eps,
    negLr: -1 * h.lr,
    momentum: h.momentum,
    nesterov: h.nesterov,
    maximize: h.maximize,
  };
  if (isFloat32(p) && isFloat32(grad) && isFloat32(buf)) {
    larsLoopF32(p, grad, buf, s);
    return;
  }
  const { weightDecay, negLr, momentum, nesterov, maximize } = s;
  const useDecay = weightDecay !== 0;
  let paramSquares = 0;
  let updateSquares = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    let u = maximize ? -grad[i] : grad[i];
    if (useDecay) u = u + weightDecay * pi;
    paramSquares += pi * pi;
    updateSquares += u * u;
  }
  const ratio = trustRatio(
    normFromSquares(paramSquares, false),
    normFromSquares(updateSquares, false),
    s.trustCoefficient,
    s.eps,
    false,
  );
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    let u = maximize ? -grad[i] : grad[i];
    if (useDecay) u = u + weightDecay * pi;
    u = negLr * (u * ratio);
    const b = u + momentum * buf[i];
    buf[i] = b;
    p[i] = pi + (nesterov ? u + momentum * b : b);
  }
}

/** The scalars of one LARS update, in float64: the options, and `negLr = −γ`. */
interface LARSScalars {
  weightDecay: number;
  trustCoefficient: number;
  eps: number;
  negLr: number;
  momentum: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * {@link larsStep}'s loops for float32 arrays: every element-wise operation rounded to float32, the
 * scalars rounded to float32 first; the norms from float64 sums of the float32 values, rounded
 * once to float32 ({@link normFromSquares}); the trust ratio in float32.
 */
function larsLoopF32(p: Float32Array, grad: Float32Array, buf: Float32Array, s: LARSScalars): void {
  const weightDecay = f(s.weightDecay);
  const negLr = f(s.negLr);
  const momentum = f(s.momentum);
  const useDecay = s.weightDecay !== 0;
  const { nesterov, maximize } = s;
  const n = p.length;
  let paramSquares = 0;
  let updateSquares = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    let u = maximize ? -grad[i] : grad[i];
    if (useDecay) u = f(u + f(weightDecay * pi));
    paramSquares += pi * pi;
    updateSquares += u * u;
  }
  const ratio = trustRatio(
    normFromSquares(paramSquares, true),
    normFromSquares(updateSquares, true),
    s.trustCoefficient,
    s.eps,
    true,
  );
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    let u = maximize ? -grad[i] : grad[i];
    if (useDecay) u = f(u + f(weightDecay * pi));
    u = f(negLr * f(u * ratio));
    const b = f(u + f(momentum * buf[i]));
    buf[i] = b;
    p[i] = f(pi + (nesterov ? f(u + f(momentum * b)) : b));
  }
}

/**
 * LARS (layer-wise adaptive rate scaling, You et al. 2017), with the semantics of Optax's
 * `optax.lars` (float64 for Float64Array parameters; float32 op by op for Float32Array ones).
 *
 * Update rule (Optax's chain), with `b₀ = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     u_t ← g_t + λ·θ_{t−1}
 *     r_t ← η·‖θ_{t−1}‖ / (‖u_t‖ + ε)        (r_t = 1 if either norm is 0)
 *     u_t ← −γ·r_t·u_t
 *     b_t ← u_t + μ·b_{t−1}
 *     θ_t ← θ_{t−1} + (u_t + μ·b_t if nesterov, else b_t)
 *
 * The norms are taken over each parameter array as a whole (one trust ratio per parameter, as
 * Optax takes one per leaf): before momentum, each parameter moves by γ·η·‖θ‖ per step, whatever
 * the gradient's scale. A parameter that is all zeros, or whose gradient is all zeros, gets
 * r = 1 (a plain −γ·u step: large next to the η-scaled steps of the others). The trace holds
 * lr-scaled updates (Optax applies the learning rate before `trace`), so a changed lr acts on new
 * updates only.
 *
 * Arithmetic as for {@link LAMB}: op for op as Optax computes it; float32 norms from float64 sums
 * rounded once to float32 (JAX reduces in float32); a parameter without a gradient is skipped.
 *
 * Defaults: `momentum = 0.9, nesterov = false, weightDecay = 0, trustCoefficient = 0.001, eps = 0,
 * maximize = false` (Optax's); `lr` is required, as in Optax.
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([3, -4]), grad: { data: new Float64Array([0.5, -1]) } };
 * new LARS([w], { lr: 1 }).step();
 * // r = 0.001·5/‖g‖ ≈ 0.004472: w moves by −r·g, w ≈ [2.997764, −3.995528]
 * ```
 *
 * **Differences from other libraries.**
 * - timm's `Lars` (PyTorch, after NVIDIA apex's `LARC`) computes `r = η‖θ‖/(‖g‖ + λ‖θ‖ + ε)` from
 *   the raw gradient's norm (ε = 1e-8), adapts only parameters with weight decay (unless
 *   `always_adapt`), keeps the lr outside the momentum buffer (PyTorch SGD's
 *   `b ← μb + (1 − τ)g`, `θ ← θ − γb`) and defaults to lr 1, momentum 0; `trust_clip` (LARC) caps
 *   r/lr at 1.
 * - Optax's `weight_decay_mask` and `trust_ratio_mask` (leaves excluded from decay or adaptation)
 *   are not offered: use param groups with `weightDecay: 0` (the trust ratio applies to every
 *   parameter). Optax has no `maximize` (here the gradient is negated first, as PyTorch's
 *   optimizers do).
 * - Keras and TF.js have no LARS.
 */
export class LARS extends Optimizer<LARSHyperparameters, LARSState> {
  get kind(): string {
    return "LARS";
  }

  constructor(params: ParamsInput<LARSHyperparameters>, options: LARSOptions) {
    const given = options as unknown;
    if (
      given === undefined ||
      (typeof given === "object" && given !== null && (given as { lr?: unknown }).lr === undefined)
    ) {
      throw new TypeError(
        "LARS: the option lr is required (LARS has no default learning rate, as in Optax's lars), e.g. new LARS(params, { lr: 1 })",
      );
    }
    const [defaults, rest] = resolveOptions<LARSHyperparameters>("LARS", options, {
      lr: Number.NaN, // always replaced by the required option
      momentum: 0.9,
      nesterov: false,
      weightDecay: 0,
      trustCoefficient: 0.001,
      eps: 0,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: LARSHyperparameters): void {
    checkLr(h.lr);
    checkMomentum(h.momentum);
    checkBoolean(h.nesterov, "nesterov");
    checkWeightDecay(h.weightDecay);
    checkNonNegativeOption(h.trustCoefficient, "trustCoefficient", "trust_coefficient");
    checkEps(h.eps);
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["momentumBuffer"], optional: [] };
  }

  protected initState(p: FloatArray): LARSState {
    return { step: 0, momentumBuffer: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: LARSState,
    group: ParamGroup & LARSHyperparameters,
  ): void {
    larsStep(p, grad, state.momentumBuffer, group);
  }
}

/**
 * The learning rate the catalog starts LARS at (the class has no default, as in Optax): with the
 * trust coefficient 0.001 each parameter then moves by about 0.1 % of its norm per step before
 * momentum, about 1 % with momentum 0.9.
 */
export const LARS_CATALOG_LR = 1;

/** LARS in the optimizer catalog (lr defaults to {@link LARS_CATALOG_LR} here, not in the class). */
export const LARS_ENTRY: OptimizerEntry = {
  id: "lars",
  name: "LARS",
  className: "LARS",
  create: (params, options) => new LARS(params, { lr: LARS_CATALOG_LR, ...options } as LARSOptions),
  hyperparameters: [
    {
      ...LEARNING_RATE,
      default: LARS_CATALOG_LR,
      typical: [1e-2, 30],
      meaning:
        "step size, times the trust ratio η·‖θ‖/‖g‖: each parameter moves by about lr·η of its norm (required by the class; 1 here)",
    },
    { ...MOMENTUM, default: 0.9, meaning: "fraction of the previous (lr-scaled) step carried into the next" },
    flag("nesterov", "Nesterov", "step by u + μ·b instead of the momentum buffer b"),
    { ...L2_WEIGHT_DECAY, meaning: "λ·θ is added to the gradient before the trust ratio" },
    {
      kind: "number",
      key: "trustCoefficient",
      option: "trustCoefficient",
      label: "trust coefficient η",
      default: 0.001,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [1e-4, 0.1],
      scale: "log",
      meaning:
        "the trust ratio η·‖θ‖/(‖g‖ + ε): the fraction of a parameter's norm one step may move it, per unit lr",
    },
    { ...EPSILON, default: 0, meaning: "added to the gradient's norm in the trust ratio" },
  ],
  summary:
    "SGD with momentum whose step is rescaled per parameter to a fixed fraction (η) of the parameter's norm: every layer learns at a rate proportional to its size, whatever its gradient's scale. Made for very large batches.",
  update: "u ← g + λ·θ\nr ← η·‖θ‖ / (‖u‖ + ε)  (1 if either is 0)\nb ← −γ·r·u + μ·b\nθ ← θ + b",
  reference: {
    authors: "Y. You, I. Gitman, B. Ginsburg",
    title: "Large Batch Training of Convolutional Networks",
    year: 2017,
    url: "https://arxiv.org/abs/1708.03888",
  },
};

import type { OptimizerEntry } from "./catalog-entry.js";
import { BETA1, BETA2, DECOUPLED_WEIGHT_DECAY, EPSILON, LEARNING_RATE } from "./hyperparameters.js";
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
import { checkBetas, checkBoolean, checkEps, checkLr, checkWeightDecay } from "./validate.js";

/** LAMB's hyperparameters (Optax's `lamb`, with this package's names). */
export interface LAMBHyperparameters {
  /** Learning rate γ. Default 1e-3. */
  lr: number;
  /** Decay rates `[β1, β2]` of the first and second moment averages. Default `[0.9, 0.999]`. */
  betas: [number, number];
  /** Added to √v̂ (outside the square root). Default 1e-6. */
  eps: number;
  /** λ: decoupled weight decay, `λ·θ` added to the Adam direction before the trust ratio. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (the gradient is negated first). Default false. */
  maximize: boolean;
}

/** LAMB's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type LAMBOptions = Partial<LAMBHyperparameters> & OptimizerOptions;

/** LAMB's per-parameter state: the moment averages (Optax's `mu` and `nu`). */
export interface LAMBState extends ParamState {
  expAvg: FloatArray;
  expAvgSq: FloatArray;
}

/**
 * One LAMB step, in place, with the semantics of Optax's `optax.lamb` (`scale_by_adam`,
 * `add_decayed_weights`, `scale_by_trust_ratio`, `scale_by_learning_rate`). With t the step
 * number (1 at the first step):
 *
 *     g ← −∇ if maximize, else ∇
 *     m ← (1 − β1)·g + β1·m
 *     v ← (1 − β2)·(g·g) + β2·v
 *     u ← (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 *     u ← u + λ·θ                                  if λ ≠ 0
 *     r ← ‖θ‖ / ‖u‖   (1 where ‖θ‖ = 0 or ‖u‖ = 0)  norms over the whole parameter
 *     θ ← θ + (−γ)·(u·r)
 *
 * Two passes: the first updates m and v and sums ‖θ‖² and ‖u‖², the second recomputes u from the
 * stored m and v (the same operations, so the same values) and applies it.
 *
 * @param t the step number, counting this step (1 at the first step).
 */
export function lambStep(
  p: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  t: number,
  h: LAMBHyperparameters,
): void {
  const n = p.length;
  checkLength("lambStep", "grad", grad, n);
  checkLength("lambStep", "exp_avg (m)", m, n);
  checkLength("lambStep", "exp_avg_sq (v)", v, n);
  const [beta1, beta2] = h.betas;
  const s: LAMBScalars = {
    w1: 1 - beta1,
    beta1,
    w2: 1 - beta2,
    beta2,
    bc1: 1 - beta1 ** t,
    bc2: 1 - beta2 ** t,
    eps: h.eps,
    weightDecay: h.weightDecay,
    negLr: -1 * h.lr,
    maximize: h.maximize,
  };
  if (isFloat32(p) && isFloat32(grad) && isFloat32(m) && isFloat32(v)) {
    lambLoopF32(p, grad, m, v, s);
    return;
  }
  const { w1, w2, bc1, bc2, eps, weightDecay, negLr, maximize } = s;
  const useDecay = weightDecay !== 0;
  let paramSquares = 0;
  let updateSquares = 0;
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grad[i] : grad[i];
    const mi = w1 * g + beta1 * m[i];
    const vi = w2 * (g * g) + beta2 * v[i];
    m[i] = mi;
    v[i] = vi;
    const pi = p[i];
    let u = mi / bc1 / (Math.sqrt(vi / bc2) + eps);
    if (useDecay) u = u + weightDecay * pi;
    paramSquares += pi * pi;
    updateSquares += u * u;
  }
  const ratio = trustRatio(
    normFromSquares(paramSquares, false),
    normFromSquares(updateSquares, false),
    1,
    0,
    false,
  );
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    let u = m[i] / bc1 / (Math.sqrt(v[i] / bc2) + eps);
    if (useDecay) u = u + weightDecay * pi;
    p[i] = pi + negLr * (u * ratio);
  }
}

/**
 * The scalars of one LAMB update, in float64: `w1 = 1 − β1`, `w2 = 1 − β2`, the bias corrections
 * `bc1 = 1 − β1^t`, `bc2 = 1 − β2^t` (Optax computes `1 − decay**count` in float64 under
 * `jax_enable_x64` and casts it to the moment's dtype), `negLr = −γ`.
 */
interface LAMBScalars {
  w1: number;
  beta1: number;
  w2: number;
  beta2: number;
  bc1: number;
  bc2: number;
  eps: number;
  weightDecay: number;
  negLr: number;
  maximize: boolean;
}

/**
 * {@link lambStep}'s loops for float32 arrays: every element-wise operation rounded to float32 in
 * the order above, the scalars rounded to float32 first; the norms from float64 sums of the
 * float32 values, rounded once to float32 ({@link normFromSquares}); the trust ratio in float32.
 */
function lambLoopF32(
  p: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  s: LAMBScalars,
): void {
  const w1 = f(s.w1);
  const beta1 = f(s.beta1);
  const w2 = f(s.w2);
  const beta2 = f(s.beta2);
  const bc1 = f(s.bc1);
  const bc2 = f(s.bc2);
  const eps = f(s.eps);
  const weightDecay = f(s.weightDecay);
  const negLr = f(s.negLr);
  const useDecay = s.weightDecay !== 0;
  const maximize = s.maximize;
  const n = p.length;
  let paramSquares = 0;
  let updateSquares = 0;
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grad[i] : grad[i];
    const mi = f(f(w1 * g) + f(beta1 * m[i]));
    const vi = f(f(w2 * f(g * g)) + f(beta2 * v[i]));
    m[i] = mi;
    v[i] = vi;
    const pi = p[i];
    let u = f(f(mi / bc1) / f(f(Math.sqrt(f(vi / bc2))) + eps));
    if (useDecay) u = f(u + f(weightDecay * pi));
    paramSquares += pi * pi;
    updateSquares += u * u;
  }
  const ratio = trustRatio(
    normFromSquares(paramSquares, true),
    normFromSquares(updateSquares, true),
    1,
    0,
    true,
  );
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    let u = f(f(m[i] / bc1) / f(f(Math.sqrt(f(v[i] / bc2))) + eps));
    if (useDecay) u = f(u + f(weightDecay * pi));
    p[i] = f(pi + f(negLr * f(u * ratio)));
  }
}

/**
 * LAMB (layer-wise adaptive moments, You et al. 2020), with the semantics of Optax's `optax.lamb`
 * (float64 for Float64Array parameters; float32 op by op for Float32Array ones).
 *
 * Update rule (Optax's chain), with `m₀ = v₀ = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     m_t ← β1·m_{t−1} + (1 − β1)·g_t
 *     v_t ← β2·v_{t−1} + (1 − β2)·g_t²
 *     u_t ← m̂_t / (√v̂_t + ε) + λ·θ_{t−1},   m̂_t = m_t/(1 − β1^t),  v̂_t = v_t/(1 − β2^t)
 *     r_t ← ‖θ_{t−1}‖ / ‖u_t‖                (r_t = 1 if either norm is 0)
 *     θ_t ← θ_{t−1} − γ·r_t·u_t
 *
 * The norms are taken over each parameter array as a whole (one trust ratio per parameter, as
 * Optax takes one per leaf): the step of a parameter has norm γ·‖θ‖, whatever the gradient's
 * scale. A parameter that is all zeros (a bias at initialization) or whose update is all zeros
 * gets r = 1.
 *
 * Arithmetic: as Optax computes it, op for op (see {@link lambStep}); float32 parameters use float32
 * element-wise operations with the hyperparameters rounded to float32 (as JAX does with Python
 * floats); their norms are computed from float64 sums and rounded once to float32 (JAX reduces in
 * float32, in XLA's order: expect the last bits of r, and so of θ, to differ from a given JAX
 * build). Bias corrections are float64, as under `jax_enable_x64`. A parameter without a gradient
 * is skipped and its step count does not advance (PyTorch's convention; Optax counts steps once for
 * the whole tree).
 *
 * Defaults: `lr = 1e-3, betas = [0.9, 0.999], eps = 1e-6, weightDecay = 0, maximize = false`
 * (Optax's, with lr 1e-3 where Optax has no default).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([3, -4]), grad: { data: new Float64Array([0.5, -1]) } };
 * new LAMB([w], { lr: 0.1 }).step();
 * // u ≈ sign(g) = [1, −1], r = ‖θ‖/‖u‖ = 5/√2: θ moves by 0.1·5/√2 ≈ 0.354 per coordinate,
 * // w ≈ [2.6464, −3.6464]
 * ```
 *
 * **Differences from other libraries.**
 * - timm's `Lamb` (PyTorch, after NVIDIA apex's `FusedLAMB`) clips the global gradient norm to 1
 *   first (`max_grad_norm=1.0`), defaults `weight_decay` to 0.01, applies the trust ratio only to
 *   parameters with weight decay (unless `always_adapt`), can clip it at 1 (`trust_clip`, LAMBC) and
 *   can turn bias correction off; it keeps one step count per group.
 * - Optax's `eps_root` (ε inside the square root) and `mask` (weight decay on some leaves only) are
 *   not offered (use param groups with `weightDecay: 0`); Optax has no `maximize` (here the gradient
 *   is negated first, as PyTorch's optimizers do).
 * - TF Addons' `LAMB` excludes layers from decay or adaptation by name and defaults λ to 0.
 */
export class LAMB extends Optimizer<LAMBHyperparameters, LAMBState> {
  get kind(): string {
    return "LAMB";
  }

  constructor(params: ParamsInput<LAMBHyperparameters>, options: LAMBOptions = {}) {
    const [defaults, rest] = resolveOptions<LAMBHyperparameters>("LAMB", options, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-6,
      weightDecay: 0,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: LAMBHyperparameters): void {
    checkLr(h.lr);
    checkEps(h.eps);
    checkBetas(h.betas);
    checkWeightDecay(h.weightDecay);
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["expAvg", "expAvgSq"], optional: [], nonNegative: ["expAvgSq"] };
  }

  protected initState(p: FloatArray): LAMBState {
    return { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: LAMBState,
    group: ParamGroup & LAMBHyperparameters,
  ): void {
    lambStep(p, grad, state.expAvg, state.expAvgSq, state.step, group);
  }
}

/** LAMB in the optimizer catalog. */
export const LAMB_ENTRY: OptimizerEntry = {
  id: "lamb",
  name: "LAMB",
  className: "LAMB",
  create: (params, options) => new LAMB(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-3 },
    BETA1,
    BETA2,
    { ...EPSILON, default: 1e-6 },
    {
      ...DECOUPLED_WEIGHT_DECAY,
      default: 0,
      meaning: "decoupled decay: λ·θ joins the Adam direction before the trust ratio scales it",
    },
  ],
  summary:
    "Adam's direction rescaled per parameter so that each step is the learning rate times the parameter's own norm (the trust ratio ‖θ‖/‖u‖). Made for very large batches; every layer learns at a rate proportional to its size.",
  update:
    "m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²\nu ← m̂/(√v̂ + ε) + λ·θ\nr ← ‖θ‖/‖u‖  (1 if either is 0)\nθ ← θ − γ·r·u",
  reference: {
    authors:
      "Y. You, J. Li, S. Reddi, J. Hseu, S. Kumar, S. Bhojanapalli, X. Song, J. Demmel, K. Keutzer, C.-J. Hsieh",
    title: "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes",
    year: 2020,
    url: "https://arxiv.org/abs/1904.00962",
  },
};

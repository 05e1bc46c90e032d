import { AdamFamily, type AdamHyperparameters, type AdamOptions, adamKernel } from "./adam.js";
import type { OptimizerEntry } from "./catalog-entry.js";
import { BETA1, BETA2, DECOUPLED_WEIGHT_DECAY, EPSILON, flag, LEARNING_RATE } from "./hyperparameters.js";
import { type ParamsInput, resolveOptions } from "./optimizer.js";
import type { FloatArray } from "./param.js";

/**
 * One AdamW step (decoupled weight decay), in place, with PyTorch's semantics (`_single_tensor_adam`
 * with `decoupled_weight_decay`), in one pass:
 *
 *     g ← −∇ if maximize, else ∇
 *     p ← p·(1 − γ·λ)                        (before the Adam update, not added to g)
 *     m ← lerp(m, g, 1 − β1),   v ← β2·v + (1 − β2)·g²,   v_max ← max(v_max, v) if amsgrad
 *     p ← p − (γ / (1 − β1^t)) · m / (√v' / √(1 − β2^t) + ε),   v' = v_max if amsgrad, else v
 *
 * @param vmax the running maximum of v (used only, and required, when `amsgrad`).
 * @param t the step number, counting this step (1 at the first step).
 */
export function adamwStep(
  p: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vmax: FloatArray | null,
  t: number,
  h: AdamHyperparameters,
): void {
  adamKernel("adamwStep", true, p, grad, m, v, vmax, t, h);
}

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), exactly PyTorch's
 * `torch.optim.AdamW` (see the package README on arithmetic:
 * float64 for Float64Array parameters, PyTorch's float32 op by op for Float32Array ones).
 *
 * Update rule (PyTorch's algorithm box), with `m₀ = v₀ = v₀^max = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     θ_t ← θ_{t−1} − γ·λ·θ_{t−1}
 *     m_t ← β1·m_{t−1} + (1 − β1)·g_t
 *     v_t ← β2·v_{t−1} + (1 − β2)·g_t²
 *     m̂_t ← m_t / (1 − β1^t)
 *     if amsgrad:  v_t^max ← max(v_{t−1}^max, v_t),   v̂_t ← v_t^max / (1 − β2^t)
 *     else:        v̂_t ← v_t / (1 − β2^t)
 *     θ_t ← θ_t − γ·m̂_t / (√v̂_t + ε)
 *
 * computed as PyTorch does: `θ ← θ·(1 − γλ)`, then Adam's update (see {@link Adam}). The decay is
 * scaled by the current lr, so an lr schedule also schedules the decay.
 *
 * Defaults: `lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2, amsgrad = false,
 * maximize = false` (PyTorch's).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
 * new AdamW([w], { lr: 0.1, weightDecay: 0.1 }).step();
 * // w·(1 − 0.1·0.1), then Adam's first step of ≈ lr: w ≈ [0.89, −1.88]
 * ```
 *
 * **Differences from other libraries.** Keras's `AdamW` decays the same way (`p ← p − γ·λ·p`) but
 * defaults to λ = 0.004 and uses Keras's Adam (ε added to the uncorrected √v, see {@link Adam});
 * Optax's `optax.adamw` adds `λ·p` to the Adam direction before the lr, which is the same update,
 * with λ = 1e-4 by default. TF.js has no AdamW.
 */
export class AdamW extends AdamFamily {
  get kind(): string {
    return "AdamW";
  }

  constructor(params: ParamsInput<AdamHyperparameters>, options: AdamOptions = {}) {
    const [defaults, rest] = resolveOptions<AdamHyperparameters>("AdamW", options, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected get decoupled(): boolean {
    return true;
  }
}

/** AdamW in the optimizer catalog. */
export const ADAMW_ENTRY: OptimizerEntry = {
  id: "adamw",
  name: "AdamW",
  className: "AdamW",
  create: (params, options) => new AdamW(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-3 },
    BETA1,
    BETA2,
    EPSILON,
    DECOUPLED_WEIGHT_DECAY,
    flag("amsgrad", "AMSGrad", "normalise by the running maximum of v, so steps cannot grow back"),
  ],
  summary:
    "Adam with weight decay applied to the weights directly instead of through the gradient, so decay is not rescaled by the adaptive step. The usual choice when regularising.",
  update: "θ ← θ·(1 − γ·λ)\nthen Adam's update",
  reference: {
    authors: "I. Loshchilov, F. Hutter",
    title: "Decoupled Weight Decay Regularization",
    year: 2019,
    url: "https://arxiv.org/abs/1711.05101",
  },
};

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
import {
  checkBetas,
  checkBoolean,
  checkEps,
  checkLr,
  checkNonNegativeOption,
  checkWeightDecay,
} from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** NAdam's hyperparameters (PyTorch's, camelCased). */
export interface NAdamHyperparameters {
  /** Learning rate γ. Default 2e-3. */
  lr: number;
  /** `[β1, β2]`: β1 scales the momentum schedule μ_t, β2 decays the second moment. Default `[0.9, 0.999]`. */
  betas: [number, number];
  /** Added to √v̂ (outside the square root). Default 1e-8. */
  eps: number;
  /**
   * λ: an L2 penalty added to the gradient, or with
   * {@link NAdamHyperparameters.decoupledWeightDecay} a decay of θ. Default 0.
   */
  weightDecay: number;
  /** ψ in the momentum schedule `μ_t = β1·(1 − ½·0.96^(t·ψ))`. Default 4e-3. */
  momentumDecay: number;
  /** Decay the parameters directly, `θ ← θ·(1 − γλ)`, as AdamW does (NAdamW). Default false. */
  decoupledWeightDecay: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** NAdam's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type NAdamOptions = Partial<NAdamHyperparameters> & OptimizerOptions;

/**
 * NAdam's per-parameter state: the moment averages and `muProduct`, the product μ_1·…·μ_t of the
 * momentum schedule, held as a float32 value (see {@link nadamStep}).
 */
export interface NAdamState extends ParamState {
  muProduct: number;
  expAvg: FloatArray;
  expAvgSq: FloatArray;
}

/**
 * One NAdam step, in place, with PyTorch's semantics (`_single_tensor_nadam`), in one pass. With
 * `t` the step number (1 at the first step) and `Π` = `muProduct` (the product of μ over the
 * previous steps, 1 before the first):
 *
 *     μ ← β1·(1 − ½·0.96^(t·ψ)),   μ' ← β1·(1 − ½·0.96^((t+1)·ψ)),   Π ← fl32(Π·μ)
 *     g ← −∇ if maximize, else ∇
 *     p ← p·(1 − γλ) if decoupledWeightDecay, else g ← g + λ·p        (λ ≠ 0)
 *     m ← lerp(m, g, 1 − β1),   v ← β2·v + (1 − β2)·g²
 *     d ← √(v / (1 − β2^t)) + ε
 *     p ← p + (−γ·(1 − μ)/(1 − Π))·g / d
 *     p ← p + (−γ·μ'/(1 − Π·μ'))·m / d
 *
 * `Π` is a float32 number whatever the arrays' type: PyTorch keeps `mu_product` in a 0-dim tensor of
 * its default scalar dtype (float32), so `mu_product *= mu` rounds μ to float32 and the product to
 * float32 at every step, even for float64 parameters. `Π·μ'` is then a float64 product.
 *
 * @param muProduct Π before this step (1 at the first step).
 * @param t the step number, counting this step (1 at the first step).
 * @returns Π after this step (a float32 value), to store as the state's `muProduct`.
 */
export function nadamStep(
  p: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  muProduct: number,
  t: number,
  h: NAdamHyperparameters,
): number {
  const n = p.length;
  checkLength("nadamStep", "grad", grad, n);
  checkLength("nadamStep", "exp_avg (m)", m, n);
  checkLength("nadamStep", "exp_avg_sq (v)", v, n);
  const { lr, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize } = h;
  const [beta1, beta2] = h.betas;
  const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
  const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
  const product = f(f(muProduct) * f(mu));
  const productNext = product * muNext;
  const s: NAdamScalars = {
    w1: 1 - beta1,
    beta2,
    w2: 1 - beta2,
    bc2: 1 - beta2 ** t,
    eps,
    gradStep: (-lr * (1 - mu)) / (1 - product),
    momentumStep: (-lr * muNext) / (1 - productNext),
    l2: decoupledWeightDecay ? 0 : weightDecay,
    decay: decoupledWeightDecay && weightDecay !== 0 ? 1 - lr * weightDecay : 1,
    maximize,
  };
  if (isFloat32(p) && isFloat32(grad) && isFloat32(m) && isFloat32(v)) {
    const kern = wasmFor(n);
    if (kern === null || !nadamWasm(kern, p, grad, m, v, s)) nadamLoopF32(p, grad, m, v, s);
    return product;
  }
  const { w1, w2, bc2, gradStep, momentumStep, l2, decay } = s;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    let pi = p[i];
    if (decay !== 1) pi = pi * decay;
    if (l2 !== 0) g = g + l2 * pi;
    const mi = lerp(m[i], g, w1);
    m[i] = mi;
    const vi = v[i] * beta2 + w2 * g * g;
    v[i] = vi;
    const d = Math.sqrt(vi / bc2) + eps;
    pi = pi + (gradStep * g) / d;
    p[i] = pi + (momentumStep * mi) / d;
  }
  return product;
}

/**
 * The scalars of one NAdam update, computed once per parameter and step in float64 (Python floats
 * in PyTorch): `w1 = 1 − β1`, `w2 = 1 − β2`, `bc2 = 1 − β2^t`, the two `addcdiv` values
 * `gradStep = −γ(1 − μ)/(1 − Π)` and `momentumStep = −γμ'/(1 − Πμ')`, `l2` = λ for coupled decay
 * (else 0), `decay` = 1 − γλ for decoupled decay (else 1).
 */
interface NAdamScalars {
  w1: number;
  beta2: number;
  w2: number;
  bc2: number;
  eps: number;
  gradStep: number;
  momentumStep: number;
  l2: number;
  decay: number;
  maximize: boolean;
}

/**
 * {@link nadamStep}'s loop for float32 arrays: the same operations, each rounded to float32 as
 * PyTorch's float32 CPU kernels round them, the Python-float scalars rounded to float32 first. The
 * WASM kernel (`asm/nadam.ts`) computes exactly these operations, so the two give the same bits.
 */
function nadamLoopF32(
  p: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  s: NAdamScalars,
): void {
  const w1 = f(s.w1);
  const beta2 = f(s.beta2);
  const w2 = f(s.w2);
  const bc2 = f(s.bc2);
  const eps = f(s.eps);
  const gradStep = f(s.gradStep);
  const momentumStep = f(s.momentumStep);
  const l2 = f(s.l2);
  const decay = f(s.decay);
  const useL2 = s.l2 !== 0;
  const maximize = s.maximize;
  const w1c = f(1 - w1);
  const lerpLow = Math.abs(w1) < 0.5;
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    let pi = p[i];
    if (decay !== 1) pi = f(pi * decay);
    if (useL2) g = f(g + f(l2 * pi));
    const m0 = m[i];
    const mi = lerpLow ? f(m0 + f(w1 * f(g - m0))) : f(g - f(f(g - m0) * w1c));
    m[i] = mi;
    const vi = f(f(v[i] * beta2) + f(f(w2 * g) * g));
    v[i] = vi;
    const d = f(f(Math.sqrt(f(vi / bc2))) + eps);
    pi = f(pi + f(f(gradStep * g) / d));
    p[i] = f(pi + f(f(momentumStep * mi) / d));
  }
}

/** Which arrays `asm/nadam.ts` updates: p, (g), m, v. */
const NADAM_WRITE_BACK = [true, false, true, true];

/** {@link nadamLoopF32} in the WASM kernel `nadamF32` (`asm/nadam.ts`); false if it could not run. */
function nadamWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  s: NAdamScalars,
): boolean {
  const { w1, beta2, w2, bc2, eps, gradStep, momentumStep, l2, decay, maximize } = s;
  return runKernel(kern, "nadamF32", [p, g, m, v], NADAM_WRITE_BACK, [
    w1,
    beta2,
    w2,
    bc2,
    eps,
    gradStep,
    momentumStep,
    l2,
    decay,
    l2 !== 0,
    maximize,
  ]);
}

/**
 * NAdam (Adam with Nesterov momentum, Dozat 2016), exactly PyTorch's `torch.optim.NAdam` (see the
 * package README on arithmetic: float64 for Float64Array parameters, PyTorch's float32 op by op for
 * Float32Array ones).
 *
 * Update rule (PyTorch's algorithm box), with `m₀ = v₀ = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     if λ ≠ 0:  θ_{t−1} ← θ_{t−1}·(1 − γλ) if decoupledWeightDecay,  else g_t ← g_t + λ·θ_{t−1}
 *     μ_t ← β1·(1 − ½·0.96^(t·ψ)),   μ_{t+1} ← β1·(1 − ½·0.96^((t+1)·ψ))
 *     m_t ← β1·m_{t−1} + (1 − β1)·g_t
 *     v_t ← β2·v_{t−1} + (1 − β2)·g_t²
 *     m̂_t ← μ_{t+1}·m_t / (1 − ∏_{i=1}^{t+1} μ_i) + (1 − μ_t)·g_t / (1 − ∏_{i=1}^{t} μ_i)
 *     v̂_t ← v_t / (1 − β2^t)
 *     θ_t ← θ_{t−1} − γ·m̂_t / (√v̂_t + ε)
 *
 * computed as PyTorch does (see {@link nadamStep}): `m ← lerp(m, g, 1 − β1)`, two `addcdiv` steps
 * sharing `d = √(v/(1 − β2^t)) + ε`, and the running product ∏μ_i held in float32 (PyTorch's
 * `mu_product` is a float32 0-dim tensor even for float64 parameters; this package rounds it the
 * same way, so float64 trajectories match PyTorch's, not the exact-product formula's).
 *
 * Defaults: `lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3,
 * decoupledWeightDecay = false, maximize = false` (PyTorch's).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
 * new NAdam([w], { lr: 0.1 }).step();
 * // μ₁ ≈ 0.45, μ₂ ≈ 0.45: the first step moves each coordinate by about 0.1·(1 + 0.45·0.1/0.8)·sign(g),
 * // w ≈ [0.8944, −1.8944]
 * ```
 *
 * **Differences from other libraries.**
 * - Keras's `Nadam` uses the schedule `μ_t = β1·(1 − ½·0.96^t)`, i.e. ψ = 1 instead of 0.004: its
 *   momentum reaches β1 within about a hundred steps, where PyTorch's (and the paper's 0.96^(t/250))
 *   climbs from β1/2 over thousands; Keras also defaults to lr 1e-3 and ε = 1e-7, and keeps one
 *   running product for all variables.
 * - Optax's `optax.nadam` (`adam(..., nesterov=True)`) has no momentum schedule: it uses the
 *   constant β1, `m̂ = β1·m/(1 − β1^{t+1}) + (1 − β1)·g/(1 − β1^t)`, ε = 1e-8, and no default lr.
 * - TF.js has no NAdam.
 */
export class NAdam extends Optimizer<NAdamHyperparameters, NAdamState> {
  get kind(): string {
    return "NAdam";
  }

  constructor(params: ParamsInput<NAdamHyperparameters>, options: NAdamOptions = {}) {
    const [defaults, rest] = resolveOptions<NAdamHyperparameters>("NAdam", options, {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      decoupledWeightDecay: false,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: NAdamHyperparameters): void {
    checkLr(h.lr);
    checkEps(h.eps);
    checkBetas(h.betas);
    checkWeightDecay(h.weightDecay);
    checkNonNegativeOption(h.momentumDecay, "momentumDecay", "momentum_decay");
    checkBoolean(h.decoupledWeightDecay, "decoupledWeightDecay");
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return {
      required: ["expAvg", "expAvgSq"],
      optional: [],
      nonNegative: ["expAvgSq"],
      scalars: ["muProduct"],
    };
  }

  protected initState(p: FloatArray): NAdamState {
    return { step: 0, muProduct: 1, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: NAdamState,
    group: ParamGroup & NAdamHyperparameters,
  ): void {
    state.muProduct = nadamStep(p, grad, state.expAvg, state.expAvgSq, state.muProduct, state.step, group);
  }
}

/** NAdam in the optimizer catalog. */
export const NADAM_ENTRY: OptimizerEntry = {
  id: "nadam",
  name: "NAdam",
  className: "NAdam",
  create: (params, options) => new NAdam(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 2e-3 },
    BETA1,
    BETA2,
    EPSILON,
    {
      ...L2_WEIGHT_DECAY,
      meaning: "λ: L2 penalty added to the gradient, or with decoupled decay θ shrinks by lr·λ·θ each step",
    },
    {
      kind: "number",
      key: "momentumDecay",
      option: "momentumDecay",
      label: "momentum decay ψ",
      default: 4e-3,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0, 0.05],
      scale: "linear",
      meaning: "how fast the momentum μₜ = β₁·(1 − ½·0.96^(tψ)) climbs from β₁/2 towards β₁",
    },
    flag(
      "decoupledWeightDecay",
      "decoupled weight decay",
      "shrink the weights by lr·λ directly, as AdamW does (NAdamW), instead of adding λ·θ to the gradient",
    ),
  ],
  summary:
    "Adam with Nesterov momentum: the step uses the momentum as it will be after this step, with a momentum coefficient that slowly grows. Often a little faster than Adam early on.",
  update:
    "μₜ ← β₁·(1 − ½·0.96^(tψ))\nm ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²\nm̂ ← μₜ₊₁·m/(1 − ∏ᵗ⁺¹μ) + (1 − μₜ)·g/(1 − ∏ᵗμ)\nθ ← θ − γ·m̂ / (√(v/(1 − β₂ᵗ)) + ε)",
  reference: {
    authors: "T. Dozat",
    title: "Incorporating Nesterov Momentum into Adam",
    year: 2016,
    url: "https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ",
  },
};

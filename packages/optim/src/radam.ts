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

/** RAdam's hyperparameters (PyTorch's, camelCased). */
export interface RAdamHyperparameters {
  /** Learning rate γ. Default 1e-3. */
  lr: number;
  /** Decay rates `[β1, β2]` of the first and second moment averages. Default `[0.9, 0.999]`. */
  betas: [number, number];
  /** Added to the raw √v (before the bias correction). Default 1e-8. */
  eps: number;
  /**
   * λ: an L2 penalty added to the gradient, or with
   * {@link RAdamHyperparameters.decoupledWeightDecay} a decay of θ. Default 0.
   */
  weightDecay: number;
  /** Decay the parameters directly, `θ ← θ·(1 − γλ)`, as AdamW does (RAdamW). Default false. */
  decoupledWeightDecay: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** RAdam's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type RAdamOptions = Partial<RAdamHyperparameters> & OptimizerOptions;

/** RAdam's per-parameter state: the moment averages. */
export interface RAdamState extends ParamState {
  expAvg: FloatArray;
  expAvgSq: FloatArray;
}

/**
 * The length of the approximated simple moving average at step t, `ρ_t = ρ_∞ − 2t·β2^t/(1 − β2^t)`
 * with `ρ_∞ = 2/(1 − β2) − 1`, and whether RAdam rectifies at that step (`ρ_t > 5`), in PyTorch's
 * float64 order of operations.
 */
export function radamRho(beta2: number, t: number): { rhoInf: number; rhoT: number; rectified: boolean } {
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * t * beta2 ** t) / (1 - beta2 ** t);
  return { rhoInf, rhoT, rectified: rhoT > 5 };
}

/**
 * One RAdam step, in place, with PyTorch's semantics (`_single_tensor_radam`), in one pass. With `t`
 * the step number (1 at the first step) and ρ_t as in {@link radamRho}:
 *
 *     g ← −∇ if maximize, else ∇
 *     p ← p·(1 − γλ) if decoupledWeightDecay, else g ← g + λ·p        (λ ≠ 0)
 *     m ← lerp(m, g, 1 − β1),   v ← β2·v + (1 − β2)·g²
 *     m̂ ← m / (1 − β1^t)
 *     if ρ_t > 5:  r ← √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t))
 *                  p ← p − ((m̂·γ)·((1/(√v + ε))·√(1 − β2^t)))·r
 *     else:        p ← p − m̂·γ
 *
 * The adaptive factor is PyTorch's `math.sqrt(bias_correction2) / (√v + ε)`: a float divided by a
 * tensor, which PyTorch computes as `reciprocal(√v + ε) · √(1 − β2^t)` (two roundings, kept here).
 *
 * @param t the step number, counting this step (1 at the first step).
 */
export function radamStep(
  p: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  t: number,
  h: RAdamHyperparameters,
): void {
  const n = p.length;
  checkLength("radamStep", "grad", grad, n);
  checkLength("radamStep", "exp_avg (m)", m, n);
  checkLength("radamStep", "exp_avg_sq (v)", v, n);
  const { lr, eps, weightDecay, decoupledWeightDecay, maximize } = h;
  const [beta1, beta2] = h.betas;
  const bc2 = 1 - beta2 ** t;
  const { rhoInf, rhoT, rectified } = radamRho(beta2, t);
  const s: RAdamScalars = {
    w1: 1 - beta1,
    beta2,
    w2: 1 - beta2,
    bc1: 1 - beta1 ** t,
    lr,
    eps,
    bc2Sqrt: Math.sqrt(bc2),
    rect: rectified
      ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
      : 1,
    rectified,
    l2: decoupledWeightDecay ? 0 : weightDecay,
    decay: decoupledWeightDecay && weightDecay !== 0 ? 1 - lr * weightDecay : 1,
    maximize,
  };
  if (isFloat32(p) && isFloat32(grad) && isFloat32(m) && isFloat32(v)) {
    const kern = wasmFor(n);
    if (kern === null || !radamWasm(kern, p, grad, m, v, s)) radamLoopF32(p, grad, m, v, s);
    return;
  }
  const { w1, w2, bc1, bc2Sqrt, rect, l2, decay } = s;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    let pi = p[i];
    if (decay !== 1) pi = pi * decay;
    if (l2 !== 0) g = g + l2 * pi;
    const mi = lerp(m[i], g, w1);
    m[i] = mi;
    const vi = v[i] * beta2 + w2 * g * g;
    v[i] = vi;
    const corrected = mi / bc1;
    if (rectified) {
      const adaptive = (1 / (Math.sqrt(vi) + eps)) * bc2Sqrt;
      p[i] = pi - corrected * lr * adaptive * rect;
    } else {
      p[i] = pi - corrected * lr;
    }
  }
}

/**
 * The scalars of one RAdam update, computed once per parameter and step in float64 (Python floats
 * in PyTorch): `w1 = 1 − β1`, `w2 = 1 − β2`, `bc1 = 1 − β1^t`, `bc2Sqrt = √(1 − β2^t)`, the
 * rectification `rect` (1 when not `rectified`), `l2` = λ for coupled decay (else 0), `decay` =
 * 1 − γλ for decoupled decay (else 1).
 */
interface RAdamScalars {
  w1: number;
  beta2: number;
  w2: number;
  bc1: number;
  lr: number;
  eps: number;
  bc2Sqrt: number;
  rect: number;
  rectified: boolean;
  l2: number;
  decay: number;
  maximize: boolean;
}

/**
 * {@link radamStep}'s loop for float32 arrays: the same operations, each rounded to float32 as
 * PyTorch's float32 CPU kernels round them, the Python-float scalars rounded to float32 first. The
 * WASM kernel (`asm/radam.ts`) computes exactly these operations, so the two give the same bits.
 */
function radamLoopF32(
  p: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  s: RAdamScalars,
): void {
  const w1 = f(s.w1);
  const beta2 = f(s.beta2);
  const w2 = f(s.w2);
  const bc1 = f(s.bc1);
  const lr = f(s.lr);
  const eps = f(s.eps);
  const bc2Sqrt = f(s.bc2Sqrt);
  const rect = f(s.rect);
  const l2 = f(s.l2);
  const decay = f(s.decay);
  const { rectified, maximize } = s;
  const useL2 = s.l2 !== 0;
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
    const step = f(f(mi / bc1) * lr);
    if (rectified) {
      const adaptive = f(f(1 / f(f(Math.sqrt(vi)) + eps)) * bc2Sqrt);
      p[i] = f(pi - f(f(step * adaptive) * rect));
    } else {
      p[i] = f(pi - step);
    }
  }
}

/** Which arrays `asm/radam.ts` updates: p, (g), m, v. */
const RADAM_WRITE_BACK = [true, false, true, true];

/** {@link radamLoopF32} in the WASM kernel `radamF32` (`asm/radam.ts`); false if it could not run. */
function radamWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  s: RAdamScalars,
): boolean {
  const { w1, beta2, w2, bc1, lr, eps, bc2Sqrt, rect, rectified, l2, decay, maximize } = s;
  return runKernel(kern, "radamF32", [p, g, m, v], RADAM_WRITE_BACK, [
    w1,
    beta2,
    w2,
    bc1,
    lr,
    eps,
    bc2Sqrt,
    rect,
    l2,
    decay,
    rectified,
    l2 !== 0,
    maximize,
  ]);
}

/**
 * RAdam (Rectified Adam, Liu et al. 2020), exactly PyTorch's `torch.optim.RAdam` (see the package
 * README on arithmetic: float64 for Float64Array parameters, PyTorch's float32 op by op for
 * Float32Array ones).
 *
 * Update rule (PyTorch's algorithm box), with `m₀ = v₀ = 0`, `ρ_∞ = 2/(1 − β2) − 1`, for
 * t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     if λ ≠ 0:  θ_{t−1} ← θ_{t−1}·(1 − γλ) if decoupledWeightDecay,  else g_t ← g_t + λ·θ_{t−1}
 *     m_t ← β1·m_{t−1} + (1 − β1)·g_t
 *     v_t ← β2·v_{t−1} + (1 − β2)·g_t²
 *     m̂_t ← m_t / (1 − β1^t)
 *     ρ_t ← ρ_∞ − 2t·β2^t / (1 − β2^t)
 *     if ρ_t > 5:  l_t ← √(1 − β2^t) / (√v_t + ε)
 *                  r_t ← √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t))
 *                  θ_t ← θ_{t−1} − γ·m̂_t·r_t·l_t
 *     else:        θ_t ← θ_{t−1} − γ·m̂_t
 *
 * computed as PyTorch does (see {@link radamStep}). With β2 = 0.999, ρ_t ≤ 5 for the first five
 * steps, which are plain bias-corrected momentum steps; with β2 ≤ 2/3, ρ_∞ ≤ 5 and RAdam never
 * rectifies (it is SGD with bias-corrected momentum).
 *
 * Defaults: `lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0,
 * decoupledWeightDecay = false, maximize = false` (PyTorch's).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
 * new RAdam([w], { lr: 0.1 }).step();
 * // ρ₁ = 1 ≤ 5: an un-rectified step, w ← w − lr·m̂ with m̂ = g: w = [0.95, −1.9]
 * ```
 *
 * **Differences from other libraries.**
 * - Optax's `optax.radam` rectifies when `ρ_t ≥ 5` (threshold 5.0, inclusive; here strictly
 *   above 5) and adds ε to the bias-corrected √v̂: `r·m̂/(√v̂ + ε)`, where PyTorch adds it to the
 *   raw √v, `r·m̂·√(1 − β2^t)/(√v + ε)`, an effective ε/√(1 − β2^t) that is larger early on.
 * - Neither Keras nor TF.js has RAdam.
 */
export class RAdam extends Optimizer<RAdamHyperparameters, RAdamState> {
  get kind(): string {
    return "RAdam";
  }

  constructor(params: ParamsInput<RAdamHyperparameters>, options: RAdamOptions = {}) {
    const [defaults, rest] = resolveOptions<RAdamHyperparameters>("RAdam", options, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      decoupledWeightDecay: false,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: RAdamHyperparameters): void {
    checkLr(h.lr);
    checkEps(h.eps);
    checkBetas(h.betas);
    checkWeightDecay(h.weightDecay);
    checkBoolean(h.decoupledWeightDecay, "decoupledWeightDecay");
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["expAvg", "expAvgSq"], optional: [], nonNegative: ["expAvgSq"] };
  }

  protected initState(p: FloatArray): RAdamState {
    return { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: RAdamState,
    group: ParamGroup & RAdamHyperparameters,
  ): void {
    radamStep(p, grad, state.expAvg, state.expAvgSq, state.step, group);
  }
}

/** RAdam in the optimizer catalog. */
export const RADAM_ENTRY: OptimizerEntry = {
  id: "radam",
  name: "RAdam",
  className: "RAdam",
  create: (params, options) => new RAdam(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-3 },
    BETA1,
    BETA2,
    EPSILON,
    {
      ...L2_WEIGHT_DECAY,
      meaning: "λ: L2 penalty added to the gradient, or with decoupled decay θ shrinks by lr·λ·θ each step",
    },
    flag(
      "decoupledWeightDecay",
      "decoupled weight decay",
      "shrink the weights by lr·λ directly, as AdamW does (RAdamW), instead of adding λ·θ to the gradient",
    ),
  ],
  summary:
    "Adam that switches its adaptive step size on only once the variance estimate is reliable, and scales it by a rectification term: plain momentum steps at first, so it needs no learning-rate warmup.",
  update:
    "m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,  m̂ ← m/(1 − β₁ᵗ)\nρₜ ← ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)\nρₜ > 5: θ ← θ − γ·r·m̂·√(1 − β₂ᵗ)/(√v + ε)\nelse:    θ ← θ − γ·m̂",
  reference: {
    authors: "L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao, J. Han",
    title: "On the Variance of the Adaptive Learning Rate and Beyond",
    year: 2020,
    url: "https://arxiv.org/abs/1908.03265",
  },
};

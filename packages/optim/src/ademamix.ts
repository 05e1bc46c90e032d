import type { OptimizerEntry } from "./catalog-entry.js";
import { BETA1, BETA2, DECOUPLED_WEIGHT_DECAY, EPSILON, LEARNING_RATE } from "./hyperparameters.js";
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
import { checkBoolean, checkEps, checkLr, checkNonNegative, checkWeightDecay, show } from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** AdEMAMix's hyperparameters (the reference implementation's, camelCased). */
export interface AdEMAMixHyperparameters {
  /** Learning rate γ. Default 1e-3. */
  lr: number;
  /**
   * `[β1, β2, β3]`: decay rates of the fast gradient average m1, of the squared-gradient average ν,
   * and of the slow gradient average m2. Default `[0.9, 0.999, 0.9999]`.
   */
  betas: [number, number, number];
  /** α, the weight of the slow average m2 in the step. Default 2. */
  alpha: number;
  /**
   * Steps over which β3 rises from β1 to its final value, linearly in half-life
   * ({@link ademamixBeta3}); null: β3 from the first step. Default null.
   */
  beta3Warmup: number | null;
  /** Steps over which α rises linearly from 0 ({@link ademamixAlpha}); null: no warmup. Default null. */
  alphaWarmup: number | null;
  /** Added to √ν̂ (outside the square root). Default 1e-8. */
  eps: number;
  /** λ: decoupled weight decay, `θ ← θ − γ·(u + λ·θ)` (AdamW-style). Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (the gradient is negated first). Default false. */
  maximize: boolean;
}

/** AdEMAMix's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type AdEMAMixOptions = Partial<AdEMAMixHyperparameters> & OptimizerOptions;

/**
 * AdEMAMix's per-parameter state: the fast average m1 (absent while β1 = 0, as in the reference),
 * the slow average m2 and the squared-gradient average ν.
 */
export interface AdEMAMixState extends ParamState {
  expAvgFast?: FloatArray;
  expAvgSlow: FloatArray;
  expAvgSq: FloatArray;
}

/**
 * α at step t with a warmup of `warmup` steps (the reference's `linear_warmup_scheduler` from 0):
 * `(t/T)·α` for t < T, then α.
 */
export function ademamixAlpha(t: number, alpha: number, warmup: number | null): number {
  if (warmup === null || !(t < warmup)) return alpha;
  const a = t / warmup;
  return (1 - a) * 0 + a * alpha;
}

/**
 * β3 at step t with a warmup of `warmup` steps (the reference's `linear_hl_warmup_scheduler` from
 * β1): the half-life `h(β) = ln ½ / ln(β + 1e-8) − 1` moves linearly from h(β1) to h(β3), and
 * β3(t) = `0.5^(1/(h + 1))`; from t = T on, β3 itself.
 */
export function ademamixBeta3(t: number, beta1: number, beta3: number, warmup: number | null): number {
  if (warmup === null || !(t < warmup)) return beta3;
  const halfLife = (beta: number) => Math.log(0.5) / Math.log(beta + 1e-8) - 1;
  const a = t / warmup;
  return 0.5 ** (1 / ((1 - a) * halfLife(beta1) + a * halfLife(beta3) + 1));
}

/**
 * One AdEMAMix step, in place, with the semantics of the authors' PyTorch `AdEMAMix`
 * (apple/ml-ademamix), in one pass. With t the step number (1 at the first step), α and β3 at t
 * ({@link ademamixAlpha}, {@link ademamixBeta3}):
 *
 *     g ← −∇ if maximize, else ∇
 *     m1 ← β1·m1 + (1 − β1)·g         if β1 ≠ 0 (else m1 is g itself)
 *     m2 ← β3·m2 + (1 − β3)·g
 *     ν ← β2·ν + ((1 − β2)·g)·g
 *     u ← (m1/(1 − β1^t) + α·m2) / (√ν/√(1 − β2^t) + ε)
 *     u ← u + λ·θ                      (always, also for λ = 0)
 *     θ ← θ + (−γ)·u
 *
 * @param m1 the fast average, or null when β1 = 0 (the gradient takes its place).
 * @param t the step number, counting this step (1 at the first step).
 */
export function ademamixStep(
  p: FloatArray,
  grad: FloatArray,
  m1: FloatArray | null,
  m2: FloatArray,
  nu: FloatArray,
  t: number,
  h: AdEMAMixHyperparameters,
): void {
  const n = p.length;
  const [beta1, beta2, beta3Final] = h.betas;
  const useFast = beta1 !== 0;
  checkLength("ademamixStep", "grad", grad, n);
  if (useFast) {
    if (m1 === null) throw new TypeError("ademamixStep: beta1 ≠ 0 needs an exp_avg_fast (m1) buffer");
    checkLength("ademamixStep", "exp_avg_fast (m1)", m1, n);
  }
  checkLength("ademamixStep", "exp_avg_slow (m2)", m2, n);
  checkLength("ademamixStep", "exp_avg_sq (nu)", nu, n);
  const beta3 = ademamixBeta3(t, beta1, beta3Final, h.beta3Warmup);
  const s: AdEMAMixScalars = {
    beta1,
    w1: 1 - beta1,
    beta3,
    w3: 1 - beta3,
    beta2,
    w2: 1 - beta2,
    bc1: 1 - beta1 ** t,
    bc2Sqrt: Math.sqrt(1 - beta2 ** t),
    eps: h.eps,
    alpha: ademamixAlpha(t, h.alpha, h.alphaWarmup),
    weightDecay: h.weightDecay,
    negLr: -h.lr,
    maximize: h.maximize,
  };
  const fast = useFast ? m1 : null;
  if (
    isFloat32(p) &&
    isFloat32(grad) &&
    isFloat32(m2) &&
    isFloat32(nu) &&
    (fast === null || isFloat32(fast))
  ) {
    const kern = wasmFor(n);
    if (kern === null || !ademamixWasm(kern, p, grad, fast, m2, nu, s))
      ademamixLoopF32(p, grad, fast, m2, nu, s);
    return;
  }
  const { w1, w3, w2, bc1, bc2Sqrt, eps, alpha, weightDecay, negLr, maximize } = s;
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grad[i] : grad[i];
    let mf = g;
    if (fast !== null) {
      mf = fast[i] * beta1 + w1 * g;
      fast[i] = mf;
    }
    const ms = m2[i] * beta3 + w3 * g;
    m2[i] = ms;
    const v = nu[i] * beta2 + w2 * g * g;
    nu[i] = v;
    const denom = Math.sqrt(v) / bc2Sqrt + eps;
    const pi = p[i];
    const u = (mf / bc1 + ms * alpha) / denom + weightDecay * pi;
    p[i] = pi + u * negLr;
  }
}

/**
 * The scalars of one AdEMAMix update, computed once per parameter and step in float64 (Python
 * floats in the reference): `w1 = 1 − β1`, `w3 = 1 − β3`, `w2 = 1 − β2`, `bc1 = 1 − β1^t`,
 * `bc2Sqrt = √(1 − β2^t)`, α and β3 at this step, `negLr = −γ`.
 */
interface AdEMAMixScalars {
  beta1: number;
  w1: number;
  beta3: number;
  w3: number;
  beta2: number;
  w2: number;
  bc1: number;
  bc2Sqrt: number;
  eps: number;
  alpha: number;
  weightDecay: number;
  negLr: number;
  maximize: boolean;
}

/**
 * {@link ademamixStep}'s loop for float32 arrays: the same operations, each rounded to float32 as
 * PyTorch's float32 CPU kernels round them, with the Python-float scalars rounded to float32 first.
 * The WASM kernel (`asm/ademamix.ts`) computes exactly these operations, so the two give the same
 * bits.
 */
function ademamixLoopF32(
  p: Float32Array,
  grad: Float32Array,
  m1: Float32Array | null,
  m2: Float32Array,
  nu: Float32Array,
  s: AdEMAMixScalars,
): void {
  const beta1 = f(s.beta1);
  const w1 = f(s.w1);
  const beta3 = f(s.beta3);
  const w3 = f(s.w3);
  const beta2 = f(s.beta2);
  const w2 = f(s.w2);
  const bc1 = f(s.bc1);
  const bc2Sqrt = f(s.bc2Sqrt);
  const eps = f(s.eps);
  const alpha = f(s.alpha);
  const weightDecay = f(s.weightDecay);
  const negLr = f(s.negLr);
  const maximize = s.maximize;
  for (let i = 0; i < p.length; i++) {
    const g = maximize ? -grad[i] : grad[i];
    let mf = g;
    if (m1 !== null) {
      mf = f(f(m1[i] * beta1) + f(w1 * g));
      m1[i] = mf;
    }
    const ms = f(f(m2[i] * beta3) + f(w3 * g));
    m2[i] = ms;
    const v = f(f(nu[i] * beta2) + f(f(w2 * g) * g));
    nu[i] = v;
    const denom = f(f(f(Math.sqrt(v)) / bc2Sqrt) + eps);
    const pi = p[i];
    const u = f(f(f(f(mf / bc1) + f(ms * alpha)) / denom) + f(weightDecay * pi));
    p[i] = f(pi + f(u * negLr));
  }
}

/** Which arrays `asm/ademamix.ts` updates: p, (g), m1, m2, ν. */
const ADEMAMIX_WRITE_BACK = [true, false, true, true, true];

/** {@link ademamixLoopF32} in the WASM kernel `ademamixF32` (`asm/ademamix.ts`); false if it could not run. */
function ademamixWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  m1: Float32Array | null,
  m2: Float32Array,
  nu: Float32Array,
  s: AdEMAMixScalars,
): boolean {
  return runKernel(kern, "ademamixF32", [p, g, m1, m2, nu], ADEMAMIX_WRITE_BACK, [
    s.beta1,
    s.w1,
    s.beta3,
    s.w3,
    s.beta2,
    s.w2,
    s.bc1,
    s.bc2Sqrt,
    s.eps,
    s.alpha,
    s.weightDecay,
    s.negLr,
    m1 !== null,
    s.maximize,
  ]);
}

/** `Invalid betas value: ...` unless betas is a triple with 0 ≤ β < 1 (the reference's messages). */
function checkBetas3(betas: unknown): void {
  if (!Array.isArray(betas) || betas.length !== 3) {
    throw new TypeError(`Invalid betas value: ${show(betas)} (expected three: [beta1, beta2, beta3])`);
  }
  for (let i = 0; i < 3; i++) {
    const beta = betas[i];
    if (typeof beta !== "number" || !(0 <= beta && beta < 1)) {
      throw new RangeError(`Invalid beta parameter at index ${i}: ${show(beta)}`);
    }
  }
}

/** A warmup length: null (none) or a non-negative integer number of steps. */
function checkWarmup(value: unknown, option: string): void {
  if (value !== null && !(Number.isSafeInteger(value) && (value as number) >= 0)) {
    throw new RangeError(
      `Invalid ${option} value: ${show(value)} (expected null or a non-negative whole number of steps)`,
    );
  }
}

/**
 * AdEMAMix (Pagliardini, Ablin, Grangier 2024): Adam with a mixture of two gradient averages, a
 * fast one (β1) and a slow one (β3 ≈ 0.9999, without bias correction) that remembers tens of
 * thousands of steps, with the semantics of the authors' PyTorch class (`AdEMAMix` in
 * apple/ml-ademamix, `pytorch/ademamix.py`; float64 for Float64Array parameters, PyTorch's float32
 * op by op for Float32Array ones).
 *
 * Update rule, with `m1₀ = m2₀ = ν₀ = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     m1_t ← β1·m1_{t−1} + (1 − β1)·g_t          (m1_t = g_t when β1 = 0)
 *     m2_t ← β3(t)·m2_{t−1} + (1 − β3(t))·g_t
 *     ν_t ← β2·ν_{t−1} + (1 − β2)·g_t²
 *     u_t ← (m1_t/(1 − β1^t) + α(t)·m2_t) / (√ν_t/√(1 − β2^t) + ε) + λ·θ_{t−1}
 *     θ_t ← θ_{t−1} − γ·u_t
 *
 * with α(t) rising linearly from 0 over `alphaWarmup` steps and β3(t) rising from β1 over
 * `beta3Warmup` steps linearly in half-life (the paper recommends both for large β3; both count
 * each parameter's own steps). The slow average starts at 0 and is not bias-corrected: it fills
 * over about 1/(1 − β3) steps. Computed as the reference does (see {@link ademamixStep}); the
 * weight decay term is added even when λ = 0 (so an infinite θ gives NaN).
 *
 * Defaults: `lr = 1e-3, betas = [0.9, 0.999, 0.9999], alpha = 2, beta3Warmup = null,
 * alphaWarmup = null, eps = 1e-8, weightDecay = 0, maximize = false` (the reference's; `maximize`
 * is this package's addition: the gradient is negated first, as in PyTorch's optimizers).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
 * new AdEMAMix([w], { lr: 0.1 }).step();
 * // m1/(1 − β1) = g, α·m2 = 2·0.0001·g, √ν̂ = |g|: w moves by 0.1·1.0002 against sign(g),
 * // w ≈ [0.89998, −1.89998]
 * ```
 *
 * **Differences from other libraries.**
 * - Optax's `optax.contrib.ademamix` defaults α to 5 and has no default learning rate; its β3 and α
 *   schedules are functions of a step count starting at 0 (here, as in the PyTorch reference, the
 *   warmups are evaluated at t = 1, 2, ...); it adds weight decay through `add_decayed_weights`
 *   (skipped when 0).
 * - The authors' own Optax version (`optax/ademamix.py` in the same repository) takes the schedules
 *   as functions (`b3_scheduler`, `alpha_scheduler`) and defaults α to 5.
 * - PyTorch and Keras have no AdEMAMix.
 */
export class AdEMAMix extends Optimizer<AdEMAMixHyperparameters, AdEMAMixState> {
  get kind(): string {
    return "AdEMAMix";
  }

  constructor(params: ParamsInput<AdEMAMixHyperparameters>, options: AdEMAMixOptions = {}) {
    const [defaults, rest] = resolveOptions<AdEMAMixHyperparameters>("AdEMAMix", options, {
      lr: 1e-3,
      betas: [0.9, 0.999, 0.9999],
      alpha: 2,
      beta3Warmup: null,
      alphaWarmup: null,
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: AdEMAMixHyperparameters): void {
    checkLr(h.lr);
    checkEps(h.eps);
    checkBetas3(h.betas);
    checkWeightDecay(h.weightDecay);
    checkNonNegative(h.alpha, "Invalid alpha value");
    checkWarmup(h.beta3Warmup, "beta3Warmup");
    checkWarmup(h.alphaWarmup, "alphaWarmup");
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return {
      required: ["expAvgSlow", "expAvgSq"],
      optional: ["expAvgFast"],
      nonNegative: ["expAvgSq"],
    };
  }

  protected initState(p: FloatArray, group: ParamGroup & AdEMAMixHyperparameters): AdEMAMixState {
    const state: AdEMAMixState = { step: 0, expAvgSlow: zerosLike(p), expAvgSq: zerosLike(p) };
    // The reference keeps no fast average while β1 = 0 (`exp_avg_fast = None`).
    if (group.betas[0] !== 0) state.expAvgFast = zerosLike(p);
    return state;
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: AdEMAMixState,
    group: ParamGroup & AdEMAMixHyperparameters,
  ): void {
    // β1 set above 0 after a step with β1 = 0: the fast average starts at 0 then (the reference fails).
    if (group.betas[0] !== 0 && state.expAvgFast === undefined) state.expAvgFast = zerosLike(p);
    ademamixStep(p, grad, state.expAvgFast ?? null, state.expAvgSlow, state.expAvgSq, state.step, group);
  }
}

/** AdEMAMix in the optimizer catalog. */
export const ADEMAMIX_ENTRY: OptimizerEntry = {
  id: "ademamix",
  name: "AdEMAMix",
  className: "AdEMAMix",
  create: (params, options) => new AdEMAMix(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-3 },
    { ...BETA1, meaning: "decay rate of the fast running average of gradients" },
    BETA2,
    {
      ...BETA2,
      key: "beta3",
      index: 2,
      label: "β₃",
      default: 0.9999,
      typical: [0.99, 0.99999],
      meaning: "decay rate of the slow running average of gradients (remembers about 1/(1 − β₃) steps)",
    },
    {
      kind: "number",
      key: "alpha",
      option: "alpha",
      label: "α",
      default: 2,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0, 10],
      scale: "linear",
      meaning: "weight of the slow average in the step",
    },
    EPSILON,
    { ...DECOUPLED_WEIGHT_DECAY, default: 0 },
  ],
  summary:
    "Adam with a second, very slow momentum mixed into the step: old gradients keep counting for tens of thousands of steps. Long runs of large models gain most; the warmups of β₃ and α (constructor options beta3Warmup, alphaWarmup) keep the start stable.",
  update:
    "m₁ ← β₁·m₁ + (1 − β₁)·g\nm₂ ← β₃·m₂ + (1 − β₃)·g\nν ← β₂·ν + (1 − β₂)·g²\nθ ← θ − γ·((m₁/(1 − β₁ᵗ) + α·m₂) / (√(ν/(1 − β₂ᵗ)) + ε) + λ·θ)",
  reference: {
    authors: "M. Pagliardini, P. Ablin, D. Grangier",
    title: "The AdEMAMix Optimizer: Better, Faster, Older",
    year: 2024,
    url: "https://arxiv.org/abs/2409.03152",
  },
};

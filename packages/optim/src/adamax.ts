import { ADAM_REFERENCE } from "./adam.js";
import type { OptimizerEntry } from "./catalog-entry.js";
import { BETA1, EPSILON, L2_WEIGHT_DECAY, LEARNING_RATE } from "./hyperparameters.js";
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

/** Adamax's hyperparameters (PyTorch's, camelCased). */
export interface AdamaxHyperparameters {
  /** Learning rate γ. Default 2e-3. */
  lr: number;
  /** `[β1, β2]`: decay of the first moment average and of the infinity norm. Default `[0.9, 0.999]`. */
  betas: [number, number];
  /** Added to |g| inside the running maximum. Default 1e-8. */
  eps: number;
  /** L2 penalty λ, added to the gradient. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** Adamax's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type AdamaxOptions = Partial<AdamaxHyperparameters> & OptimizerOptions;

/** Adamax's per-parameter state: the first moment average and the exponentially weighted infinity norm. */
export interface AdamaxState extends ParamState {
  expAvg: FloatArray;
  expInf: FloatArray;
}

/**
 * One Adamax step, in place, with PyTorch's semantics (`_single_tensor_adamax`), in one pass:
 *
 *     g ← −∇ if maximize, else ∇;   g ← g + λ·p if λ ≠ 0
 *     m ← lerp(m, g, 1 − β1)                 (= β1·m + (1 − β1)·g)
 *     u ← max(β2·u, |g| + ε)                 (a NaN in either propagates)
 *     p ← p + (−γ/(1 − β1^t))·m / u
 *
 * @param u the exponentially weighted infinity norm (PyTorch's `exp_inf`).
 * @param t the step number, counting this step (1 at the first step).
 */
export function adamaxStep(
  p: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  u: FloatArray,
  t: number,
  h: AdamaxHyperparameters,
): void {
  const n = p.length;
  checkLength("adamaxStep", "grad", grad, n);
  checkLength("adamaxStep", "exp_avg (m)", m, n);
  checkLength("adamaxStep", "exp_inf (u)", u, n);
  const { lr, eps, weightDecay: l2, maximize } = h;
  const [beta1, beta2] = h.betas;
  const s: AdamaxScalars = { w1: 1 - beta1, beta2, eps, negClr: -(lr / (1 - beta1 ** t)), l2, maximize };
  if (isFloat32(p) && isFloat32(grad) && isFloat32(m) && isFloat32(u)) {
    const kern = wasmFor(n);
    if (kern === null || !adamaxWasm(kern, p, grad, m, u, s)) adamaxLoopF32(p, grad, m, u, s);
    return;
  }
  const { w1, negClr } = s;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (l2 !== 0) g = g + l2 * p[i];
    const mi = lerp(m[i], g, w1);
    m[i] = mi;
    const ui = Math.max(u[i] * beta2, Math.abs(g) + eps);
    u[i] = ui;
    p[i] = p[i] + (negClr * mi) / ui;
  }
}

/**
 * The scalars of one Adamax update, computed once per parameter and step in float64 (Python floats
 * in PyTorch): `w1 = 1 − β1`, `negClr = −γ/(1 − β1^t)`, `l2` = λ.
 */
interface AdamaxScalars {
  w1: number;
  beta2: number;
  eps: number;
  negClr: number;
  l2: number;
  maximize: boolean;
}

/**
 * {@link adamaxStep}'s loop for float32 arrays: the same operations, each rounded to float32 as
 * PyTorch's float32 CPU kernels round them, the Python-float scalars rounded to float32 first. The
 * WASM kernel (`asm/adamax.ts`) computes exactly these operations, so the two give the same bits.
 */
function adamaxLoopF32(
  p: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  u: Float32Array,
  s: AdamaxScalars,
): void {
  const w1 = f(s.w1);
  const beta2 = f(s.beta2);
  const eps = f(s.eps);
  const negClr = f(s.negClr);
  const l2 = f(s.l2);
  const useL2 = s.l2 !== 0;
  const maximize = s.maximize;
  const w1c = f(1 - w1);
  const lerpLow = Math.abs(w1) < 0.5;
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    const pi = p[i];
    if (useL2) g = f(g + f(l2 * pi));
    const m0 = m[i];
    const mi = lerpLow ? f(m0 + f(w1 * f(g - m0))) : f(g - f(f(g - m0) * w1c));
    m[i] = mi;
    const ui = Math.max(f(u[i] * beta2), f(Math.abs(g) + eps));
    u[i] = ui;
    p[i] = f(pi + f(f(negClr * mi) / ui));
  }
}

/** Which arrays `asm/adamax.ts` updates: p, (g), m, u. */
const ADAMAX_WRITE_BACK = [true, false, true, true];

/** {@link adamaxLoopF32} in the WASM kernel `adamaxF32` (`asm/adamax.ts`); false if it could not run. */
function adamaxWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  u: Float32Array,
  s: AdamaxScalars,
): boolean {
  const { w1, beta2, eps, negClr, l2, maximize } = s;
  return runKernel(kern, "adamaxF32", [p, g, m, u], ADAMAX_WRITE_BACK, [
    w1,
    beta2,
    eps,
    negClr,
    l2,
    l2 !== 0,
    maximize,
  ]);
}

/**
 * Adamax (Adam with the infinity norm, Kingma & Ba 2015, §7.1), exactly PyTorch's
 * `torch.optim.Adamax` (see the package README on arithmetic: float64 for Float64Array
 * parameters, PyTorch's float32 op by op for Float32Array ones).
 *
 * Update rule (PyTorch's algorithm box), with `m₀ = u₀ = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     g_t ← g_t + λ·θ_{t−1}                                  if λ ≠ 0
 *     m_t ← β1·m_{t−1} + (1 − β1)·g_t
 *     u_t ← max(β2·u_{t−1}, |g_t| + ε)
 *     θ_t ← θ_{t−1} − γ·m_t / ((1 − β1^t)·u_t)
 *
 * computed as PyTorch does (see {@link adamaxStep}): `m ← lerp(m, g, 1 − β1)` and
 * `θ ← θ + (−γ/(1 − β1^t))·m / u`. The infinity norm needs no bias correction.
 *
 * Defaults: `lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, maximize = false`
 * (PyTorch's).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
 * new Adamax([w], { lr: 0.1 }).step();
 * // m̂ = g, u = |g| + ε: each coordinate moves by lr·g/(|g| + ε) ≈ lr: w ≈ [0.9, −1.9]
 * ```
 *
 * **Differences from other libraries.**
 * - TF.js (`tf.train.adamax(learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon, decay = 0)`)
 *   keeps ε out of the maximum, `u ← max(β2·u, |g|)`, and adds it to the denominator,
 *   `θ ← θ − γ/(1 − β1^t)·m/(u + ε)`; its default ε is the backend's epsilon (1e-7 in float32,
 *   1e-4 on a float16 WebGL backend), and `decay` scales the lr by 1/(1 + decay·(t − 1)) at step t.
 *   Keras's `Adamax` computes the same as TF.js, with lr 1e-3 and ε = 1e-7.
 * - Optax's `optax.adamax` computes the same as here (ε inside the maximum, ε = 1e-8), with no weight
 *   decay (`optax.adamaxw` has decoupled decay) and no default lr.
 */
export class Adamax extends Optimizer<AdamaxHyperparameters, AdamaxState> {
  get kind(): string {
    return "Adamax";
  }

  constructor(params: ParamsInput<AdamaxHyperparameters>, options: AdamaxOptions = {}) {
    const [defaults, rest] = resolveOptions<AdamaxHyperparameters>("Adamax", options, {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: AdamaxHyperparameters): void {
    checkLr(h.lr);
    checkEps(h.eps);
    checkBetas(h.betas);
    checkWeightDecay(h.weightDecay);
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["expAvg", "expInf"], optional: [], nonNegative: ["expInf"] };
  }

  protected initState(p: FloatArray): AdamaxState {
    return { step: 0, expAvg: zerosLike(p), expInf: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: AdamaxState,
    group: ParamGroup & AdamaxHyperparameters,
  ): void {
    adamaxStep(p, grad, state.expAvg, state.expInf, state.step, group);
  }
}

/** Adamax in the optimizer catalog. */
export const ADAMAX_ENTRY: OptimizerEntry = {
  id: "adamax",
  name: "Adamax",
  className: "Adamax",
  create: (params, options) => new Adamax(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 2e-3 },
    BETA1,
    {
      kind: "number",
      key: "beta2",
      option: "betas",
      index: 1,
      label: "β₂",
      default: 0.999,
      min: 0,
      max: 1,
      maxExclusive: true,
      typical: [0.9, 0.9999],
      scale: "linear",
      meaning: "decay rate of the running maximum of |g| (the infinity norm)",
    },
    { ...EPSILON, meaning: "added to |g| inside the running maximum, so the divisor is never (nearly) zero" },
    L2_WEIGHT_DECAY,
  ],
  summary:
    "Adam with the infinity norm in place of the root mean square: each coordinate's step is scaled by a decaying maximum of past |g|, which makes it robust to rare large gradients.",
  update: "m ← β₁·m + (1 − β₁)·g\nu ← max(β₂·u, |g| + ε)\nθ ← θ − γ/(1 − β₁ᵗ)·m / u",
  reference: { ...ADAM_REFERENCE, title: `${ADAM_REFERENCE.title} (§7.1, AdaMax)` },
};

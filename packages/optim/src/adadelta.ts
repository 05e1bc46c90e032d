import type { OptimizerEntry } from "./catalog-entry.js";
import { EPSILON, L2_WEIGHT_DECAY, LEARNING_RATE } from "./hyperparameters.js";
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
import { checkBoolean, checkEps, checkLr, checkWeightDecay, show } from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** Adadelta's hyperparameters (PyTorch's, camelCased). */
export interface AdadeltaHyperparameters {
  /** Learning rate γ, a factor on the update Δ. Default 1.0. */
  lr: number;
  /** Decay rate ρ of both running averages (squared gradients, squared updates), in [0, 1]. Default 0.9. */
  rho: number;
  /** Added inside both square roots. Default 1e-6. */
  eps: number;
  /** L2 penalty λ, added to the gradient. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** Adadelta's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type AdadeltaOptions = Partial<AdadeltaHyperparameters> & OptimizerOptions;

/** Adadelta's per-parameter state: the running averages of squared gradients and of squared updates. */
export interface AdadeltaState extends ParamState {
  /** v, PyTorch's `square_avg`. */
  squareAvg: FloatArray;
  /** u, PyTorch's `acc_delta`. */
  accDelta: FloatArray;
}

/**
 * One Adadelta step, in place, with PyTorch's semantics (`_single_tensor_adadelta`), in one pass:
 *
 *     g ← −∇ if maximize, else ∇;   g ← g + λ·p if λ ≠ 0
 *     v ← ρ·v + (1 − ρ)·g²
 *     Δ ← (√(u + ε) / √(v + ε))·g
 *     u ← ρ·u + (1 − ρ)·Δ²
 *     p ← p − γ·Δ
 *
 * @param squareAvg v, the running average of squared gradients.
 * @param accDelta u, the running average of squared updates.
 */
export function adadeltaStep(
  p: FloatArray,
  grad: FloatArray,
  squareAvg: FloatArray,
  accDelta: FloatArray,
  h: AdadeltaHyperparameters,
): void {
  const n = p.length;
  checkLength("adadeltaStep", "grad", grad, n);
  checkLength("adadeltaStep", "squareAvg", squareAvg, n);
  checkLength("adadeltaStep", "accDelta", accDelta, n);
  if (isFloat32(p) && isFloat32(grad) && isFloat32(squareAvg) && isFloat32(accDelta)) {
    const kern = wasmFor(n);
    if (kern !== null && adadeltaWasm(kern, p, grad, squareAvg, accDelta, h)) return;
    adadeltaLoopF32(p, grad, squareAvg, accDelta, h);
    return;
  }
  const { lr, rho, eps, weightDecay, maximize } = h;
  const w = 1 - rho;
  const negLr = -lr;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (weightDecay !== 0) g = g + weightDecay * p[i];
    const v = squareAvg[i] * rho + w * g * g;
    squareAvg[i] = v;
    const u0 = accDelta[i];
    const delta = (Math.sqrt(u0 + eps) / Math.sqrt(v + eps)) * g;
    accDelta[i] = u0 * rho + w * delta * delta;
    p[i] = p[i] + negLr * delta;
  }
}

/**
 * {@link adadeltaStep}'s loop for float32 arrays: the same operations, each rounded to float32 as
 * PyTorch's float32 CPU kernels round them, with the Python-float scalars (ρ, 1 − ρ, ε, −γ, λ)
 * rounded to float32 first. The WASM kernel (`asm/adadelta.ts`) computes exactly these
 * operations, so the two give the same bits.
 */
function adadeltaLoopF32(
  p: Float32Array,
  grad: Float32Array,
  squareAvg: Float32Array,
  accDelta: Float32Array,
  h: AdadeltaHyperparameters,
): void {
  const { maximize } = h;
  const useDecay = h.weightDecay !== 0;
  const weightDecay = f(h.weightDecay);
  const rho = f(h.rho);
  const w = f(1 - h.rho);
  const eps = f(h.eps);
  const negLr = f(-h.lr);
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (useDecay) g = f(g + f(weightDecay * p[i]));
    const v = f(f(squareAvg[i] * rho) + f(f(w * g) * g));
    squareAvg[i] = v;
    const u0 = accDelta[i];
    const delta = f(f(f(Math.sqrt(f(u0 + eps))) / f(Math.sqrt(f(v + eps)))) * g);
    accDelta[i] = f(f(u0 * rho) + f(f(w * delta) * delta));
    p[i] = f(p[i] + f(negLr * delta));
  }
}

/** Which arrays `asm/adadelta.ts` updates: p, (g), v, u. */
const ADADELTA_WRITE_BACK = [true, false, true, true];

/** {@link adadeltaLoopF32} in the WASM kernel `adadeltaF32` (`asm/adadelta.ts`); false if it could not run. */
function adadeltaWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  squareAvg: Float32Array,
  accDelta: Float32Array,
  h: AdadeltaHyperparameters,
): boolean {
  const { lr, rho, eps, weightDecay, maximize } = h;
  return runKernel(kern, "adadeltaF32", [p, g, squareAvg, accDelta], ADADELTA_WRITE_BACK, [
    -lr,
    rho,
    1 - rho,
    eps,
    weightDecay,
    weightDecay !== 0,
    maximize,
  ]);
}

/** `Invalid rho value: 1.5` unless `rho` is a number in [0, 1] (PyTorch's check, NaN rejected too). */
function checkRho(rho: unknown): void {
  if (typeof rho !== "number" || !(0 <= rho && rho <= 1)) {
    throw new RangeError(`Invalid rho value: ${show(rho)}`);
  }
}

/**
 * Adadelta (Zeiler, 2012), exactly PyTorch's `torch.optim.Adadelta` (see the package README on
 * arithmetic: float64 for Float64Array parameters, PyTorch's float32 op by op for Float32Array ones).
 *
 * Update rule (PyTorch's algorithm box), with `v₀ = u₀ = 0`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     g_t ← g_t + λ·θ_{t−1}                                  if λ ≠ 0
 *     v_t ← ρ·v_{t−1} + (1 − ρ)·g_t²
 *     Δ_t ← √(u_{t−1} + ε) / √(v_t + ε) · g_t
 *     u_t ← ρ·u_{t−1} + (1 − ρ)·Δ_t²
 *     θ_t ← θ_{t−1} − γ·Δ_t
 *
 * computed as PyTorch does: `Δ = (√(u + ε) / √(v + ε))·g` (the ratio first, then times g). The
 * step size adapts from the ratio of the two averages, so the lr is a plain factor; at ρ = 1 both
 * averages stay 0, Δ = g and the rule is SGD with learning rate γ.
 *
 * Defaults: `lr = 1.0, rho = 0.9, eps = 1e-6, weightDecay = 0, maximize = false` (PyTorch's).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
 * new Adadelta([w]).step();
 * // v = 0.1·g², Δ = √1e-6 / √(0.1·g² + 1e-6) · g ≈ ±0.00316: w ≈ [0.99684, −1.99684]
 * ```
 *
 * **Differences from other libraries.**
 * - Keras (`keras.optimizers.Adadelta`) computes the same update with other defaults:
 *   `learning_rate = 0.001, rho = 0.95, epsilon = 1e-7`. With lr 0.001 a step is 1000 times
 *   smaller than with PyTorch's lr 1.0, which the paper's rule (no lr at all) corresponds to.
 * - TF.js (`tf.train.adadelta(learningRate = 0.001, rho = 0.95, epsilon = backend epsilon, 1e-7)`)
 *   has Keras's defaults, and divides by the average of squared gradients from *before* this step:
 *   `Δ = √(u + ε) / √(v_{t−1} + ε) · g` (tfjs-core `adadelta_optimizer.ts`), so its first step is
 *   Δ = g rather than ≈ ±√(ε/(1 − ρ)) here.
 */
export class Adadelta extends Optimizer<AdadeltaHyperparameters, AdadeltaState> {
  get kind(): string {
    return "Adadelta";
  }

  constructor(params: ParamsInput<AdadeltaHyperparameters>, options: AdadeltaOptions = {}) {
    const [defaults, rest] = resolveOptions<AdadeltaHyperparameters>("Adadelta", options, {
      lr: 1.0,
      rho: 0.9,
      eps: 1e-6,
      weightDecay: 0,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: AdadeltaHyperparameters): void {
    checkLr(h.lr);
    checkRho(h.rho);
    checkEps(h.eps);
    checkWeightDecay(h.weightDecay);
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["squareAvg", "accDelta"], optional: [], nonNegative: ["squareAvg", "accDelta"] };
  }

  protected initState(p: FloatArray): AdadeltaState {
    return { step: 0, squareAvg: zerosLike(p), accDelta: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: AdadeltaState,
    group: ParamGroup & AdadeltaHyperparameters,
  ): void {
    adadeltaStep(p, grad, state.squareAvg, state.accDelta, group);
  }
}

/** Adadelta in the optimizer catalog. */
export const ADADELTA_ENTRY: OptimizerEntry = {
  id: "adadelta",
  name: "Adadelta",
  className: "Adadelta",
  create: (params, options) => new Adadelta(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1.0, typical: [0.01, 10] },
    {
      kind: "number",
      key: "rho",
      option: "rho",
      label: "ρ",
      default: 0.9,
      min: 0,
      max: 1,
      typical: [0.5, 0.99],
      scale: "linear",
      meaning: "decay rate of the running averages of squared gradients and squared updates",
    },
    {
      ...EPSILON,
      default: 1e-6,
      meaning: "added inside both square roots; also sets the size of the first steps",
    },
    L2_WEIGHT_DECAY,
  ],
  summary:
    "Scales each coordinate's step by the ratio of two running RMS values, of past updates and of gradients, so steps have the units of the parameters and need little lr tuning.",
  update: "v ← ρ·v + (1 − ρ)·g²\nΔ ← √(u + ε)/√(v + ε) · g\nu ← ρ·u + (1 − ρ)·Δ²\nθ ← θ − γ·Δ",
  reference: {
    authors: "M. D. Zeiler",
    title: "ADADELTA: An Adaptive Learning Rate Method",
    year: 2012,
    url: "https://arxiv.org/abs/1212.5701",
  },
};

import type { OptimizerEntry } from "../catalog-entry.js";
import { BETA2, EPSILON, LEARNING_RATE } from "../hyperparameters.js";
import { wasmFor } from "../kernel-backend.js";
import { checkLength, f, isFloat32 } from "../kernel-check.js";
import { lerp } from "../lerp.js";
import {
  type OptimizerOptions,
  type ParamGroup,
  type ParamsInput,
  resolveOptions,
  type StateLayout,
} from "../optimizer.js";
import type { FloatArray, Param } from "../param.js";
import { zerosLike } from "../state-dict.js";
import { checkEps, show } from "../validate.js";
import type { OptimKernels } from "../wasm/module.js";
import { runKernel } from "../wasm/stream.js";
import {
  SCHEDULE_FREE_BETA1,
  SCHEDULE_FREE_REFERENCE,
  SCHEDULE_FREE_WEIGHT_DECAY,
  SCHEDULE_FREE_WEIGHTING,
} from "./hyperparameters.js";
import {
  checkScheduleFreeOptions,
  type ScheduleFreeHyperparameters,
  ScheduleFreeOptimizer,
  type ScheduleFreeState,
} from "./optimizer.js";
import { powInt } from "./pow.js";
import type { ScheduleFreeWeights } from "./weights.js";

/** ScheduleFreeAdamW's hyperparameters: the reference's (`AdamWScheduleFree`), camelCased. */
export interface ScheduleFreeAdamWHyperparameters extends ScheduleFreeHyperparameters {
  /** Learning rate γ. Default 0.0025. */
  lr: number;
  /**
   * `[β1, β2]`: β1 interpolates y between z and x (the momentum of Schedule-Free), β2 is the decay
   * of the second-moment average. Default `[0.9, 0.999]`.
   */
  betas: [number, number];
  /** Added to √v̂ (outside the square root). Default 1e-8. */
  eps: number;
}

/** ScheduleFreeAdamW's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type ScheduleFreeAdamWOptions = Partial<ScheduleFreeAdamWHyperparameters> & OptimizerOptions;

/** ScheduleFreeAdamW's per-parameter state: z, and the second moment v (the reference's `exp_avg_sq`). */
export interface ScheduleFreeAdamWState extends ScheduleFreeState {
  expAvgSq: FloatArray;
}

/**
 * The scalars of one ScheduleFreeAdamW step, Python floats in the reference, computed once per group
 * and step: γ_t, c_t (`ckp1`), the y step `γ_t·(β1·(1 − c_t) − 1)`, β2, the bias correction
 * `1 − β2^t` (β2^t correctly rounded, as Python's `beta2 ** (k+1)` nearly always is), ε, λ and
 * maximize.
 */
export interface ScheduleFreeAdamWScalars {
  lr: number;
  ckp1: number;
  yStep: number;
  beta2: number;
  biasCorrection2: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * This step's {@link ScheduleFreeAdamWScalars} from the group's options, its
 * {@link ScheduleFreeWeights} and its step count k before the step (t = k + 1), in the reference's
 * Python-float order.
 */
export function scheduleFreeAdamWScalars(
  h: ScheduleFreeAdamWHyperparameters,
  w: ScheduleFreeWeights,
  k: number,
): ScheduleFreeAdamWScalars {
  const [beta1, beta2] = h.betas;
  return {
    lr: w.lr,
    ckp1: w.ckp1,
    yStep: w.lr * (beta1 * (1 - w.ckp1) - 1),
    beta2,
    biasCorrection2: 1 - powInt(beta2, k + 1),
    eps: h.eps,
    weightDecay: h.weightDecay,
    maximize: h.maximize,
  };
}

/**
 * One ScheduleFreeAdamW update of one parameter, in place, in the reference's order
 * (`AdamWScheduleFree.step`, per-tensor path), the parameter holding y:
 *
 *     g ← −∇ if maximize, else ∇
 *     v ← β2·v + (1 − β2)·g²                 exp_avg_sq.mul_(β2).addcmul_(g, g, 1 − β2)
 *     ĝ ← g / (√(v / (1 − β2^t)) + ε)        denom = v.div(bc2).sqrt_().add_(ε)
 *     ĝ ← ĝ + λ·y                            if λ ≠ 0 (decay at y)
 *     y ← lerp(y, z, c_t)
 *     y ← y + γ_t·(β1·(1 − c_t) − 1)·ĝ
 *     z ← z − γ_t·ĝ
 *
 * The gradient is not modified (the reference divides `p.grad` in place).
 */
export function scheduleFreeAdamWStep(
  y: FloatArray,
  grad: FloatArray,
  z: FloatArray,
  v: FloatArray,
  s: ScheduleFreeAdamWScalars,
): void {
  const n = y.length;
  checkLength("scheduleFreeAdamWStep", "grad", grad, n);
  checkLength("scheduleFreeAdamWStep", "z", z, n);
  checkLength("scheduleFreeAdamWStep", "exp_avg_sq (v)", v, n);
  if (isFloat32(y) && isFloat32(grad) && isFloat32(z) && isFloat32(v)) {
    const kern = wasmFor(n);
    if (kern !== null && scheduleFreeAdamWWasm(kern, y, grad, z, v, s)) return;
    scheduleFreeAdamWLoopF32(y, grad, z, v, s);
    return;
  }
  const { ckp1, yStep, beta2, biasCorrection2, eps, weightDecay, maximize } = s;
  const w2 = 1 - beta2;
  const negLr = -s.lr;
  const decay = weightDecay !== 0;
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grad[i] : grad[i];
    const yi = y[i];
    const zi = z[i];
    const vi = v[i] * beta2 + w2 * g * g;
    v[i] = vi;
    let gn = g / (Math.sqrt(vi / biasCorrection2) + eps);
    if (decay) gn = gn + weightDecay * yi;
    y[i] = lerp(yi, zi, ckp1) + yStep * gn;
    z[i] = zi + negLr * gn;
  }
}

/**
 * {@link scheduleFreeAdamWStep} for float32 arrays: the same operations, each rounded to float32
 * as PyTorch's float32 CPU kernels round them, the Python-float scalars rounded to float32 first.
 * The WASM kernel (`asm/schedule-free.ts`) computes exactly these operations.
 */
function scheduleFreeAdamWLoopF32(
  y: Float32Array,
  grad: Float32Array,
  z: Float32Array,
  v: Float32Array,
  s: ScheduleFreeAdamWScalars,
): void {
  const beta2 = f(s.beta2);
  const w2 = f(1 - s.beta2);
  const bc2 = f(s.biasCorrection2);
  const eps = f(s.eps);
  const wd = f(s.weightDecay);
  const decay = s.weightDecay !== 0;
  const c = f(s.ckp1);
  const cc = f(1 - c);
  const lerpLow = Math.abs(c) < 0.5;
  const yStep = f(s.yStep);
  const negLr = f(-s.lr);
  const maximize = s.maximize;
  for (let i = 0; i < y.length; i++) {
    const g = maximize ? -grad[i] : grad[i];
    const yi = y[i];
    const zi = z[i];
    const vi = f(f(v[i] * beta2) + f(f(w2 * g) * g));
    v[i] = vi;
    let gn = f(g / f(f(Math.sqrt(f(vi / bc2))) + eps));
    if (decay) gn = f(gn + f(wd * yi));
    const l = lerpLow ? f(yi + f(c * f(zi - yi))) : f(zi - f(f(zi - yi) * cc));
    y[i] = f(l + f(yStep * gn));
    z[i] = f(zi + f(negLr * gn));
  }
}

/** Which arrays `asm/schedule-free.ts`'s AdamW kernel updates: y, (g), z, v. */
const ADAMW_WRITE_BACK = [true, false, true, true];

/** {@link scheduleFreeAdamWLoopF32} in the WASM kernel `scheduleFreeAdamWF32`; false if it could not run. */
function scheduleFreeAdamWWasm(
  kern: OptimKernels,
  y: Float32Array,
  g: Float32Array,
  z: Float32Array,
  v: Float32Array,
  s: ScheduleFreeAdamWScalars,
): boolean {
  return runKernel(kern, "scheduleFreeAdamWF32", [y, g, z, v], ADAMW_WRITE_BACK, [
    s.beta2,
    1 - s.beta2,
    s.biasCorrection2,
    s.eps,
    s.weightDecay,
    s.ckp1,
    s.yStep,
    -s.lr,
    s.weightDecay !== 0,
    s.maximize,
  ]);
}

const ADAMW_STATE_LAYOUT: StateLayout = {
  required: ["z", "expAvgSq"],
  optional: [],
  nonNegative: ["expAvgSq"],
};

/**
 * Schedule-Free AdamW (Defazio et al., 2024), exactly the authors' `AdamWScheduleFree` from the
 * `schedulefree` package (release 1.4.1, `facebookresearch/schedule_free` commit c752e61): no
 * learning-rate schedule; instead the parameters are an interpolation between an average x and the
 * Adam-normalised SGD sequence z, and x is what to evaluate. Float64 parameters in float64, float32
 * ones with PyTorch's float32 arithmetic op by op, as everywhere in this package.
 *
 * With t = k + 1 the group's step number, v₀ = 0, z₀ = x₀ = y₀ = θ₀ (z is a copy of the parameter
 * at its first step):
 *
 *     γ_t  = lr · min(1, t / warmupSteps)               (linear warmup; no warmup if 0)
 *     w_t  = t^r · (max_{i≤t} γ_i)^weightLrPower,   c_t = w_t / Σ_{i≤t} w_i
 *     g_t  = ∇f(y_t)
 *     v_t  = β2·v_{t−1} + (1 − β2)·g_t²
 *     ĝ_t  = g_t / (√(v_t / (1 − β2^t)) + ε) + λ·y_t
 *     z_{t+1} = z_t − γ_t·ĝ_t
 *     x_{t+1} = (1 − c_t)·x_t + c_t·z_{t+1}
 *     y_{t+1} = (1 − β1)·z_{t+1} + β1·x_{t+1}
 *
 * The parameters hold y in training mode and x in evaluation mode; x is never stored, y is updated
 * in place as the reference does it, `y ← lerp(y, z, c_t) + γ_t·(β1·(1 − c_t) − 1)·ĝ_t`, then
 * `z ← z − γ_t·ĝ_t` (see {@link scheduleFreeAdamWStep}). There is no first moment: β1 acts through
 * the interpolation. Bias correction (1 − β2^t) and warmup use the group's step count k, which
 * every applied `step()` increments, also for parameters without a gradient.
 *
 * **Modes.** A new optimizer is in evaluation mode, as in the reference: call {@link train} before
 * the first step and before training resumes, {@link eval} before evaluating or saving (see
 * {@link TrainEvalOptimizer}); `step()` in evaluation mode is an error. `train()` moves the
 * parameters x → y (`p ← lerp(p, z, 1 − β1)`), `eval()` y → x (`p ← lerp(p, z, 1 − 1/β1)`). The
 * mode, the step count k, `weightSum`, `lrMax` and `scheduledLr` are kept in each param group,
 * as in the reference, and saved by `stateDict()`.
 *
 * Learning-rate writes (schedulers) take effect as in the reference: γ_t is the group's current lr
 * times the warmup factor, and the averaging weights use the largest γ so far.
 *
 * Defaults (the reference's): `lr = 0.0025, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0,
 * warmupSteps = 0, r = 0, weightLrPower = 2`; `maximize = false`.
 *
 * @example
 * ```ts
 * const opt = new ScheduleFreeAdamW(model.parameters(), { lr: 0.01, warmupSteps: 100 });
 * opt.train();
 * for (const batch of batches) { opt.zeroGrad(); lossOf(batch).backward(); opt.step(); }
 * opt.eval(); // parameters now hold x: evaluate, save
 * ```
 *
 * **Differences from the reference.** Options are checked (the reference checks none): lr, ε,
 * λ ≥ 0, 0 < β1 < 1 (`eval()` divides by β1), 0 ≤ β2 < 1, an integer `warmupSteps` ≥ 0, r and
 * `weightLrPower` ≥ 0. `maximize` is added. `p.grad` is left as it is (the reference divides it in
 * place). A group added with `addParamGroup` takes the current mode (the reference starts it in
 * evaluation mode, so `eval()` would then skip it), and `step()` requires every group, not only
 * group 0, to be in training mode. The `foreach` option is dropped (one loop per parameter, same
 * arithmetic). `inner_momentum`, added on the reference's main branch after release 1.4.1, is not
 * implemented.
 *
 * **Differences from other libraries.** Optax's `optax.contrib.schedule_free_adamw` (the
 * `schedule_free` wrapper around a bias-corrected RMS step, decay λ at y, times γ) has the same
 * defaults (`learning_rate = 0.0025, b1 = 0.9, b2 = 0.999, eps = 1e-8, weight_decay = 0,
 * weight_lr_power = 2`) and the same update, computed differently: the parameters hold y, z is in
 * its state and x is recomputed as (y − (1 − β1)·z)/β1 at every step (other roundings), its
 * counters are in the parameters' dtype, the weights have no t^r factor, and x is evaluated with
 * `schedule_free_eval_params(state, params)` instead of switching modes. PyTorch has no
 * Schedule-Free optimizer built in (it is the separate `schedulefree` package); TF.js and Keras
 * have none.
 */
export class ScheduleFreeAdamW extends ScheduleFreeOptimizer<
  ScheduleFreeAdamWHyperparameters,
  ScheduleFreeAdamWState,
  ScheduleFreeAdamWScalars
> {
  get kind(): string {
    return "ScheduleFreeAdamW";
  }

  constructor(params: ParamsInput<ScheduleFreeAdamWHyperparameters>, options: ScheduleFreeAdamWOptions = {}) {
    const [defaults, rest] = resolveOptions<ScheduleFreeAdamWHyperparameters>("ScheduleFreeAdamW", options, {
      lr: 0.0025,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      warmupSteps: 0,
      r: 0,
      weightLrPower: 2,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: ScheduleFreeAdamWHyperparameters): void {
    checkScheduleFreeOptions(h);
    checkEps(h.eps);
    const betas = h.betas as unknown;
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new TypeError(`Invalid betas value: ${show(betas)} (expected a pair [beta1, beta2])`);
    }
    const [beta1, beta2] = betas as unknown[];
    if (typeof beta1 !== "number" || !(0 < beta1 && beta1 < 1)) {
      throw new RangeError(
        `Invalid beta parameter at index 0: ${show(beta1)} (expected 0 < beta1 < 1: eval() divides by beta1)`,
      );
    }
    if (typeof beta2 !== "number" || !(0 <= beta2 && beta2 < 1)) {
      throw new RangeError(`Invalid beta parameter at index 1: ${show(beta2)}`);
    }
  }

  protected interpolation(group: ScheduleFreeAdamWHyperparameters): number {
    return group.betas[0];
  }

  protected stepScalars(
    group: ScheduleFreeAdamWHyperparameters,
    weights: ScheduleFreeWeights,
    k: number,
  ): ScheduleFreeAdamWScalars {
    return scheduleFreeAdamWScalars(group, weights, k);
  }

  protected stateLayout(): StateLayout {
    return ADAMW_STATE_LAYOUT;
  }

  protected initState(p: FloatArray): ScheduleFreeAdamWState {
    return { step: 0, z: p.slice(), expAvgSq: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: ScheduleFreeAdamWState,
    group: ParamGroup & ScheduleFreeAdamWHyperparameters,
  ): void {
    scheduleFreeAdamWStep(p, grad, state.z, state.expAvgSq, this.scalarsOf(group));
  }
}

/** ScheduleFreeAdamW in the optimizer catalog; `create` returns it in training mode. */
export const SCHEDULE_FREE_ADAMW_ENTRY: OptimizerEntry = {
  id: "schedule-free-adamw",
  name: "Schedule-Free AdamW",
  className: "ScheduleFreeAdamW",
  create: (params: Iterable<Param>, options) => {
    const opt = new ScheduleFreeAdamW(params, options);
    opt.train();
    return opt;
  },
  hyperparameters: [
    { ...LEARNING_RATE, default: 0.0025 },
    SCHEDULE_FREE_BETA1,
    BETA2,
    EPSILON,
    SCHEDULE_FREE_WEIGHT_DECAY,
    ...SCHEDULE_FREE_WEIGHTING,
  ],
  summary:
    "Adam's normalised steps without a learning-rate schedule: the parameters interpolate between a running average and the raw iterates, which matches a tuned schedule without knowing the training length. Evaluate in eval() mode, at the average.",
  update:
    "v ← β₂·v + (1 − β₂)·g²\nĝ ← g / (√(v/(1 − β₂ᵗ)) + ε) + λ·y\nz ← z − γₜ·ĝ\nx ← (1 − cₜ)·x + cₜ·z,  cₜ = wₜ/Σw\ny ← (1 − β₁)·z + β₁·x",
  reference: SCHEDULE_FREE_REFERENCE,
  modes: true,
};

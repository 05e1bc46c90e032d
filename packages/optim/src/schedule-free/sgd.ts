import type { OptimizerEntry } from "../catalog-entry.js";
import { LEARNING_RATE, MOMENTUM } from "../hyperparameters.js";
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
import { show } from "../validate.js";
import type { OptimKernels } from "../wasm/module.js";
import { runKernel } from "../wasm/stream.js";
import {
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
import type { ScheduleFreeWeights } from "./weights.js";

/** ScheduleFreeSGD's hyperparameters: the reference's (`SGDScheduleFree`), camelCased. */
export interface ScheduleFreeSGDHyperparameters extends ScheduleFreeHyperparameters {
  /** Learning rate γ. Default 1. */
  lr: number;
  /** β of the interpolation y = (1 − β)·z + β·x, in (0, 1). Default 0.9. */
  momentum: number;
}

/** ScheduleFreeSGD's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type ScheduleFreeSGDOptions = Partial<ScheduleFreeSGDHyperparameters> & OptimizerOptions;

/** ScheduleFreeSGD's per-parameter state: z. */
export type ScheduleFreeSGDState = ScheduleFreeState;

/**
 * The scalars of one ScheduleFreeSGD step, Python floats in the reference, computed once per group
 * and step: γ_t, c_t (`ckp1`), the y step `γ_t·(β·(1 − c_t) − 1)`, λ and maximize.
 */
export interface ScheduleFreeSGDScalars {
  lr: number;
  ckp1: number;
  yStep: number;
  weightDecay: number;
  maximize: boolean;
}

/** This step's {@link ScheduleFreeSGDScalars} from the group's options and its {@link ScheduleFreeWeights}. */
export function scheduleFreeSGDScalars(
  h: ScheduleFreeSGDHyperparameters,
  w: ScheduleFreeWeights,
): ScheduleFreeSGDScalars {
  return {
    lr: w.lr,
    ckp1: w.ckp1,
    yStep: w.lr * (h.momentum * (1 - w.ckp1) - 1),
    weightDecay: h.weightDecay,
    maximize: h.maximize,
  };
}

/**
 * One ScheduleFreeSGD update of one parameter, in place, in the reference's order
 * (`SGDScheduleFree.step`, per-tensor path), the parameter holding y:
 *
 *     g ← −∇ if maximize, else ∇
 *     g ← g + λ·y                            if λ ≠ 0
 *     y ← lerp(y, z, c_t)
 *     y ← y + γ_t·(β·(1 − c_t) − 1)·g
 *     z ← z − γ_t·g
 *
 * The gradient is not modified (the reference adds the decay to `p.grad` in place).
 */
export function scheduleFreeSGDStep(
  y: FloatArray,
  grad: FloatArray,
  z: FloatArray,
  s: ScheduleFreeSGDScalars,
): void {
  const n = y.length;
  checkLength("scheduleFreeSGDStep", "grad", grad, n);
  checkLength("scheduleFreeSGDStep", "z", z, n);
  if (isFloat32(y) && isFloat32(grad) && isFloat32(z)) {
    const kern = wasmFor(n);
    if (kern !== null && scheduleFreeSGDWasm(kern, y, grad, z, s)) return;
    scheduleFreeSGDLoopF32(y, grad, z, s);
    return;
  }
  const { ckp1, yStep, weightDecay, maximize } = s;
  const negLr = -s.lr;
  const decay = weightDecay !== 0;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    const yi = y[i];
    const zi = z[i];
    if (decay) g = g + weightDecay * yi;
    y[i] = lerp(yi, zi, ckp1) + yStep * g;
    z[i] = zi + negLr * g;
  }
}

/**
 * {@link scheduleFreeSGDStep} for float32 arrays: every operation rounded to float32, the scalars
 * rounded to float32 first. The WASM kernel (`asm/schedule-free.ts`) computes exactly these.
 */
function scheduleFreeSGDLoopF32(
  y: Float32Array,
  grad: Float32Array,
  z: Float32Array,
  s: ScheduleFreeSGDScalars,
): void {
  const wd = f(s.weightDecay);
  const decay = s.weightDecay !== 0;
  const c = f(s.ckp1);
  const cc = f(1 - c);
  const lerpLow = Math.abs(c) < 0.5;
  const yStep = f(s.yStep);
  const negLr = f(-s.lr);
  const maximize = s.maximize;
  for (let i = 0; i < y.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    const yi = y[i];
    const zi = z[i];
    if (decay) g = f(g + f(wd * yi));
    const l = lerpLow ? f(yi + f(c * f(zi - yi))) : f(zi - f(f(zi - yi) * cc));
    y[i] = f(l + f(yStep * g));
    z[i] = f(zi + f(negLr * g));
  }
}

/** Which arrays `asm/schedule-free.ts`'s SGD kernel updates: y, (g), z. */
const SGD_WRITE_BACK = [true, false, true];

/** {@link scheduleFreeSGDLoopF32} in the WASM kernel `scheduleFreeSGDF32`; false if it could not run. */
function scheduleFreeSGDWasm(
  kern: OptimKernels,
  y: Float32Array,
  g: Float32Array,
  z: Float32Array,
  s: ScheduleFreeSGDScalars,
): boolean {
  return runKernel(kern, "scheduleFreeSGDF32", [y, g, z], SGD_WRITE_BACK, [
    s.weightDecay,
    s.ckp1,
    s.yStep,
    -s.lr,
    s.weightDecay !== 0,
    s.maximize,
  ]);
}

const SGD_STATE_LAYOUT: StateLayout = { required: ["z"], optional: [] };

/**
 * Schedule-Free SGD (Defazio et al., 2024), exactly the authors' `SGDScheduleFree` from the
 * `schedulefree` package (release 1.4.1, `facebookresearch/schedule_free` commit c752e61): SGD
 * with interpolation and averaging in place of momentum and of a learning-rate schedule. Float64
 * parameters in float64, float32 ones with PyTorch's float32 arithmetic op by op.
 *
 * With t = k + 1 the group's step number, β = `momentum`, z₀ = x₀ = y₀ = θ₀:
 *
 *     γ_t  = lr · min(1, t / warmupSteps)
 *     w_t  = t^r · (max_{i≤t} γ_i)^weightLrPower,   c_t = w_t / Σ_{i≤t} w_i
 *     g_t  = ∇f(y_t) + λ·y_t
 *     z_{t+1} = z_t − γ_t·g_t
 *     x_{t+1} = (1 − c_t)·x_t + c_t·z_{t+1}
 *     y_{t+1} = (1 − β)·z_{t+1} + β·x_{t+1}
 *
 * computed as the reference does it, on y in place: `y ← lerp(y, z, c_t) + γ_t·(β·(1 − c_t) − 1)·g`,
 * then `z ← z − γ_t·g` (see {@link scheduleFreeSGDStep}). Modes, group state, warmup and lr writes
 * work as in {@link ScheduleFreeAdamW}, with β = `momentum`: `train()` is
 * `p ← lerp(p, z, 1 − β)`, `eval()` is `p ← lerp(p, z, 1 − 1/β)`. A new optimizer is in evaluation
 * mode: call `train()` before the first step.
 *
 * Defaults (the reference's): `lr = 1, momentum = 0.9, weightDecay = 0, warmupSteps = 0, r = 0,
 * weightLrPower = 2`; `maximize = false`.
 *
 * @example
 * ```ts
 * const opt = new ScheduleFreeSGD(model.parameters(), { lr: 0.5, warmupSteps: 50 });
 * opt.train();
 * for (const batch of batches) { opt.zeroGrad(); lossOf(batch).backward(); opt.step(); }
 * opt.eval(); // evaluate at x
 * ```
 *
 * **Differences from the reference.** Its checks are kept (`Invalid learning rate`,
 * `Invalid weight_decay value`, `Momentum must be between 0 and 1 exclusive`), and `warmupSteps`
 * (an integer ≥ 0), r and `weightLrPower` (≥ 0) are checked too. `maximize` is added, `p.grad` is
 * left as it is (the reference adds the decay to it in place), an added group takes the current
 * mode, `step()` requires every group in training mode, and `foreach` is dropped (same arithmetic).
 *
 * **Differences from other libraries.** Optax's `optax.contrib.schedule_free_sgd` (defaults
 * `learning_rate = 1, b1 = 0.9, weight_lr_power = 2`, no weight decay unless given, no r) holds y
 * as the parameters and z in its state and recomputes x = (y − (1 − β)·z)/β at every step, so it
 * rounds differently; x is evaluated with `schedule_free_eval_params`. Its weight decay is also
 * taken at y and scaled by the lr. PyTorch, TF.js and Keras have no Schedule-Free optimizer built in.
 */
export class ScheduleFreeSGD extends ScheduleFreeOptimizer<
  ScheduleFreeSGDHyperparameters,
  ScheduleFreeSGDState,
  ScheduleFreeSGDScalars
> {
  get kind(): string {
    return "ScheduleFreeSGD";
  }

  constructor(params: ParamsInput<ScheduleFreeSGDHyperparameters>, options: ScheduleFreeSGDOptions = {}) {
    const [defaults, rest] = resolveOptions<ScheduleFreeSGDHyperparameters>("ScheduleFreeSGD", options, {
      lr: 1,
      momentum: 0.9,
      weightDecay: 0,
      warmupSteps: 0,
      r: 0,
      weightLrPower: 2,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: ScheduleFreeSGDHyperparameters): void {
    checkScheduleFreeOptions(h);
    const m = h.momentum as unknown;
    if (typeof m !== "number" || !(0 < m && m < 1)) {
      throw new RangeError(`Momentum must be between 0 and 1 exclusive: ${show(m)}`);
    }
  }

  protected interpolation(group: ScheduleFreeSGDHyperparameters): number {
    return group.momentum;
  }

  protected stepScalars(
    group: ScheduleFreeSGDHyperparameters,
    weights: ScheduleFreeWeights,
  ): ScheduleFreeSGDScalars {
    return scheduleFreeSGDScalars(group, weights);
  }

  protected stateLayout(): StateLayout {
    return SGD_STATE_LAYOUT;
  }

  protected initState(p: FloatArray): ScheduleFreeSGDState {
    return { step: 0, z: p.slice() };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: ScheduleFreeSGDState,
    group: ParamGroup & ScheduleFreeSGDHyperparameters,
  ): void {
    scheduleFreeSGDStep(p, grad, state.z, this.scalarsOf(group));
  }
}

/** ScheduleFreeSGD in the optimizer catalog; `create` returns it in training mode. */
export const SCHEDULE_FREE_SGD_ENTRY: OptimizerEntry = {
  id: "schedule-free-sgd",
  name: "Schedule-Free SGD",
  className: "ScheduleFreeSGD",
  create: (params: Iterable<Param>, options) => {
    const opt = new ScheduleFreeSGD(params, options);
    opt.train();
    return opt;
  },
  hyperparameters: [
    { ...LEARNING_RATE, default: 1 },
    {
      ...MOMENTUM,
      default: 0.9,
      min: 0,
      minExclusive: true,
      max: 1,
      maxExclusive: true,
      typical: [0.5, 0.99],
      meaning:
        "interpolation y = (1 − β)·z + β·x: where gradients are taken between the iterate z and the average x",
    },
    SCHEDULE_FREE_WEIGHT_DECAY,
    ...SCHEDULE_FREE_WEIGHTING,
  ],
  summary:
    "SGD without momentum buffer or learning-rate schedule: gradients are taken between the SGD iterate and its running average, which plays the role of both. Evaluate in eval() mode, at the average.",
  update: "g ← ∇f(y) + λ·y\nz ← z − γₜ·g\nx ← (1 − cₜ)·x + cₜ·z,  cₜ = wₜ/Σw\ny ← (1 − β)·z + β·x",
  reference: SCHEDULE_FREE_REFERENCE,
  modes: true,
};

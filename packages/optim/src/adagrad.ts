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
import { checkBoolean, checkEps, checkLr, checkNonNegativeOption, checkWeightDecay } from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** Adagrad's hyperparameters (PyTorch's, camelCased). */
export interface AdagradHyperparameters {
  /** Learning rate γ. Default 1e-2. */
  lr: number;
  /** Learning-rate decay η: step t uses γ / (1 + (t − 1)·η). Default 0. */
  lrDecay: number;
  /** L2 penalty λ, added to the gradient. Default 0. */
  weightDecay: number;
  /** Initial value τ of the sum of squared gradients. Default 0. */
  initialAccumulatorValue: number;
  /** Added to √sum (outside the square root). Default 1e-10. */
  eps: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** Adagrad's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type AdagradOptions = Partial<AdagradHyperparameters> & OptimizerOptions;

/** Adagrad's per-parameter state: the running sum of squared gradients. */
export interface AdagradState extends ParamState {
  sum: FloatArray;
}

/**
 * One Adagrad step, in place, with PyTorch's semantics (`_single_tensor_adagrad`), in one pass:
 *
 *     γ̃ ← γ / (1 + (t − 1)·η)
 *     g ← −∇ if maximize, else ∇;   g ← g + λ·p if λ ≠ 0
 *     s ← s + g²
 *     p ← p − γ̃·g / (√s + ε)
 *
 * @param t the step number, counting this step (1 at the first step).
 */
export function adagradStep(
  p: FloatArray,
  grad: FloatArray,
  sum: FloatArray,
  t: number,
  h: AdagradHyperparameters,
): void {
  const n = p.length;
  const { lr, lrDecay, weightDecay, eps, maximize } = h;
  checkLength("adagradStep", "grad", grad, n);
  checkLength("adagradStep", "sum", sum, n);
  const clr = lr / (1 + (t - 1) * lrDecay);
  if (isFloat32(p) && isFloat32(grad) && isFloat32(sum)) {
    const kern = wasmFor(n);
    if (kern !== null && adagradWasm(kern, p, grad, sum, clr, h)) return;
    adagradLoopF32(p, grad, sum, clr, h);
    return;
  }
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (weightDecay !== 0) g = g + weightDecay * p[i];
    const s = sum[i] + g * g;
    sum[i] = s;
    p[i] = p[i] + (-clr * g) / (Math.sqrt(s) + eps);
  }
}

/** Which arrays `asm/adagrad.ts` updates: p, (g), sum. */
const ADAGRAD_WRITE_BACK = [true, false, true];

/**
 * {@link adagradLoopF32} in the WASM kernel `adagradF32` (`asm/adagrad.ts`), with the step's
 * decayed learning rate `clr` = γ/(1 + (t − 1)·η); false if it could not run.
 */
function adagradWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  sum: Float32Array,
  clr: number,
  h: AdagradHyperparameters,
): boolean {
  const { weightDecay, eps, maximize } = h;
  return runKernel(kern, "adagradF32", [p, g, sum], ADAGRAD_WRITE_BACK, [
    -clr,
    weightDecay,
    eps,
    weightDecay !== 0,
    maximize,
  ]);
}

/**
 * {@link adagradStep}'s loop for float32 arrays: the same operations, each rounded to float32 as
 * PyTorch's float32 CPU kernels round them, with the Python-float scalars rounded to float32 first.
 * The WASM kernel (`asm/adagrad.ts`) computes exactly these operations, so the two give the same bits.
 */
function adagradLoopF32(
  p: Float32Array,
  grad: Float32Array,
  sum: Float32Array,
  clr: number,
  h: AdagradHyperparameters,
): void {
  const { maximize } = h;
  const useDecay = h.weightDecay !== 0;
  const weightDecay = f(h.weightDecay);
  const eps = f(h.eps);
  const negClr = f(-clr);
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (useDecay) g = f(g + f(weightDecay * p[i]));
    const s = f(sum[i] + f(g * g));
    sum[i] = s;
    p[i] = f(p[i] + f(f(negClr * g) / f(f(Math.sqrt(s)) + eps)));
  }
}

/**
 * Adagrad, exactly PyTorch's `torch.optim.Adagrad` (see the package README on arithmetic:
 * float64 for Float64Array parameters, PyTorch's float32 op by op for Float32Array ones).
 *
 * Update rule (PyTorch's algorithm box), with `sum₀ = τ`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     γ̃ ← γ / (1 + (t − 1)·η)
 *     g_t ← g_t + λ·θ_{t−1}                                  if λ ≠ 0
 *     sum_t ← sum_{t−1} + g_t²
 *     θ_t ← θ_{t−1} − γ̃·g_t / (√sum_t + ε)
 *
 * Defaults: `lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10,
 * maximize = false` (PyTorch's).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([0]), grad: { data: new Float64Array([1]) } };
 * const opt = new Adagrad([w], { lr: 0.1 });
 * opt.step(); // sum = 1, w = −0.1/(1 + 1e-10)
 * opt.step(); // sum = 2, w −= 0.1/(√2 + 1e-10)
 * ```
 *
 * **Differences from other libraries.**
 * - The accumulator starts at 0 here (PyTorch); Keras (`initial_accumulator_value=0.1`), TF.js
 *   (`tf.train.adagrad(lr, initialAccumulatorValue = 0.1)`) and Optax (`optax.adagrad(...,
 *   initial_accumulator_value=0.1)`) start at 0.1, which shrinks the first steps.
 * - ε is added outside the square root here, `g / (√s + ε)`; Keras, TF.js and Optax add it inside,
 *   `g / √(s + ε)`. PyTorch's ε is 1e-10; theirs is 1e-7.
 * - `lrDecay` is PyTorch's; the others have no built-in decay (use a schedule).
 *
 * The accumulator of every parameter starts at the optimizer's default `initialAccumulatorValue`
 * (the constructor option), not its group's: like PyTorch, the constructor creates the state of
 * every parameter it is given (`step = 0`, `sum` filled from the constructor argument, ignoring a
 * group's own `initial_accumulator_value`), so `stateDict()` holds it from the start. A group added
 * later with `addParamGroup` gets its state at its first step, from the same default (PyTorch has no
 * state for it and fails at that step).
 */
export class Adagrad extends Optimizer<AdagradHyperparameters, AdagradState> {
  get kind(): string {
    return "Adagrad";
  }

  constructor(params: ParamsInput<AdagradHyperparameters>, options: AdagradOptions = {}) {
    const [defaults, rest] = resolveOptions<AdagradHyperparameters>("Adagrad", options, {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    });
    super(params, defaults, rest);
    for (const group of this.paramGroups) {
      for (const p of group.params) this.state.set(p, this.initState(p.data));
    }
  }

  protected validate(h: AdagradHyperparameters): void {
    checkLr(h.lr);
    checkNonNegativeOption(h.lrDecay, "lrDecay", "lr_decay");
    checkWeightDecay(h.weightDecay);
    checkNonNegativeOption(h.initialAccumulatorValue, "initialAccumulatorValue", "initial_accumulator_value");
    checkEps(h.eps);
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["sum"], optional: [], nonNegative: ["sum"] };
  }

  protected initState(p: FloatArray): AdagradState {
    const sum = zerosLike(p);
    const initial = this.defaults.initialAccumulatorValue;
    if (initial !== 0) sum.fill(initial);
    return { step: 0, sum };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: AdagradState,
    group: ParamGroup & AdagradHyperparameters,
  ): void {
    adagradStep(p, grad, state.sum, state.step, group);
  }
}

/** Adagrad in the optimizer catalog. */
export const ADAGRAD_ENTRY: OptimizerEntry = {
  id: "adagrad",
  name: "Adagrad",
  className: "Adagrad",
  create: (params, options) => new Adagrad(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-2 },
    {
      kind: "number",
      key: "lrDecay",
      option: "lrDecay",
      label: "lr decay η",
      default: 0,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0, 0.1],
      scale: "linear",
      meaning: "the lr of step t is γ/(1 + (t − 1)·η)",
    },
    {
      kind: "number",
      key: "initialAccumulatorValue",
      option: "initialAccumulatorValue",
      label: "initial accumulator",
      default: 0,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0, 1],
      scale: "linear",
      meaning: "starting value of the sum of squared gradients",
    },
    { ...EPSILON, default: 1e-10 },
    L2_WEIGHT_DECAY,
  ],
  summary:
    "Divides each coordinate's step by the root of the sum of all its past squared gradients: rarely-updated coordinates keep large steps, busy ones slow down. Steps only ever shrink.",
  update: "s ← s + g²\nθ ← θ − γ·g / (√s + ε)",
  reference: {
    authors: "J. Duchi, E. Hazan, Y. Singer",
    title: "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization",
    year: 2011,
    url: "https://jmlr.org/papers/v12/duchi11a.html",
  },
};

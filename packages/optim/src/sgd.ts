import type { OptimizerEntry } from "./catalog-entry.js";
import { flag, L2_WEIGHT_DECAY, LEARNING_RATE, MOMENTUM } from "./hyperparameters.js";
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
import { checkBoolean, checkInRange, checkLr, checkMomentum, checkWeightDecay } from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** SGD's hyperparameters (PyTorch's, camelCased). */
export interface SGDHyperparameters {
  /** Learning rate γ. Default 1e-3. */
  lr: number;
  /** Momentum factor μ. Default 0 (plain SGD). */
  momentum: number;
  /** Dampening τ of the momentum buffer. Default 0. */
  dampening: number;
  /** Nesterov momentum (needs `momentum > 0` and `dampening = 0`). Default false. */
  nesterov: boolean;
  /** L2 penalty λ, added to the gradient (coupled weight decay). Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** SGD's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type SGDOptions = Partial<SGDHyperparameters> & OptimizerOptions;

/** SGD's per-parameter state: the momentum buffer exists once a step ran with `momentum ≠ 0`. */
export interface SGDState extends ParamState {
  momentumBuffer?: FloatArray;
}

/**
 * One SGD step, in place, with PyTorch's semantics (`_single_tensor_sgd`), in one pass:
 *
 *     g ← −∇ if maximize, else ∇
 *     g ← g + λ·p                        if λ ≠ 0
 *     b ← g  (first step),  b ← μ·b + (1 − τ)·g  (later steps)       if μ ≠ 0
 *     g ← g + μ·b  if nesterov,  g ← b  otherwise                    if μ ≠ 0
 *     p ← p − γ·g
 *
 * @param buf the momentum buffer (ignored, and may be null, when `momentum` is 0).
 * @param firstStep true when `buf` holds no history yet: it is then set to `g`, undampened.
 */
export function sgdStep(
  p: FloatArray,
  grad: FloatArray,
  buf: FloatArray | null,
  firstStep: boolean,
  h: SGDHyperparameters,
): void {
  const n = p.length;
  const { lr, momentum, dampening, nesterov, weightDecay, maximize } = h;
  checkLength("sgdStep", "grad", grad, n);
  if (momentum !== 0) {
    if (buf === null) throw new TypeError("sgdStep: momentum is not 0 but there is no momentum buffer");
    checkLength("sgdStep", "momentum buffer", buf, n);
  }
  const b = momentum !== 0 ? buf : null;
  if (isFloat32(p) && isFloat32(grad) && (b === null || isFloat32(b))) {
    const kern = wasmFor(n);
    if (kern !== null && sgdWasm(kern, p, grad, b, firstStep, h)) return;
    sgdLoopF32(p, grad, b, firstStep, h);
    return;
  }
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (weightDecay !== 0) g = g + weightDecay * p[i];
    if (b !== null) {
      const bi = firstStep ? g : b[i] * momentum + (1 - dampening) * g;
      b[i] = bi;
      g = nesterov ? g + momentum * bi : bi;
    }
    p[i] = p[i] + -lr * g;
  }
}

/** Which arrays `asm/sgd.ts` updates: p, (g), the momentum buffer. */
const SGD_WRITE_BACK = [true, false, true];

/** {@link sgdLoopF32} in the WASM kernel `sgdF32` (`asm/sgd.ts`); false if it could not run. */
function sgdWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  buf: Float32Array | null,
  first: boolean,
  h: SGDHyperparameters,
): boolean {
  const { lr, weightDecay, momentum, dampening, nesterov, maximize } = h;
  return runKernel(kern, "sgdF32", [p, g, buf], SGD_WRITE_BACK, [
    -lr,
    weightDecay,
    momentum,
    1 - dampening,
    weightDecay !== 0,
    buf !== null,
    first,
    nesterov,
    maximize,
  ]);
}

/**
 * {@link sgdStep}'s loop for float32 arrays: the same operations, each rounded to float32 as
 * PyTorch's float32 CPU kernels round them, with the Python-float scalars rounded to float32 first.
 * The WASM kernel (`asm/sgd.ts`) computes exactly these operations, so the two give the same bits.
 */
function sgdLoopF32(
  p: Float32Array,
  grad: Float32Array,
  buf: Float32Array | null,
  firstStep: boolean,
  h: SGDHyperparameters,
): void {
  const { nesterov, maximize } = h;
  const useDecay = h.weightDecay !== 0;
  const weightDecay = f(h.weightDecay);
  const momentum = f(h.momentum);
  const damp = f(1 - h.dampening);
  const negLr = f(-h.lr);
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    if (useDecay) g = f(g + f(weightDecay * p[i]));
    if (buf !== null) {
      const bi = firstStep ? g : f(f(buf[i] * momentum) + f(damp * g));
      buf[i] = bi;
      g = nesterov ? f(g + f(momentum * bi)) : bi;
    }
    p[i] = f(p[i] + f(negLr * g));
  }
}

/**
 * Stochastic gradient descent, optionally with momentum, Nesterov momentum, weight decay; exactly
 * PyTorch's `torch.optim.SGD` (see the package README on arithmetic:
 * float64 for Float64Array parameters, PyTorch's float32 op by op for Float32Array ones).
 *
 * Update rule (PyTorch's algorithm box), for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     g_t ← g_t + λ·θ_{t−1}                                  if λ ≠ 0
 *     if μ ≠ 0:
 *       b_t ← g_t  if t = 1,  else  μ·b_{t−1} + (1 − τ)·g_t
 *       g_t ← g_t + μ·b_t  if nesterov,  else  b_t
 *     θ_t ← θ_{t−1} − γ·g_t
 *
 * Defaults: `lr = 1e-3, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0,
 * maximize = false` (PyTorch's).
 *
 * **The "momentum as an exponential average" convention** `v ← β·v + (1 − β)·g, p ← p − lr·v` is
 * this optimizer with `momentum = dampening = β`. One difference remains: PyTorch (and this class)
 * set the buffer to the first gradient, undampened, so `v₁ = g₁` where that convention, starting
 * from `v₀ = 0`, has `v₁ = (1 − β)·g₁`; from then on the recursions are the same (equivalently,
 * it is that convention started from `v₀ = g₁`).
 *
 * @example
 * ```ts
 * // v ← 0.9·v + 0.1·g, p ← p − 0.1·v
 * const w = { data: new Float64Array([0]), grad: { data: new Float64Array([1]) } };
 * const opt = new SGD([w], { lr: 0.1, momentum: 0.9, dampening: 0.9 });
 * opt.step(); // v = g = 1 (first step: undampened)       w = −0.1
 * opt.step(); // v = 0.9·1 + 0.1·1 = 1                    w = −0.2
 * // With a constant gradient v stays 1; the v₀ = 0 convention has v = 0.1, 0.19, 0.271, ...
 * ```
 *
 * **Differences from other libraries.**
 * - Keras (`SGD(momentum, nesterov)`) keeps the lr inside the buffer: `v ← μ·v − γ·g, p ← p + v`.
 *   That equals PyTorch's `b ← μ·b + g, p ← p − γ·b` only while γ is constant; with a schedule, a
 *   new γ here scales the whole buffer at once. Keras has no dampening, and its `weight_decay` is
 *   decoupled (`p ← p − γ·λ·p`), not added to the gradient.
 * - TF.js `tf.train.momentum(lr, μ, useNesterov)` and Optax `optax.sgd(lr, momentum, nesterov)`
 *   use `b ← μ·b + g` with the lr outside (zero-initialized, so b₁ = g₁): the same as
 *   `dampening = 0` here. Neither has dampening; Optax adds weight decay with a separate
 *   `add_decayed_weights` transform.
 */
export class SGD extends Optimizer<SGDHyperparameters, SGDState> {
  get kind(): string {
    return "SGD";
  }

  constructor(params: ParamsInput<SGDHyperparameters>, options: SGDOptions = {}) {
    const [defaults, rest] = resolveOptions<SGDHyperparameters>("SGD", options, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: SGDHyperparameters): void {
    checkLr(h.lr);
    checkMomentum(h.momentum);
    checkWeightDecay(h.weightDecay);
    // PyTorch does not check dampening; outside [0, 1] it amplifies or flips the gradient's share.
    checkInRange(h.dampening, "dampening", 0, 1);
    checkBoolean(h.nesterov, "nesterov");
    checkBoolean(h.maximize, "maximize");
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new RangeError("Nesterov momentum requires a momentum and zero dampening");
    }
  }

  protected stateLayout(): StateLayout {
    return { required: [], optional: ["momentumBuffer"] };
  }

  protected initState(): SGDState {
    return { step: 0 };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: SGDState,
    group: ParamGroup & SGDHyperparameters,
  ): void {
    let firstStep = false;
    if (group.momentum !== 0 && state.momentumBuffer === undefined) {
      state.momentumBuffer = zerosLike(p);
      firstStep = true;
    }
    sgdStep(p, grad, state.momentumBuffer ?? null, firstStep, group);
  }
}

const SGD_REFERENCE = {
  authors: "H. Robbins, S. Monro",
  title: "A Stochastic Approximation Method",
  year: 1951,
  url: "https://doi.org/10.1214/aoms/1177729586",
};

/** Plain SGD in the optimizer catalog. */
export const SGD_ENTRY: OptimizerEntry = {
  id: "sgd",
  name: "SGD",
  className: "SGD",
  create: (params, options) => new SGD(params, options),
  hyperparameters: [{ ...LEARNING_RATE, default: 1e-3 }, L2_WEIGHT_DECAY],
  summary:
    "Steps straight down the gradient of the current batch. Simple and memory-free, but slow along shallow directions and jittery across steep ones.",
  update: "θ ← θ − γ·g",
  reference: SGD_REFERENCE,
};

/** SGD with heavy-ball momentum (PyTorch's `SGD(momentum=…)`) in the optimizer catalog. */
export const MOMENTUM_ENTRY: OptimizerEntry = {
  id: "momentum",
  name: "SGD + momentum",
  className: "SGD",
  create: (params, options) => new SGD(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-3 },
    { ...MOMENTUM, default: 0.9, typical: [0.5, 0.99] },
    {
      kind: "number",
      key: "dampening",
      option: "dampening",
      label: "dampening τ",
      default: 0,
      min: 0,
      max: 1,
      typical: [0, 0.9],
      scale: "linear",
      meaning: "fraction of each new gradient left out of the momentum buffer",
    },
    flag("nesterov", "Nesterov", "evaluate the momentum step one step ahead (needs dampening 0)"),
    L2_WEIGHT_DECAY,
  ],
  summary:
    "Keeps a running sum of past steps, so consistent directions build up speed and oscillating ones cancel: much faster than SGD in long, narrow valleys.",
  update: "b ← μ·b + (1 − τ)·g    (b ← g at the first step)\nθ ← θ − γ·b    (Nesterov: θ ← θ − γ·(g + μ·b))",
  reference: {
    authors: "B. T. Polyak",
    title: "Some methods of speeding up the convergence of iteration methods",
    year: 1964,
    url: "https://doi.org/10.1016/0041-5553(64)90137-5",
  },
};

import type { OptimizerEntry } from "./catalog-entry.js";
import { L2_WEIGHT_DECAY, LEARNING_RATE } from "./hyperparameters.js";
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
import type { FloatArray, Param } from "./param.js";
import type { OptimizerStateDict } from "./state-dict.js";
import { zerosLike } from "./state-dict.js";
import { checkBoolean, checkLr, checkNonNegative, checkNumber, checkWeightDecay } from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** ASGD's hyperparameters (PyTorch's, camelCased). */
export interface ASGDHyperparameters {
  /** Learning rate γ: the first step's η, and the scale of η's decay. Default 1e-2. */
  lr: number;
  /** Decay term λ: the parameter shrinks by λ·η per step, and η decays like (1 + λγt)^(−α). Default 1e-4. */
  lambd: number;
  /** Power α of η's decay. Default 0.75. */
  alpha: number;
  /** The step after which averaging starts (μ = 1/max(1, t − t0)). Default 1e6. */
  t0: number;
  /** L2 penalty, added to the gradient. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** ASGD's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type ASGDOptions = Partial<ASGDHyperparameters> & OptimizerOptions;

/**
 * ASGD's per-parameter state: the step size η and the averaging weight μ for the next step, and the
 * running average of the parameter. η and μ are float32 values (PyTorch keeps them in float32
 * 0-dim tensors, whatever the parameter's dtype).
 */
export interface ASGDState extends ParamState {
  eta: number;
  mu: number;
  /** The averaged parameter, PyTorch's `ax`. */
  ax: FloatArray;
}

/** ASGD's per-parameter scalars: the η and μ a step uses, or those it leaves for the next step. */
export interface ASGDScalars {
  eta: number;
  mu: number;
}

/**
 * One ASGD step, in place, with PyTorch's semantics (`_single_tensor_asgd`), in one pass; returns
 * the η and μ of the next step:
 *
 *     g ← −∇ if maximize, else ∇;   g ← g + λ_wd·p if λ_wd ≠ 0
 *     p ← p·(1 − λ·η)
 *     p ← p − η·g
 *     ax ← ax + (p − ax)·μ   if μ ≠ 1,   else ax ← p
 *     next η = fround(γ / (1 + λ·γ·t)^α),   next μ = fround(1 / max(1, t − t0))
 *
 * η and μ are rounded to float32 on the way in and out (PyTorch's float32 0-dim tensors); the
 * products with them are in the parameter's dtype (a 0-dim float32 tensor does not promote a
 * float64 one).
 *
 * @param ax the running average of the parameter.
 * @param t the step number, counting this step (1 at the first step).
 * @param s the η and μ left by the previous step (γ and 1 before the first).
 */
export function asgdStep(
  p: FloatArray,
  grad: FloatArray,
  ax: FloatArray,
  t: number,
  s: ASGDScalars,
  h: ASGDHyperparameters,
): ASGDScalars {
  const n = p.length;
  checkLength("asgdStep", "grad", grad, n);
  checkLength("asgdStep", "ax", ax, n);
  const eta = f(s.eta);
  const mu = f(s.mu);
  const { lr, lambd, alpha, t0, weightDecay, maximize } = h;
  const decay = 1 - lambd * eta;
  if (isFloat32(p) && isFloat32(grad) && isFloat32(ax)) {
    const kern = wasmFor(n);
    if (kern === null || !asgdWasm(kern, p, grad, ax, eta, mu, decay, h)) {
      asgdLoopF32(p, grad, ax, eta, mu, decay, h);
    }
  } else {
    const negEta = -eta;
    const average = mu !== 1;
    for (let i = 0; i < n; i++) {
      let g = maximize ? -grad[i] : grad[i];
      let pi = p[i];
      if (weightDecay !== 0) g = g + weightDecay * pi;
      pi = pi * decay;
      p[i] = pi + negEta * g;
      pi = p[i]; // as stored (rounded, for a float32 parameter with a float64 gradient)
      ax[i] = average ? ax[i] + (pi - ax[i]) * mu : pi;
    }
  }
  return { eta: f(lr / (1 + lambd * lr * t) ** alpha), mu: f(1 / Math.max(1, t - t0)) };
}

/**
 * {@link asgdStep}'s loop for float32 arrays: each operation rounded to float32 as PyTorch's
 * float32 CPU kernels round them, with the Python-float scalars (1 − λη, −η, λ_wd) rounded to
 * float32 first. The WASM kernel (`asm/asgd.ts`) computes exactly these operations.
 */
function asgdLoopF32(
  p: Float32Array,
  grad: Float32Array,
  ax: Float32Array,
  eta: number,
  mu: number,
  decay: number,
  h: ASGDHyperparameters,
): void {
  const { maximize } = h;
  const useDecay = h.weightDecay !== 0;
  const weightDecay = f(h.weightDecay);
  const decay32 = f(decay);
  const negEta = f(-eta);
  const average = mu !== 1;
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    let pi = p[i];
    if (useDecay) g = f(g + f(weightDecay * pi));
    pi = f(pi * decay32);
    pi = f(pi + f(negEta * g));
    p[i] = pi;
    ax[i] = average ? f(ax[i] + f(f(pi - ax[i]) * mu)) : pi;
  }
}

/** Which arrays `asm/asgd.ts` updates: p, (g), ax. */
const ASGD_WRITE_BACK = [true, false, true];

/** {@link asgdLoopF32} in the WASM kernel `asgdF32` (`asm/asgd.ts`); false if it could not run. */
function asgdWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  ax: Float32Array,
  eta: number,
  mu: number,
  decay: number,
  h: ASGDHyperparameters,
): boolean {
  const { weightDecay, maximize } = h;
  return runKernel(kern, "asgdF32", [p, g, ax], ASGD_WRITE_BACK, [
    decay,
    -eta,
    mu,
    weightDecay,
    weightDecay !== 0,
    mu !== 1,
    maximize,
  ]);
}

/**
 * ASGD, averaged stochastic gradient descent (Polyak & Juditsky, 1992), exactly PyTorch's
 * `torch.optim.ASGD` (see the package README on arithmetic: float64 for Float64Array parameters,
 * PyTorch's float32 op by op for Float32Array ones). SGD with a decaying step size η_t and a
 * shrinkage term, which also keeps a running average of the parameters from step t0 on: the
 * average, not the last iterate, is the estimate the method's guarantees are about. Read it with
 * {@link ASGD.averaged}, or evaluate with it in place with {@link ASGD.withAveraged} /
 * {@link ASGD.swapAveraged}.
 *
 * Update rule (PyTorch's), with `η₀ = γ`, `μ₀ = 1`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     g_t ← g_t + λ_wd·θ_{t−1}                               if λ_wd ≠ 0
 *     θ_t ← θ_{t−1}·(1 − λ·η_{t−1}) − η_{t−1}·g_t
 *     ax_t ← ax_{t−1} + μ_{t−1}·(θ_t − ax_{t−1})             if μ_{t−1} ≠ 1, else ax_t ← θ_t
 *     η_t ← γ / (1 + λ·γ·t)^α
 *     μ_t ← 1 / max(1, t − t0)
 *
 * So a step uses the η and μ computed at the previous step (from that step's lr); the average is
 * the parameter itself up to step ⌊t0⌋ + 2 and averages from there on (for an integer t0, ax_t is
 * the mean of θ_{t0+2}, ..., θ_t); and η and μ are per parameter: a parameter that skipped steps
 * (null gradient) has its own count. As in PyTorch, η
 * and μ are float32 values even for float64 parameters (PyTorch stores them in float32 0-dim
 * tensors): η₀ is the lr rounded to float32, and every η_t, μ_t is rounded to float32.
 *
 * Defaults: `lr = 1e-2, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weightDecay = 0, maximize = false`
 * (PyTorch's). With the default t0 = 1e6 averaging never starts in most runs: set t0 (e.g. to the
 * number of steps of a burn-in phase) to use the average.
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: null as { data: Float64Array } | null };
 * const opt = new ASGD([w], { lr: 0.1, t0: 100 });
 * for (let t = 0; t < 1000; t++) {
 *   w.grad = { data: Float64Array.from(w.data, (x) => x - 3 + (Math.random() - 0.5)) }; // noisy ∇ of ½(x − 3)²
 *   opt.step();
 * }
 * opt.averaged(w); // a copy of the mean of the iterates from step 102 on, ≈ [3, 3]
 * const loss = opt.withAveraged(() => w.data.reduce((s, x) => s + 0.5 * (x - 3) ** 2, 0));
 * // inside withAveraged, w.data holds the average; afterwards the training values are back
 * ```
 *
 * **Differences from other libraries.** TF.js, Keras and Optax have no ASGD (Keras and Optax
 * average weights with a separate EMA or SWA wrapper instead of this 1/(t − t0) average).
 * PyTorch's own foreach path (the default on CUDA) computes `θ − η·(g + λ·θ)`, which rounds
 * differently, and in some 2.x releases decayed η as `γ / (1 + λγ·t^α)`; this is the CPU
 * (single-tensor) path.
 */
export class ASGD extends Optimizer<ASGDHyperparameters, ASGDState> {
  /** The parameters whose data and average are swapped, or null when none is. */
  private swapped: Param[] | null = null;

  get kind(): string {
    return "ASGD";
  }

  constructor(params: ParamsInput<ASGDHyperparameters>, options: ASGDOptions = {}) {
    const [defaults, rest] = resolveOptions<ASGDHyperparameters>("ASGD", options, {
      lr: 1e-2,
      lambd: 1e-4,
      alpha: 0.75,
      t0: 1e6,
      weightDecay: 0,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: ASGDHyperparameters): void {
    checkLr(h.lr);
    checkNonNegative(h.lambd, "Invalid lambd value");
    checkNonNegative(h.alpha, "Invalid alpha value");
    // PyTorch does not check t0; any finite value works (a negative one averages from step 2 on).
    checkNumber(h.t0, "t0");
    checkWeightDecay(h.weightDecay);
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["ax"], optional: [], scalars: ["eta", "mu"] };
  }

  protected initState(p: FloatArray, group: ParamGroup & ASGDHyperparameters): ASGDState {
    // PyTorch: eta = the group's lr at this parameter's first step, mu = 1, as float32 tensors.
    return { step: 0, eta: f(group.lr), mu: 1, ax: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: ASGDState,
    group: ParamGroup & ASGDHyperparameters,
  ): void {
    const next = asgdStep(p, grad, state.ax, state.step, state, group);
    state.eta = next.eta;
    state.mu = next.mu;
  }

  /** True while {@link swapAveraged} has put the averages into the parameters. */
  get holdsAverages(): boolean {
    return this.swapped !== null;
  }

  /**
   * A copy of the running average of `param` (PyTorch's `state["ax"]`), or null before the
   * parameter's first step. Up to step ⌊t0⌋ + 2 it equals the parameter.
   *
   * @throws RangeError if `param` is not one of this optimizer's parameters.
   */
  averaged(param: Param): FloatArray | null {
    if (!this.paramGroups.some((g) => g.params.includes(param))) {
      throw new RangeError("ASGD.averaged: the parameter is not in this optimizer's param groups");
    }
    const state = this.state.get(param);
    if (state === undefined) return null;
    // While swapped, the parameter holds the average and ax the training values.
    return (this.swapped?.includes(param) ? param.data : state.ax).slice();
  }

  /**
   * Exchanges, element by element, every parameter's data with its running average (parameters
   * that have not taken a step yet are left alone). Call it once to evaluate with the averages in
   * place, and once more to get the training values back, bit for bit. While the averages are in,
   * `step()`, `stateDict()` and `loadStateDict()` throw (training on, or saving, swapped values
   * would mix the two). {@link withAveraged} does both calls around a function.
   *
   * @returns true if the parameters now hold their averages, false if they hold the training values again.
   */
  swapAveraged(): boolean {
    const params = this.swapped ?? this.paramGroups.flatMap((g) => g.params).filter((p) => this.state.has(p));
    for (const p of params) {
      const ax = (this.state.get(p) as ASGDState).ax;
      const data = p.data;
      for (let i = 0; i < data.length; i++) {
        const x = data[i];
        data[i] = ax[i];
        ax[i] = x;
      }
    }
    this.swapped = this.swapped === null ? params : null;
    return this.swapped !== null;
  }

  /**
   * Runs `fn` with every parameter holding its running average (see {@link swapAveraged}) and puts
   * the training values back afterwards, also when `fn` throws. Returns what `fn` returns. `fn`
   * must be synchronous: the values are restored when it returns.
   *
   * @throws Error if the averages are already swapped in, or if `fn` returns a promise (after
   *   restoring the training values).
   */
  withAveraged<T>(fn: () => T): T {
    if (this.swapped !== null) {
      throw new Error("ASGD.withAveraged: the parameters already hold their averages (swapAveraged)");
    }
    this.swapAveraged();
    let result: T;
    try {
      result = fn();
    } finally {
      this.swapAveraged();
    }
    if (typeof (result as { then?: unknown } | null)?.then === "function") {
      throw new Error(
        "ASGD.withAveraged: fn returned a promise, but the averages are only in place while fn runs synchronously; await your evaluation between two swapAveraged() calls instead",
      );
    }
    return result;
  }

  override step(closure?: () => number): number | undefined {
    this.refuseWhileSwapped("step");
    return super.step(closure);
  }

  override stateDict(): OptimizerStateDict {
    this.refuseWhileSwapped("stateDict");
    return super.stateDict();
  }

  override loadStateDict(stateDict: OptimizerStateDict): void {
    this.refuseWhileSwapped("loadStateDict");
    super.loadStateDict(stateDict);
  }

  private refuseWhileSwapped(method: string): void {
    if (this.swapped !== null) {
      throw new Error(
        `ASGD.${method}: the parameters hold their averages (swapAveraged); call swapAveraged() again to restore the training values first`,
      );
    }
  }
}

/** ASGD in the optimizer catalog. */
export const ASGD_ENTRY: OptimizerEntry = {
  id: "asgd",
  name: "ASGD",
  className: "ASGD",
  create: (params, options) => new ASGD(params, options),
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-2 },
    {
      kind: "number",
      key: "lambd",
      option: "lambd",
      label: "λ (decay)",
      default: 1e-4,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [1e-6, 1e-1],
      scale: "log",
      meaning: "shrinks the parameters by λ·η per step and sets how fast the step size η decays",
    },
    {
      kind: "number",
      key: "alpha",
      option: "alpha",
      label: "α",
      default: 0.75,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0.5, 1],
      scale: "linear",
      meaning: "power of the step size decay, η = γ/(1 + λγt)^α",
    },
    {
      kind: "number",
      key: "t0",
      option: "t0",
      label: "t₀",
      default: 1e6,
      min: Number.NEGATIVE_INFINITY,
      max: Number.POSITIVE_INFINITY,
      typical: [10, 1e6],
      scale: "log",
      meaning: "the step after which the parameters are averaged",
    },
    L2_WEIGHT_DECAY,
  ],
  summary:
    "SGD with a slowly decaying step size that also averages its iterates from step t₀ on; the average converges at the optimal rate for noisy convex problems. Evaluate with the averaged parameters.",
  update: "θ ← θ·(1 − λη) − η·g\nax ← ax + μ·(θ − ax)\nη ← γ/(1 + λγt)^α,  μ ← 1/max(1, t − t₀)",
  reference: {
    authors: "B. T. Polyak, A. B. Juditsky",
    title: "Acceleration of Stochastic Approximation by Averaging",
    year: 1992,
    url: "https://doi.org/10.1137/0330046",
  },
};

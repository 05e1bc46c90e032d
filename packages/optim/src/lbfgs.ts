import type { OptimizerEntry } from "./catalog-entry.js";
import { LEARNING_RATE } from "./hyperparameters.js";
import { type FlatObjective, type LBFGSSettings, lbfgsStep } from "./lbfgs/iterate.js";
import { cloneState, decodeState, emptyState, encodeState, type LBFGSState } from "./lbfgs/state.js";
import { addScaled, zerosOf } from "./lbfgs/vector.js";
import { firstNonFinite, NonFiniteGradientError, type NonFinitePolicy } from "./non-finite.js";
import {
  type BaseHyperparameters,
  Optimizer,
  type OptimizerOptions,
  type ParamGroupInput,
  type ParamsInput,
  resolveOptions,
  type StateLayout,
} from "./optimizer.js";
import type { FloatArray, Param } from "./param.js";
import {
  encodeValue,
  floatDtype,
  type JsonValue,
  type OptimizerStateDict,
  STATE_DICT_FORMAT,
  STATE_DICT_VERSION,
} from "./state-dict.js";
import { checkLr, show } from "./validate.js";

export type { LBFGSSettings } from "./lbfgs/iterate.js";
export type { LBFGSState } from "./lbfgs/state.js";

/**
 * LBFGS's hyperparameters: PyTorch's (camelCased), plus `weightDecay` and `maximize`, which every
 * param group of this package has and which LBFGS fixes at 0 and false (PyTorch's LBFGS has
 * neither: put a penalty into the loss, or negate it, in the closure).
 */
export interface LBFGSHyperparameters extends BaseHyperparameters, LBFGSSettings {
  /** Step length: the fixed step without line search, the first trial step with it. Default 1. */
  lr: number;
  /** Maximum iterations per `step()`. Default 20. */
  maxIter: number;
  /** Maximum closure calls per `step()` (checked after each iteration). Default ⌊maxIter·5/4⌋. */
  maxEval: number;
  /** Stop when max|g| ≤ this (first-order optimality). Default 1e-7. */
  toleranceGrad: number;
  /** Stop when max|t·d| or |Δloss| falls below this, or gᵀd > −this. Default 1e-9. */
  toleranceChange: number;
  /** Number of (s, y) pairs kept. Default 100. */
  historySize: number;
  /** `"strong_wolfe"`, or `null` for a fixed step of `lr`. Default null. */
  lineSearchFn: "strong_wolfe" | null;
  /** Always 0: LBFGS has no weight decay. */
  weightDecay: number;
  /** Always false: LBFGS minimizes. */
  maximize: boolean;
}

/** LBFGS's options: PyTorch's, camelCased (all optional), and the {@link OptimizerOptions}. */
export type LBFGSOptions = Partial<LBFGSSettings> & OptimizerOptions;

/** Thrown inside `step()` when the `"skip"` policy meets a non-finite gradient. */
class SkippedStep extends Error {
  constructor(readonly loss: number) {
    super("LBFGS step skipped: non-finite gradient");
  }
}

/**
 * L-BFGS, exactly PyTorch's `torch.optim.LBFGS` (itself after Mark Schmidt's minFunc): the same
 * iterations, line search and stopping rules, so the same number of closure calls and, in
 * float64, the same parameters up to rounding.
 *
 * Unlike the other rules, `step(closure)` evaluates the objective itself, as often as it needs:
 * the closure recomputes the loss at the current parameters, writes the gradients into each
 * parameter's `grad` (a parameter whose `grad` is `null` counts as a zero gradient) and returns
 * the loss as a number. `step` returns the first loss it evaluated.
 *
 * All parameters are treated as one flat vector x (concatenated in order; they must share one
 * dtype), and there is one param group only. One `step()` runs up to `maxIter` iterations:
 *
 *     g ← ∇f(x)                              (one closure call)
 *     stop if max|g| ≤ toleranceGrad
 *     repeat:
 *       if this is the very first iteration:  d ← −g,  history ← ∅,  γ ← 1
 *       else:
 *         y ← g − g_prev,  s ← t·d
 *         if yᵀs > 1e-10:  append (s, y), ρ = 1/(yᵀs) (dropping the oldest beyond historySize),
 *                          γ ← yᵀs / yᵀy
 *         d ← −H·g  by the two-loop recursion with H₀ = γI, newest pair first:
 *           q ← −g;  for i = k−1…0:  αᵢ ← ρᵢ sᵢᵀq,  q ← q − αᵢ yᵢ
 *           d ← γq;  for i = 0…k−1:  βᵢ ← ρᵢ yᵢᵀd,  d ← d + (αᵢ − βᵢ) sᵢ
 *       t ← min(1, 1/‖g‖₁)·lr  at the very first iteration, else lr
 *       stop if gᵀd > −toleranceChange
 *       lineSearchFn null:  x ← x + t·d, then f, g at the new x (not after the last iteration)
 *       "strong_wolfe":    t ← a step satisfying the strong Wolfe conditions
 *                            f(x + td) ≤ f(x) + c1·t·gᵀd,   |∇f(x + td)ᵀd| ≤ c2·|gᵀd|
 *                          (c1 = 1e-4, c2 = 0.9; bracketing then zoom by cubic interpolation,
 *                          at most 25 more evaluations), x ← x + t·d
 *       stop, in this order, when: maxIter iterations done; maxEval closure calls done;
 *       max|g| ≤ toleranceGrad; max|t·d| ≤ toleranceChange; |f − f_prev| < toleranceChange
 *
 * The history, d, t, γ, the last gradient and loss persist across `step()` calls in
 * `state.get(params[0])` ({@link LBFGSState}, PyTorch's state under camelCased names), and
 * `stateDict()` / `loadStateDict()` round-trip all of it exactly. "The very first iteration" is the
 * first of the optimizer's life, not of each `step()`. As in PyTorch, the line search's bracket
 * tolerance is always 1e-9, whatever `toleranceChange` is.
 *
 * Defaults (PyTorch's): `lr = 1, maxIter = 20, maxEval = ⌊maxIter·5/4⌋, toleranceGrad = 1e-7,
 * toleranceChange = 1e-9, historySize = 100, lineSearchFn = null`.
 *
 * @example
 * ```ts
 * // Rosenbrock: f(a, b) = (1 − a)² + 100(b − a²)², minimum at (1, 1).
 * const x = { data: new Float64Array([-1.5, 2]), grad: null as { data: Float64Array } | null };
 * const opt = new LBFGS([x], { lineSearchFn: "strong_wolfe" });
 * const closure = () => {
 *   const [a, b] = x.data;
 *   x.grad = { data: new Float64Array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]) };
 *   return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
 * };
 * for (let i = 0; i < 5; i++) opt.step(closure); // x.data ≈ [1, 1]
 * ```
 *
 * **Arithmetic.** Every operation is computed as PyTorch's CPU kernels compute it, in the
 * parameters' dtype (float64 or float32): `add` with a scale (x + t·d and the two-loop updates)
 * as one fused multiply-add, dot products summed in order (reference BLAS), ‖g‖₁ in the order of
 * ATen's AVX2 sum kernel. Scalars follow PyTorch's mix of Python floats (float64) and 0-d tensors
 * (the dtype; a Python float over a tensor is a reciprocal then a product), which decides the line
 * search's path. So closure calls, losses and parameters match PyTorch bit for bit in both dtypes,
 * against PyTorch on an AVX2 CPU with the reference BLAS; MKL, OpenBLAS or AVX-512 kernels sum in
 * other orders, a difference of roundings.
 *
 * **Errors and non-finite gradients.** Nothing is left half-done: if the closure throws, or a
 * gradient is non-finite under the `"error"` policy (a {@link NonFiniteGradientError}), the
 * parameters and the state are put back as they were before `step()` (the closure's own side
 * effects excepted) and the error propagates. The check covers the gradient at every point the
 * step accepts (the start and each new iterate), not the trial points of the line search, which
 * rejects them by its own tests (an infinite loss fails the sufficient decrease). With `"skip"`,
 * the step is undone the same way, `skippedSteps` is incremented and `step` returns the first
 * loss; with `"propagate"`, NaN and Infinity flow as in PyTorch.
 *
 * **Differences from other libraries.** TF.js has no L-BFGS. SciPy's `minimize(method="L-BFGS-B")`
 * (Fortran L-BFGS-B) also takes bounds, keeps 10 pairs, uses the Moré–Thuente line search and runs
 * to convergence (relative reduction 2.2e-9, projected gradient 1e-5) in one call. Optax's
 * `optax.lbfgs` (10 pairs) takes one iteration per `update` and the loss function as an extra
 * argument; its zoom line search (Nocedal & Wright's Algorithms 3.5–3.6) grows the bracket by a
 * fixed factor instead of cubic extrapolation and switches to Hager–Zhang's approximate Wolfe
 * condition near the minimum, so steps and evaluation counts differ from PyTorch's.
 */
export class LBFGS extends Optimizer<LBFGSHyperparameters, LBFGSState> {
  get kind(): string {
    return "LBFGS";
  }

  constructor(params: ParamsInput<LBFGSHyperparameters>, options: LBFGSOptions = {}) {
    const given = typeof options === "object" && options !== null ? options.maxIter : undefined;
    const maxIter = given ?? 20;
    const [defaults, rest] = resolveOptions<LBFGSHyperparameters>("LBFGS", options, {
      lr: 1,
      maxIter: 20,
      maxEval: Math.floor((maxIter * 5) / 4), // PyTorch: max_iter * 5 // 4
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      weightDecay: 0,
      maximize: false,
    });
    super(params, defaults, rest);
    flatLayout(this.paramGroups[0].params, "LBFGS");
  }

  protected validate(h: LBFGSHyperparameters): void {
    checkLr(h.lr);
    checkCount(h.maxIter, "maxIter", 0);
    checkCount(h.maxEval, "maxEval", 0);
    checkTolerance(h.toleranceGrad, "toleranceGrad");
    checkTolerance(h.toleranceChange, "toleranceChange");
    checkCount(h.historySize, "historySize", 1);
    if (h.lineSearchFn !== null && h.lineSearchFn !== "strong_wolfe") {
      throw new RangeError(
        `only 'strong_wolfe' is supported (lineSearchFn: ${show(h.lineSearchFn)}; null takes fixed steps of lr)`,
      );
    }
    if (h.weightDecay !== 0) {
      throw new RangeError(
        `Invalid weightDecay value: ${show(h.weightDecay)} (LBFGS has no weight decay: add the penalty to the loss the closure returns)`,
      );
    }
    if (h.maximize !== false) {
      throw new RangeError(
        `Invalid maximize value: ${show(h.maximize)} (LBFGS only minimizes: return the negated objective from the closure)`,
      );
    }
  }

  /** LBFGS has one param group only: PyTorch's error for any other. */
  override addParamGroup(group: ParamGroupInput<LBFGSHyperparameters>): void {
    if (this.paramGroups.length > 0) {
      throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    }
    super.addParamGroup(group);
  }

  /**
   * Runs up to `maxIter` iterations of L-BFGS, calling `closure` as often as PyTorch does (at most
   * `maxEval` times, plus the line search's overshoot of the last iteration).
   *
   * @param closure recomputes the loss at the current parameters, writes the gradients into
   *   the parameters' `grad`, and returns the loss.
   * @returns the loss of the first closure call (before this step moved the parameters).
   */
  override step(closure?: () => number): number {
    if (typeof closure !== "function") {
      throw new TypeError(
        `LBFGS.step needs a closure that recomputes the loss and the gradients (into each parameter's grad) and returns the loss, e.g. opt.step(() => { ...; return loss; }); got ${show(closure)}`,
      );
    }
    const group = this.paramGroups[0];
    try {
      this.validate(group);
    } catch (error) {
      if (error instanceof Error) error.message = `${error.message} (param group 0)`;
      throw error;
    }
    const params = group.params;
    const layout = flatLayout(params, "LBFGS.step");
    const prior = this.state.get(params[0]);
    const savedLength = prior?.d?.length;
    if (savedLength !== undefined && savedLength !== layout.numel) {
      throw new RangeError(
        `LBFGS.step: the state's vectors have ${savedLength} elements, but the parameters have ${layout.numel}`,
      );
    }
    const state = prior === undefined ? emptyState() : cloneState(prior);
    const objective = new ParamsObjective(params, closure, layout, this.nonFinite);
    const start = objective.save();
    try {
      const loss = lbfgsStep(objective, state, group);
      state.step += 1;
      if (prior === undefined) this.state.set(params[0], state);
      else Object.assign(prior, state);
      return loss;
    } catch (error) {
      objective.restore(start);
      if (error instanceof SkippedStep) {
        this.skippedSteps += 1;
        return error.loss;
      }
      throw error;
    }
  }

  /**
   * The state as plain JSON (see `OptimizerStateDict`). LBFGS's state is saved under parameter 0,
   * as in PyTorch; its history lists are saved as one concatenated array each.
   */
  override stateDict(): OptimizerStateDict {
    const group = this.paramGroups[0];
    const saved: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(group)) {
      if (key !== "params" && value !== undefined) saved[key] = encodeValue(value, `param group 0 ${key}`);
    }
    const state = this.state.get(group.params[0]);
    return {
      format: STATE_DICT_FORMAT,
      version: STATE_DICT_VERSION,
      kind: this.kind,
      paramGroups: [{ ...saved, params: group.params.map((_, i) => i) }],
      state: state === undefined ? {} : { "0": encodeState(state) },
      skippedSteps: this.skippedSteps,
    };
  }

  /**
   * Restores a state saved by {@link stateDict}, checking everything (the base class's checks,
   * and every LBFGS vector's length against the parameters) before anything changes.
   */
  override loadStateDict(stateDict: OptimizerStateDict): void {
    const sd = stateDict as unknown as Record<string, unknown>;
    let decoded: LBFGSState | undefined;
    const entries = sd?.state;
    if (
      typeof sd === "object" &&
      sd !== null &&
      sd.format === STATE_DICT_FORMAT &&
      sd.version === STATE_DICT_VERSION &&
      sd.kind === this.kind &&
      typeof entries === "object" &&
      entries !== null
    ) {
      for (const key of Object.keys(entries)) {
        if (key !== "0") {
          throw new RangeError(
            `LBFGS.loadStateDict: LBFGS keeps its state on parameter 0, but the state dict has state for parameter ${show(key)}`,
          );
        }
      }
      const entry = (entries as Record<string, unknown>)["0"];
      if (entry !== undefined) {
        const layout = flatLayout(this.paramGroups[0].params, "LBFGS.loadStateDict");
        decoded = decodeState(
          entry,
          layout.numel,
          layout.float32,
          "LBFGS.loadStateDict: state of parameter 0",
        );
      }
    }
    // The base class checks the rest (format, kind, the group and its options) and loads the group.
    super.loadStateDict({ ...stateDict, state: {} });
    if (decoded !== undefined) this.state.set(this.paramGroups[0].params[0], decoded);
  }

  /** Unused: LBFGS validates and loads its own state in {@link loadStateDict}. */
  protected stateLayout(): StateLayout {
    return { required: [], optional: [] };
  }

  /** Unused: LBFGS creates its state in {@link step}. */
  protected initState(): LBFGSState {
    return emptyState();
  }

  /** Unused: LBFGS has no per-parameter update; {@link step} does everything. */
  protected update(): void {
    throw new Error("LBFGS updates all parameters together in step(closure)");
  }
}

/** Throws unless `value` is an integer `>= min`. */
function checkCount(value: unknown, option: string, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new RangeError(`Invalid ${option} value: ${show(value)} (expected an integer >= ${min})`);
  }
}

/** Throws unless `value` is a number `>= 0` (NaN fails). */
function checkTolerance(value: unknown, option: string): void {
  if (typeof value !== "number" || !(value >= 0 && value < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`Invalid ${option} value: ${show(value)} (expected a finite number >= 0)`);
  }
}

/** The parameters' common dtype, total length, and each one's offset in the flat vector. */
interface FlatLayout {
  float32: boolean;
  numel: number;
  offsets: number[];
}

function flatLayout(params: Param[], where: string): FlatLayout {
  const dtype = floatDtype(params[0].data);
  const offsets: number[] = [];
  let numel = 0;
  params.forEach((p, i) => {
    const d = floatDtype(p.data);
    if (d !== dtype) {
      throw new TypeError(
        `${where}: all parameters must have the same dtype (they form one vector), but parameter 0 is ${dtype} and parameter ${i} is ${d ?? show(p.data)}`,
      );
    }
    offsets.push(numel);
    numel += p.data.length;
  });
  if (numel === 0) throw new RangeError(`${where}: the parameters have no elements`);
  return { float32: dtype === "float32", numel, offsets };
}

/** The parameters as the flat vector x of PyTorch's LBFGS, and the closure. */
class ParamsObjective implements FlatObjective {
  readonly float32: boolean;
  private firstLoss = Number.NaN;
  private calls = 0;

  constructor(
    private readonly params: Param[],
    private readonly closure: () => number,
    private readonly layout: FlatLayout,
    private readonly policy: NonFinitePolicy,
  ) {
    this.float32 = layout.float32;
  }

  evaluate(): { loss: number; grad: FloatArray } {
    const loss: unknown = this.closure();
    if (typeof loss !== "number") {
      throw new TypeError(`LBFGS.step: the closure must return the loss as a number, got ${show(loss)}`);
    }
    if (this.calls === 0) this.firstLoss = loss;
    this.calls += 1;
    return { loss, grad: this.gather() };
  }

  /** PyTorch's `_gather_flat_grad`: the gradients concatenated, zeros for a `null` grad. */
  private gather(): FloatArray {
    const flat = zerosOf(this.float32, this.layout.numel);
    this.params.forEach((p, i) => {
      const grad = p.grad;
      if (grad === null || grad === undefined) return;
      const data = (grad as { data?: unknown }).data;
      if (floatDtype(data) === undefined) {
        throw new TypeError(
          `LBFGS.step: the gradient of param ${i} in param group 0 must have data of type Float32Array or Float64Array, got ${show(data)}`,
        );
      }
      const values = data as FloatArray;
      if (values.length !== p.data.length) {
        throw new RangeError(
          `LBFGS.step: the gradient of param ${i} in param group 0 has ${values.length} elements, but the parameter has ${p.data.length}`,
        );
      }
      flat.set(values, this.layout.offsets[i]);
    });
    return flat;
  }

  accept(grad: FloatArray): void {
    if (this.policy === "propagate") return;
    const bad = firstNonFinite(grad);
    if (bad < 0) return;
    if (this.policy === "skip") throw new SkippedStep(this.firstLoss);
    const { offsets } = this.layout;
    let i = offsets.length - 1;
    while (offsets[i] > bad || this.params[i].data.length === 0) i -= 1;
    const element = bad - offsets[i];
    throw new NonFiniteGradientError(
      `LBFGS.step: non-finite gradient (${grad[bad]} at element ${element}) for param ${i} in param group 0; the parameters and the state were restored to where they were before this step. Use the option nonFinite: "skip" to skip such steps, or "propagate" for PyTorch's behaviour`,
      0,
      i,
      element,
      grad[bad],
    );
  }

  addScaled(t: number, d: FloatArray): void {
    this.params.forEach((p, i) => {
      addScaled(p.data, d, t, this.layout.offsets[i]);
    });
  }

  save(): FloatArray[] {
    return this.params.map((p) => p.data.slice());
  }

  restore(x: FloatArray[]): void {
    this.params.forEach((p, i) => {
      p.data.set(x[i]);
    });
  }
}

/** LBFGS in the optimizer catalog (`maxEval` is left to its default, ⌊maxIter·5/4⌋). */
export const LBFGS_ENTRY: OptimizerEntry = {
  id: "lbfgs",
  name: "L-BFGS",
  className: "LBFGS",
  create: (params, options) => new LBFGS(params, options),
  needsClosure: true,
  hyperparameters: [
    {
      ...LEARNING_RATE,
      default: 1,
      typical: [1e-3, 1],
      meaning: "step length: the fixed step without line search, the first trial step with it",
    },
    {
      kind: "number",
      key: "maxIter",
      option: "maxIter",
      label: "iterations per step",
      default: 20,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      integer: true,
      typical: [1, 100],
      scale: "log",
      meaning: "most L-BFGS iterations one step() runs (each evaluates the closure at least once)",
    },
    {
      kind: "number",
      key: "historySize",
      option: "historySize",
      label: "history",
      default: 100,
      min: 1,
      max: Number.POSITIVE_INFINITY,
      integer: true,
      typical: [3, 100],
      scale: "log",
      meaning: "number of recent (step, gradient change) pairs the curvature estimate uses",
    },
    {
      kind: "number",
      key: "toleranceGrad",
      option: "toleranceGrad",
      label: "gradient tolerance",
      default: 1e-7,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [1e-10, 1e-3],
      scale: "log",
      meaning: "stop when the largest gradient component is this small",
    },
    {
      kind: "number",
      key: "toleranceChange",
      option: "toleranceChange",
      label: "change tolerance",
      default: 1e-9,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [1e-12, 1e-3],
      scale: "log",
      meaning: "stop when a step or the loss change is this small",
    },
    {
      kind: "choice",
      key: "lineSearchFn",
      option: "lineSearchFn",
      label: "line search",
      choices: [null, "strong_wolfe"],
      default: null,
      meaning:
        "null: fixed steps of lr; strong_wolfe: a line search that finds a step satisfying the strong Wolfe conditions",
    },
  ],
  summary:
    "A quasi-Newton method: builds an estimate of the inverse curvature from the last steps and gradients, and steps along it, re-evaluating the loss (a closure) several times per step. Excellent on smooth, full-batch problems; poor with noisy mini-batch gradients.",
  update:
    "d ← −H·g (two-loop recursion over the last m pairs s = Δθ, y = Δg)\nθ ← θ + t·d (t = lr, or from the strong-Wolfe line search)",
  reference: {
    authors: "D. C. Liu, J. Nocedal",
    title: "On the limited memory BFGS method for large scale optimization",
    year: 1989,
    url: "https://doi.org/10.1007/BF01589116",
  },
};

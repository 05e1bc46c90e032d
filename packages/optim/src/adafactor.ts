import type { OptimizerEntry } from "./catalog-entry.js";
import { LEARNING_RATE } from "./hyperparameters.js";
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
import type { FloatArray, Param } from "./param.js";
import { paramShape } from "./param-shape.js";
import { floatDtype } from "./state-dict.js";
import { checkBoolean, show } from "./validate.js";

/** Adafactor's hyperparameters (PyTorch's, camelCased). */
export interface AdafactorHyperparameters {
  /**
   * γ: the cap of the relative step size `ρ_t = min(γ, 1/√t)` and the scale of the weight decay.
   * Default 1e-2.
   */
  lr: number;
  /** τ ≤ 0: the second-moment average takes weight `t^τ` on the new squared gradient. Default −0.8. */
  beta2Decay: number;
  /**
   * `[ε1, ε2]`: ε1 floors the row-factor mean and (squared) the variance estimate, `null` for the
   * machine epsilon of the parameter's type; ε2 floors the parameter's RMS in the step size.
   * Default `[null, 1e-3]`.
   */
  eps: [number | null, number];
  /** Clipping threshold d ≥ 1: the update is scaled down to RMS d when larger. Default 1. */
  d: number;
  /** λ, decoupled: `θ ← θ·(1 − γλ)`. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** Adafactor's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type AdafactorOptions = Partial<AdafactorHyperparameters> & OptimizerOptions;

/**
 * Adafactor's per-parameter state (PyTorch's names camelCased): for a parameter of rank ≥ 2, the
 * factored second moment, `rowVar` (the shape with the last dimension 1) and `colVar` (the shape
 * with the second-to-last dimension 1); for rank 0 or 1, `variance` (the parameter's shape).
 */
export interface AdafactorState extends ParamState {
  rowVar?: FloatArray;
  colVar?: FloatArray;
  variance?: FloatArray;
}

/** The second-moment buffers of one parameter: factored (rank ≥ 2) or not. */
export type AdafactorBuffers = { rowVar: FloatArray; colVar: FloatArray } | { variance: FloatArray };

/** The buffers of a parameter of this shape and their lengths. */
export function adafactorBufferLengths(shape: readonly number[]): Record<string, number> {
  if (shape.length < 2) return { variance: shape.length === 0 ? 1 : shape[0] };
  const lead = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  return { rowVar: lead * rows, colVar: lead * cols };
}

/** Python's `max(a, b)`: `a` unless `b > a` (so a NaN `b` gives `a`). */
function pyMax(a: number, b: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.max would give NaN for a NaN b; Python gives a
  return b > a ? b : a;
}

/** The machine epsilon of the array's type: PyTorch's `torch.finfo(param.dtype).eps`. */
export function machineEpsilon(a: FloatArray): number {
  return floatDtype(a) === "float32" ? 2 ** -23 : 2 ** -52;
}

const same = (x: number): number => x;

/**
 * One Adafactor step, in place, with PyTorch's semantics (`_single_tensor_adafactor`). With `t`
 * the step number (1 at the first step) and G the gradient (−∇ with maximize), for a parameter of
 * shape `[..., R, C]` (rank ≥ 2, every leading index a separate matrix):
 *
 *     w ← t^τ,   ρ ← min(γ, 1/√t),   α ← max(ε2, ‖θ‖₂/√n)·ρ         (Python floats; θ before decay)
 *     θ ← θ·(1 − γλ)                                                   (λ ≠ 0)
 *     r ← lerp(r, (‖G_i,:‖₂)²/C, w)      rows:    vector_norm(dim=-1).square_().div_(C)
 *     c ← lerp(c, (‖G_:,j‖₂)²/R, w)      columns: vector_norm(dim=-2).square_().div_(R)
 *     V ← (r·cᵀ) / max(mean(r), ε1)      row_var @ col_var, .div_(row_var.mean(-2).clamp_(min=ε1))
 *
 * and for rank 0 or 1, `V ← v ← lerp(v, G², w)`; then, for both:
 *
 *     U ← G / √max(V, ε1²)               var_estimate.clamp_(min=eps1*eps1).rsqrt_(), .mul_(grad)
 *     θ ← θ − (α / max(1, ‖U‖₂/(√n·d)))·U                             param.add_(update, alpha=…)
 *
 * Float64 arrays: float64 throughout. All-float32 arrays: every element-wise operation rounded to
 * float32 as ATen's CPU loops round them (Python-float scalars rounded to float32 first; `rsqrt`
 * is `1/√x`, two roundings), and the reductions (the norms, the mean) summed in float64 in index
 * order and rounded once to float32; `‖θ‖₂` and `‖U‖₂` then enter Python-float arithmetic as
 * float32 values, as `.item()` of a float32 tensor does.
 *
 * @param shape the parameter's shape (row-major over `p`).
 * @param buffers `{ rowVar, colVar }` for rank ≥ 2, `{ variance }` otherwise (updated in place).
 * @param t the step number, counting this step (1 at the first step).
 * @param eps1 ε1 (PyTorch's resolved `eps1`; see {@link Adafactor} for `null`).
 */
export function adafactorStep(
  p: FloatArray,
  grad: FloatArray,
  buffers: AdafactorBuffers,
  shape: readonly number[],
  t: number,
  h: AdafactorHyperparameters,
  eps1: number,
): void {
  const n = p.length;
  checkLength("adafactorStep", "grad", grad, n);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== n) {
    throw new RangeError(
      `adafactorStep: shape ${show(shape)} has ${size} elements, but the parameter has ${n}`,
    );
  }
  const lengths = adafactorBufferLengths(shape);
  const factored = "rowVar" in buffers;
  if (factored !== shape.length >= 2) {
    throw new RangeError(
      `adafactorStep: a parameter of shape ${show(shape)} needs ${shape.length >= 2 ? "rowVar and colVar" : "variance"}`,
    );
  }
  const stateArrays = factored ? [buffers.rowVar, buffers.colVar] : [buffers.variance];
  const names = factored ? ["rowVar", "colVar"] : ["variance"];
  stateArrays.forEach((a, k) => {
    checkLength("adafactorStep", names[k], a, lengths[names[k]]);
  });
  if (n === 0) return;
  const float32 = isFloat32(p) && isFloat32(grad) && stateArrays.every(isFloat32);
  const r = float32 ? f : same;
  const lerpR = float32 ? lerp32 : lerp;
  const { lr, beta2Decay, d, weightDecay, maximize } = h;
  const eps2 = h.eps[1];

  const oneMinusBeta2 = t ** beta2Decay; // `step_float**beta2_decay`
  const rho = Math.min(lr, 1 / Math.sqrt(t)); // `min(lr, 1 / (step_float**0.5))`
  const alpha = pyMax(eps2, r(norm2(p)) / Math.sqrt(n)) * rho;
  if (weightDecay !== 0) {
    const decay = r(1 - lr * weightDecay);
    for (let i = 0; i < n; i++) p[i] = r(p[i] * decay);
  }
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = maximize ? -grad[i] : grad[i];
  const w = r(oneMinusBeta2);
  // `update`: the variance estimate, then G/√V (a scratch array of the parameter's precision).
  const u = new Float64Array(n);
  if ("rowVar" in buffers) {
    const { rowVar, colVar } = buffers;
    const rows = shape[shape.length - 2];
    const cols = shape[shape.length - 1];
    const e1 = r(eps1);
    for (let base = 0, b = 0; base < n; base += rows * cols, b++) {
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += g[base + i * cols + j] * g[base + i * cols + j];
        const norm = r(Math.sqrt(s));
        rowVar[b * rows + i] = lerpR(rowVar[b * rows + i], r(r(norm * norm) / cols), w);
      }
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += g[base + i * cols + j] * g[base + i * cols + j];
        const norm = r(Math.sqrt(s));
        colVar[b * cols + j] = lerpR(colVar[b * cols + j], r(r(norm * norm) / rows), w);
      }
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += rowVar[b * rows + i];
      let mean = r(r(sum) / rows); // `row_var.mean(dim=-2, keepdim=True)`: sum, then div_
      if (mean < e1) mean = e1; // `.clamp_(min=eps1)` (NaN stays NaN)
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          u[base + i * cols + j] = r(r(rowVar[b * rows + i] * colVar[b * cols + j]) / mean);
        }
      }
    }
  } else {
    const { variance } = buffers;
    for (let i = 0; i < n; i++) {
      const v = lerpR(variance[i], r(g[i] * g[i]), w);
      variance[i] = v;
      u[i] = v; // `var_estimate = variance.clone()`
    }
  }
  const floor = r(eps1 * eps1);
  for (let i = 0; i < n; i++) {
    const v = Math.max(u[i], floor); // `.clamp_(min=eps1 * eps1)` (NaN stays NaN)
    u[i] = r(r(1 / r(Math.sqrt(v))) * g[i]); // `.rsqrt_()`, `update.mul_(grad)`
  }
  const denom = pyMax(1, r(norm2(u)) / (Math.sqrt(n) * d));
  const step = r(-alpha / denom);
  for (let i = 0; i < n; i++) p[i] = r(p[i] + r(step * u[i]));
}

/** √(Σ x²), summed in float64 in index order. */
function norm2(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** PyTorch's lerp on float32 values (weight already rounded to float32), one rounding per operation. */
function lerp32(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5
    ? f(start + f(weight * f(end - start)))
    : f(end - f(f(end - start) * f(1 - weight)));
}

/**
 * Adafactor (Shazeer & Stern, 2018), exactly PyTorch's `torch.optim.Adafactor`: Adam-like steps
 * without a first moment, with the second moment of a matrix kept as one number per row and one
 * per column (O(R + C) memory instead of O(R·C)), steps relative to the parameter's own scale, and
 * updates clipped by their RMS.
 *
 * Update rule (PyTorch's algorithm box), with `R₀ = C₀ = V̂₀ = 0`, for t = 1, 2, ...:
 *
 *     G_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     β̂2_t ← 1 − t^τ,   ρ_t ← min(γ, 1/√t),   α_t ← max(ε2, RMS(θ_{t−1}))·ρ_t
 *     θ_t ← θ_{t−1} − γλθ_{t−1}
 *     if dim(G_t) > 1:
 *       R_t ← β̂2_t·R_{t−1} + (1 − β̂2_t)·mean over columns of G_t²     (one value per row)
 *       C_t ← β̂2_t·C_{t−1} + (1 − β̂2_t)·mean over rows of G_t²        (one value per column)
 *       V̂_t ← R_t·C_t / max(mean(R_t), ε1)
 *     else:
 *       V̂_t ← β̂2_t·V̂_{t−1} + (1 − β̂2_t)·G_t²
 *     U_t ← G_t / max(√V̂_t, ε1)
 *     θ_t ← θ_t − α_t·U_t / max(1, RMS(U_t)/d)
 *
 * computed as PyTorch does (see {@link adafactorStep}): the averages by `lerp` with weight `t^τ`
 * (so the first step takes G² whole), the floor as `clamp(min=ε1²)` before `rsqrt`, the step size
 * `α` from the parameter before weight decay, and the factors over the last two dimensions with
 * the leading ones batched (a `[B, R, C]` parameter keeps `B·R` row and `B·C` column values).
 * `eps: [null, ε2]` takes ε1 = the machine epsilon of the parameter's type (2⁻⁵² for float64,
 * 2⁻²³ for float32) — as PyTorch, of the group's first parameter with a gradient, for the whole
 * group at that step. `step` counts as PyTorch's float32 step tensor does up to 2²⁴ steps.
 *
 * Defaults: `lr = 1e-2, beta2Decay = -0.8, eps = [null, 1e-3], d = 1, weightDecay = 0,
 * maximize = false` (PyTorch's).
 *
 * **Parameters.** Each parameter needs a `shape` (row-major over `data`): `@descent/tensor`
 * tensors have one, a plain object adds it (`{ data, grad, shape: [64, 32] }`; `[n]` for a
 * vector). A parameter without a shape is rejected when the optimizer is built.
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([0.5, -1, 2, 0.3, 1.5, -0.7]), grad: null, shape: [2, 3] };
 * const b = { data: new Float64Array([0.1, -0.2]), grad: null, shape: [2] };
 * const opt = new Adafactor([w, b], { lr: 0.01 });
 * w.grad = { data: new Float64Array([0.1, 0.2, -0.3, 0.4, -0.5, 0.6]) };
 * b.grad = { data: new Float64Array([1, -1]) };
 * opt.step(); // each moves by about lr·RMS(param): w by ~0.01, b by ~0.0016 per element
 * ```
 *
 * **Arithmetic.** Float64 parameters are updated in float64, float32 ones op by op in float32
 * (reductions summed in float64, then rounded once). Float64 trajectories match a float64 port of
 * PyTorch's code to about 1e-14 (JavaScript's `Math.pow` and C's `pow` differ in the last bit of
 * `t^τ` for some t), and PyTorch's own kernels, which sum norms and means in other orders, to
 * about 1e-13 over 100 steps (`fixtures/`).
 *
 * **Differences from other libraries.** PyTorch's Adafactor (this one) differs from the paper and
 * from the others in two ways: `lr` caps the relative step `ρ_t` (the paper's constant 0.01 is
 * the default lr) and scales a decoupled weight decay; ε1 floors the variance estimate at the end
 * instead of being added to G² before factoring.
 * - Hugging Face Transformers' `Adafactor`: `eps = (1e-30, 1e-3)` with ε1 added to G²,
 *   `clip_threshold = 1`, `decay_rate = -0.8`, optional first moment `beta1`,
 *   `relative_step = True` (ρ_t = min(1e-2, 1/√t), or 1e-6·t with `warmup_init`),
 *   `scale_parameter = True`; with `relative_step = False` it takes an absolute lr.
 * - Optax's `optax.adafactor` (after T5/Mesh TensorFlow): factors only dimensions of at least
 *   `min_dim_size_to_factor = 128` (the two largest, not the last two), `decay_rate = 0.8`
 *   (β2 = 1 − t^−0.8), ε = 1e-30 added to G², `clipping_threshold = 1`,
 *   `multiply_by_parameter_scale = True`, optional momentum, and an external learning rate.
 * - Keras's `Adafactor`: `beta_2_decay = -0.8`, `epsilon_1 = 1e-30` (added to G²),
 *   `epsilon_2 = 1e-3`, `clip_threshold = 1`, `relative_step = True`, lr 1e-3. TF.js has none.
 */
export class Adafactor extends Optimizer<AdafactorHyperparameters, AdafactorState> {
  get kind(): string {
    return "Adafactor";
  }

  constructor(params: ParamsInput<AdafactorHyperparameters>, options: AdafactorOptions = {}) {
    const [defaults, rest] = resolveOptions<AdafactorHyperparameters>("Adafactor", options, {
      lr: 1e-2,
      beta2Decay: -0.8,
      eps: [null, 1e-3],
      d: 1,
      weightDecay: 0,
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: AdafactorHyperparameters): void {
    const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
    if (!finite(h.lr) || !(h.lr >= 0)) {
      throw new RangeError(`Learning rate should be >= 0 but is: ${show(h.lr)}`);
    }
    if (!finite(h.beta2Decay) || !(h.beta2Decay <= 0)) {
      throw new RangeError(
        `beta2Decay should be <= 0 but is: ${show(h.beta2Decay)} (PyTorch: beta2_decay should be <= 0 but is: ${show(h.beta2Decay)})`,
      );
    }
    const eps = h.eps as unknown;
    if (!Array.isArray(eps) || eps.length !== 2) {
      throw new TypeError(`Invalid eps value: ${show(eps)} (expected a pair [eps1 or null, eps2])`);
    }
    if (eps[0] !== null && (!finite(eps[0]) || !(eps[0] >= 0))) {
      throw new RangeError(
        `epsilon1 should be >= 0 but is: ${show(eps[0])} (eps[0]; null for the dtype's epsilon)`,
      );
    }
    if (!finite(eps[1]) || !(eps[1] >= 0)) {
      throw new RangeError(`epsilon2 should be >= 0 but is: ${show(eps[1])} (eps[1])`);
    }
    if (!finite(h.d) || !(h.d >= 1)) {
      throw new RangeError(`Clipping threshold d should be >= 1 but is: ${show(h.d)}`);
    }
    if (!finite(h.weightDecay) || !(h.weightDecay >= 0)) {
      throw new RangeError(
        `weightDecay should be >= 0 but is: ${show(h.weightDecay)} (PyTorch: weight_decay should be >= 0 but is: ${show(h.weightDecay)})`,
      );
    }
    checkBoolean(h.maximize, "maximize");
  }

  /** Adafactor needs each parameter's shape to factor its second moment. */
  protected override checkParam(param: Param, where: string): void {
    paramShape(param, "Adafactor", where);
  }

  protected stateLayout(): StateLayout {
    return {
      required: [],
      optional: ["rowVar", "colVar", "variance"],
      nonNegative: ["rowVar", "colVar", "variance"],
      buffersOf: (param) => adafactorBufferLengths(paramShape(param, "Adafactor", "a parameter")),
    };
  }

  protected initState(p: FloatArray, _group: unknown, owner: Param): AdafactorState {
    const lengths = adafactorBufferLengths(paramShape(owner, "Adafactor", "a parameter"));
    const zeros = (n: number): FloatArray =>
      floatDtype(p) === "float32" ? new Float32Array(n) : new Float64Array(n);
    const state: AdafactorState = { step: 0 };
    for (const [name, length] of Object.entries(lengths)) {
      state[name as "rowVar" | "colVar" | "variance"] = zeros(length);
    }
    return state;
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: AdafactorState,
    group: ParamGroup & AdafactorHyperparameters,
    owner: Param,
  ): void {
    const shape = paramShape(owner, "Adafactor", "a parameter");
    // PyTorch: `if eps1 is None: eps1 = torch.finfo(param.dtype).eps` inside the loop over the
    // group's parameters with a gradient: the first one's dtype holds for the group.
    let eps1 = group.eps[0];
    if (eps1 === null) {
      const first = group.params.find((q) => q.grad !== null && q.grad !== undefined) ?? owner;
      eps1 = machineEpsilon(first.data);
    }
    const buffers =
      state.rowVar !== undefined && state.colVar !== undefined
        ? { rowVar: state.rowVar, colVar: state.colVar }
        : { variance: state.variance as FloatArray };
    adafactorStep(p, grad, buffers, shape, state.step, group, eps1);
  }
}

/** Adafactor in the optimizer catalog. */
export const ADAFACTOR_ENTRY: OptimizerEntry = {
  id: "adafactor",
  name: "Adafactor",
  className: "Adafactor",
  // The catalog sets ε2 only (`eps[1]`); ε1 stays PyTorch's default, the dtype's epsilon.
  create: (params, options) => {
    const eps = options.eps as (number | null | undefined)[] | undefined;
    return new Adafactor(
      params,
      Array.isArray(eps) ? { ...options, eps: [eps[0] ?? null, eps[1] as number] } : options,
    );
  },
  needsShape: true,
  hyperparameters: [
    {
      ...LEARNING_RATE,
      default: 1e-2,
      meaning: "cap of the relative step size min(lr, 1/√t), which multiplies the parameter's RMS",
    },
    {
      kind: "number",
      key: "beta2Decay",
      option: "beta2Decay",
      label: "β₂ decay τ",
      default: -0.8,
      min: Number.NEGATIVE_INFINITY,
      max: 0,
      typical: [-1, -0.3],
      scale: "linear",
      meaning: "the squared-gradient average takes weight t^τ on the newest gradient (τ = 0: no averaging)",
    },
    {
      kind: "number",
      key: "eps2",
      option: "eps",
      index: 1,
      label: "ε₂",
      default: 1e-3,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [1e-5, 1e-1],
      scale: "log",
      meaning: "floor of the parameter RMS that scales the step, so parameters at 0 still move",
    },
    {
      kind: "number",
      key: "d",
      option: "d",
      label: "clipping threshold d",
      default: 1,
      min: 1,
      max: Number.POSITIVE_INFINITY,
      typical: [1, 10],
      scale: "log",
      meaning: "updates whose RMS exceeds d are scaled down to RMS d",
    },
    {
      kind: "number",
      key: "weightDecay",
      option: "weightDecay",
      label: "weight decay",
      default: 0,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0, 0.1],
      scale: "linear",
      meaning: "decoupled decay: θ shrinks by lr·λ·θ each step, apart from the update",
    },
  ],
  summary:
    "Adam-like steps without momentum whose squared-gradient average of a matrix is stored as row and column factors (memory per row and column, not per entry), with steps relative to each parameter's scale and clipped updates. Made for large models on little memory.",
  update:
    "R ← lerp(R, rowmean(g²), t^τ),  C ← lerp(C, colmean(g²), t^τ)\nV ← R·Cᵀ / mean(R)\nU ← g/√V,  U ← U / max(1, RMS(U)/d)\nθ ← θ·(1 − γλ) − min(γ, 1/√t)·max(ε₂, RMS(θ))·U",
  reference: {
    authors: "N. Shazeer, M. Stern",
    title: "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost",
    year: 2018,
    url: "https://arxiv.org/abs/1804.04235",
  },
};

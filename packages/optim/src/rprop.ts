import type { OptimizerEntry } from "./catalog-entry.js";
import { LEARNING_RATE } from "./hyperparameters.js";
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
import { checkBoolean, checkLr, show } from "./validate.js";
import type { OptimKernels } from "./wasm/module.js";
import { runKernel } from "./wasm/stream.js";

/** Rprop's hyperparameters (PyTorch's, camelCased). Rprop has no weight decay (neither has PyTorch's). */
export interface RpropHyperparameters {
  /**
   * The initial step size of every coordinate, set at a parameter's first step. Later changes
   * (an lr scheduler) do not reach parameters that already took a step, as in PyTorch. Default 1e-2.
   */
  lr: number;
  /** `[etaminus, etaplus]`: step size factors after a sign flip and after a sign repeat. Default `[0.5, 1.2]`. */
  etas: [number, number];
  /** `[min, max]` step size. Default `[1e-6, 50]`. */
  stepSizes: [number, number];
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** Rprop's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type RpropOptions = Partial<RpropHyperparameters> & OptimizerOptions;

/** Rprop's per-parameter state: the previous (possibly zeroed) gradient and each coordinate's step size. */
export interface RpropState extends ParamState {
  /** PyTorch's `prev`. */
  prev: FloatArray;
  /** PyTorch's `step_size`. */
  stepSize: FloatArray;
}

/**
 * ATen's `sign` on one element: `(0 < a) − (a < 0)`, so +0 for +0, −0 **and NaN** (NaN does not
 * propagate, unlike `Math.sign`).
 */
function atenSign(a: number): number {
  return (0 < a ? 1 : 0) - (a < 0 ? 1 : 0);
}

/**
 * The step size factor of one element, exactly as PyTorch's three masked assignments compute it:
 * `s ← sign(g·prev)`, then `s[s > 0] ← etaplus`, `s[s < 0] ← etaminus`, `s[s == 0] ← 1`, each
 * assignment reading the values the previous one left.
 */
function factor(prod: number, etaminus: number, etaplus: number): number {
  let s = atenSign(prod);
  if (s > 0) s = etaplus;
  if (s < 0) s = etaminus;
  if (s === 0) s = 1;
  return s;
}

/**
 * `std::min(std::max(a, lo), hi)`: NaN propagates, and of two zeros the first operand is kept
 * (Math.max(−0, +0) would give +0).
 */
function clamp(a: number, lo: number, hi: number): number {
  // biome-ignore lint/complexity/useMathMinMax: std::max's treatment of ±0, not Math.max's
  const x = a < lo ? lo : a;
  // biome-ignore lint/complexity/useMathMinMax: std::min's treatment of ±0, not Math.min's
  return hi < x ? hi : x;
}

/**
 * One Rprop step, in place, with PyTorch's semantics (`_single_tensor_rprop`), in one pass:
 *
 *     g ← −∇ if maximize, else ∇
 *     s ← sign(g·prev) (0 for a NaN product), then etaplus where s > 0, etaminus where s < 0, 1 where s = 0
 *     η ← clamp(η·s, min, max)
 *     g ← 0 where s = etaminus
 *     p ← p − sign(g)·η
 *     prev ← g
 *
 * The product g·prev is rounded in the arrays' type, so it can underflow to 0 (then s = 1). The
 * zeroing tests `s = etaminus` literally, as PyTorch does: were etaminus 1 (in float32 an etaminus
 * within 3e-8 of 1 is 1), it would also zero the coordinates whose product was 0.
 *
 * @param prev the previous step's gradient (zero where it was zeroed).
 * @param stepSize η, each coordinate's step size.
 */
export function rpropStep(
  p: FloatArray,
  grad: FloatArray,
  prev: FloatArray,
  stepSize: FloatArray,
  h: RpropHyperparameters,
): void {
  const n = p.length;
  checkLength("rpropStep", "grad", grad, n);
  checkLength("rpropStep", "prev", prev, n);
  checkLength("rpropStep", "stepSize", stepSize, n);
  if (isFloat32(p) && isFloat32(grad) && isFloat32(prev) && isFloat32(stepSize)) {
    const kern = wasmFor(n);
    if (kern !== null && rpropWasm(kern, p, grad, prev, stepSize, h)) return;
    rpropLoopF32(p, grad, prev, stepSize, h);
    return;
  }
  const [etaminus, etaplus] = h.etas;
  const [lo, hi] = h.stepSizes;
  const { maximize } = h;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i] : grad[i];
    const s = factor(g * prev[i], etaminus, etaplus);
    const eta = clamp(stepSize[i] * s, lo, hi);
    stepSize[i] = eta;
    if (s === etaminus) g = 0;
    p[i] = p[i] + -atenSign(g) * eta;
    prev[i] = g;
  }
}

/**
 * {@link rpropStep}'s loop for float32 arrays: the product g·prev and η·s rounded to float32, the
 * factors and bounds rounded to float32 first (the comparison `s = etaminus` too, as PyTorch casts
 * the Python float to the tensor's dtype). The WASM kernel (`asm/rprop.ts`) computes exactly these
 * operations, so the two give the same bits.
 */
function rpropLoopF32(
  p: Float32Array,
  grad: Float32Array,
  prev: Float32Array,
  stepSize: Float32Array,
  h: RpropHyperparameters,
): void {
  const etaminus = f(h.etas[0]);
  const etaplus = f(h.etas[1]);
  const lo = f(h.stepSizes[0]);
  const hi = f(h.stepSizes[1]);
  const { maximize } = h;
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    const s = factor(f(g * prev[i]), etaminus, etaplus);
    const eta = clamp(f(stepSize[i] * s), lo, hi);
    stepSize[i] = eta;
    if (s === etaminus) g = 0;
    p[i] = f(p[i] + -atenSign(g) * eta);
    prev[i] = g;
  }
}

/** Which arrays `asm/rprop.ts` updates: p, (g), prev, step size. */
const RPROP_WRITE_BACK = [true, false, true, true];

/** {@link rpropLoopF32} in the WASM kernel `rpropF32` (`asm/rprop.ts`); false if it could not run. */
function rpropWasm(
  kern: OptimKernels,
  p: Float32Array,
  g: Float32Array,
  prev: Float32Array,
  stepSize: Float32Array,
  h: RpropHyperparameters,
): boolean {
  const [etaminus, etaplus] = h.etas;
  const [lo, hi] = h.stepSizes;
  return runKernel(kern, "rpropF32", [p, g, prev, stepSize], RPROP_WRITE_BACK, [
    etaminus,
    etaplus,
    lo,
    hi,
    h.maximize,
  ]);
}

/** A pair of finite numbers, or undefined. */
function pair(value: unknown): [number, number] | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [a, b] = value as unknown[];
  return typeof a === "number" && typeof b === "number" && Number.isFinite(a) && Number.isFinite(b)
    ? [a, b]
    : undefined;
}

/** PyTorch's `Invalid eta values: 1.5, 1.2` unless `0 < etaminus < 1 < etaplus` (finite). */
function checkEtas(etas: unknown): void {
  if (!Array.isArray(etas) || etas.length !== 2) {
    throw new TypeError(`Invalid etas value: ${show(etas)} (expected a pair [etaminus, etaplus])`);
  }
  const ok = pair(etas);
  if (ok === undefined || !(0 < ok[0] && ok[0] < 1 && 1 < ok[1])) {
    throw new RangeError(`Invalid eta values: ${show(etas[0])}, ${show(etas[1])}`);
  }
}

/**
 * `[min, max]` with `0 <= min <= max`, finite. PyTorch does not check the step sizes; with
 * `min > max` its clamp would pin every step size to `max`.
 */
function checkStepSizes(stepSizes: unknown): void {
  const ok = pair(stepSizes);
  if (ok === undefined || !(0 <= ok[0] && ok[0] <= ok[1])) {
    throw new RangeError(
      `Invalid stepSizes value: ${show(stepSizes)} (expected [min, max] with 0 <= min <= max)`,
    );
  }
}

/**
 * Rprop, resilient backpropagation (Riedmiller & Braun, 1993; the iRprop− variant), exactly
 * PyTorch's `torch.optim.Rprop` (see the package README on arithmetic: float64 for Float64Array
 * parameters, PyTorch's float32 op by op for Float32Array ones). Each coordinate moves by its own
 * step size in the direction of −sign(g); the size grows while the gradient keeps its sign and
 * shrinks when it flips. Meant for full-batch gradients: minibatch noise flips signs at random.
 *
 * Update rule (PyTorch's algorithm box), with `prev₀ = 0`, `η₀ = lr`, for t = 1, 2, ...:
 *
 *     g_t ← −∇f(θ_{t−1}) if maximize, else ∇f(θ_{t−1})
 *     for each coordinate i:
 *       if prev^i·g^i_t > 0:   η^i_t ← min(η^i_{t−1}·η₊, Γ_max)
 *       if prev^i·g^i_t < 0:   η^i_t ← max(η^i_{t−1}·η₋, Γ_min),   g^i_t ← 0
 *       otherwise:             η^i_t ← clamp(η^i_{t−1}, Γ_min, Γ_max)
 *     θ_t ← θ_{t−1} − η_t·sign(g_t)
 *     prev ← g_t
 *
 * computed as PyTorch does (see {@link rpropStep}): the step size is clamped to
 * `[Γ_min, Γ_max] = stepSizes` at every step, so a first step with lr outside the bounds is
 * clamped too; after a sign flip the coordinate does not move and its `prev` is 0, so the next
 * step keeps its step size. `sign` is ATen's: 0 for ±0 and NaN, so a NaN gradient (with
 * `nonFinite: "propagate"`) leaves its coordinate where it is and makes the next factor 1.
 * `lr` only initializes the step sizes, at each parameter's first step.
 *
 * Defaults: `lr = 1e-2, etas = [0.5, 1.2], stepSizes = [1e-6, 50], maximize = false` (PyTorch's).
 * Rprop has no `weightDecay` option (PyTorch's has none). `stepSizes` must satisfy
 * `0 <= min <= max` (PyTorch does not check them).
 *
 * @example
 * ```ts
 * const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
 * const opt = new Rprop([w], { lr: 0.1 });
 * opt.step(); // prev = 0: factor 1, each coordinate moves by lr against its sign: w = [0.9, −1.9]
 * opt.step(); // same signs: step sizes 0.1·1.2 = 0.12: w ≈ [0.78, −1.78]
 * ```
 *
 * **Differences from other libraries.** TF.js and Keras have no Rprop. Optax's `optax.rprop`
 * (same defaults) keeps the step size unclamped when the product is 0 (a first step with
 * `lr > max` moves by lr there, by max here) and compares the gradient with the previous
 * *update* rather than the previous gradient.
 */
export class Rprop extends Optimizer<RpropHyperparameters, RpropState> {
  get kind(): string {
    return "Rprop";
  }

  constructor(params: ParamsInput<RpropHyperparameters>, options: RpropOptions = {}) {
    const [defaults, rest] = resolveOptions<RpropHyperparameters>("Rprop", options, {
      lr: 1e-2,
      etas: [0.5, 1.2],
      stepSizes: [1e-6, 50],
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: RpropHyperparameters): void {
    checkLr(h.lr);
    checkEtas(h.etas);
    checkStepSizes(h.stepSizes);
    checkBoolean(h.maximize, "maximize");
  }

  protected stateLayout(): StateLayout {
    return { required: ["prev", "stepSize"], optional: [], nonNegative: ["stepSize"] };
  }

  protected initState(p: FloatArray, group: ParamGroup & RpropHyperparameters): RpropState {
    // PyTorch: `torch.full_like(grad, lr)` with the group's lr at this parameter's first step.
    return { step: 0, prev: zerosLike(p), stepSize: zerosLike(p).fill(group.lr) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: RpropState,
    group: ParamGroup & RpropHyperparameters,
  ): void {
    rpropStep(p, grad, state.prev, state.stepSize, group);
  }
}

/** Rprop in the optimizer catalog. */
export const RPROP_ENTRY: OptimizerEntry = {
  id: "rprop",
  name: "Rprop",
  className: "Rprop",
  create: (params, options) => new Rprop(params, options),
  hyperparameters: [
    {
      ...LEARNING_RATE,
      default: 1e-2,
      typical: [1e-4, 1],
      meaning: "initial step size of every coordinate (set at its first step)",
    },
    {
      kind: "number",
      key: "etaminus",
      option: "etas",
      index: 0,
      label: "η₋",
      default: 0.5,
      min: 0,
      max: 1,
      minExclusive: true,
      maxExclusive: true,
      typical: [0.3, 0.7],
      scale: "linear",
      meaning: "step size factor after the gradient changes sign",
    },
    {
      kind: "number",
      key: "etaplus",
      option: "etas",
      index: 1,
      label: "η₊",
      default: 1.2,
      min: 1,
      max: Number.POSITIVE_INFINITY,
      minExclusive: true,
      typical: [1.05, 1.5],
      scale: "linear",
      meaning: "step size factor while the gradient keeps its sign",
    },
    {
      kind: "number",
      key: "stepSizeMin",
      option: "stepSizes",
      index: 0,
      label: "min step",
      default: 1e-6,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [1e-8, 1e-4],
      scale: "log",
      meaning: "smallest step size (at most the largest)",
    },
    {
      kind: "number",
      key: "stepSizeMax",
      option: "stepSizes",
      index: 1,
      label: "max step",
      default: 50,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0.1, 100],
      scale: "log",
      meaning: "largest step size (at least the smallest)",
    },
  ],
  summary:
    "Moves each coordinate by its own step size against the sign of its gradient, growing the step while the sign holds and shrinking it when it flips; ignores gradient magnitudes. For full-batch training.",
  update:
    "s ← sign(g·g_prev)\nη ← clamp(η·η₊ if s > 0, η·η₋ if s < 0, η if s = 0)\ng ← 0 where s < 0\nθ ← θ − η·sign(g)",
  reference: {
    authors: "M. Riedmiller, H. Braun",
    title: "A Direct Adaptive Method for Faster Backpropagation Learning: The RPROP Algorithm",
    year: 1993,
    url: "https://doi.org/10.1109/ICNN.1993.298623",
  },
};

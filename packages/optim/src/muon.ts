import type { OptimizerEntry } from "./catalog-entry.js";
import { flag, LEARNING_RATE } from "./hyperparameters.js";
import { checkLength, f, isFloat32 } from "./kernel-check.js";
import { lerp } from "./lerp.js";
import { newtonSchulz } from "./newton-schulz.js";
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
import { zerosLike } from "./state-dict.js";
import { checkBoolean, checkEps, show } from "./validate.js";

/** How Muon scales the learning rate by the matrix's shape (PyTorch's `adjust_lr_fn`). */
export type MuonLrAdjustment = "original" | "match_rms_adamw";

/** Muon's hyperparameters (PyTorch's, camelCased; `adjustLr` is PyTorch's `adjust_lr_fn`). */
export interface MuonHyperparameters {
  /** Learning rate γ (before the shape adjustment). Default 1e-3. */
  lr: number;
  /** λ, decoupled: `θ ← θ·(1 − γλ)` each step. Default 0.1. */
  weightDecay: number;
  /** μ, the momentum of the buffer `B ← lerp(B, g, 1 − μ)`. Default 0.95. */
  momentum: number;
  /** Orthogonalize `lerp(g, B, μ)` instead of `B`. Default true. */
  nesterov: boolean;
  /** `[a, b, c]` of the Newton–Schulz quintic. Default `[3.4445, -4.775, 2.0315]`. */
  nsCoefficients: [number, number, number];
  /** Lower bound of the norm the update is divided by before the iteration. Default 1e-7. */
  eps: number;
  /** Newton–Schulz iterations, an integer in [0, 99]. Default 5. */
  nsSteps: number;
  /**
   * The learning-rate adjustment for a rows×cols matrix: `"original"` (Keller Jordan's),
   * `γ·√max(1, rows/cols)`; `"match_rms_adamw"` (Moonshot's), `0.2·γ·√max(rows, cols)`. `null` is
   * PyTorch's `None`, the same as `"original"`. Default `"original"`.
   */
  adjustLr: MuonLrAdjustment | null;
  /** Maximize the objective (an addition to PyTorch's Muon, which has no such option). Default false. */
  maximize: boolean;
}

/** Muon's options: any hyperparameter (defaulted) and the {@link OptimizerOptions}. */
export type MuonOptions = Partial<MuonHyperparameters> & OptimizerOptions;

/** Muon's per-parameter state: the momentum buffer (PyTorch's `momentum_buffer`). */
export interface MuonState extends ParamState {
  momentumBuffer: FloatArray;
}

/** `lr` scaled for a rows×cols matrix, PyTorch's `_adjust_lr`. */
export function muonAdjustedLr(
  lr: number,
  adjust: MuonLrAdjustment | null,
  rows: number,
  cols: number,
): number {
  // `A, B = param_shape[:2]`
  if (adjust === "match_rms_adamw") return lr * (0.2 * Math.sqrt(Math.max(rows, cols)));
  return lr * Math.sqrt(Math.max(1, rows / cols)); // None or "original"
}

/**
 * One Muon step on a rows×cols matrix (row-major), in place, with PyTorch's semantics
 * (`_single_tensor_muon`) in the parameter's precision:
 *
 *     g ← −∇ if maximize, else ∇
 *     B ← lerp(B, g, 1 − μ)                              buf.lerp_(grad, 1 - momentum)
 *     U ← lerp(g, B, μ) if nesterov, else B              grad.lerp(buf, momentum)
 *     O ← NS(U)                                          _zeropower_via_newtonschulz (see newtonSchulz)
 *     γ' ← γ·√max(1, rows/cols)  ("original"),  or 0.2·γ·√max(rows, cols)  ("match_rms_adamw")
 *     θ ← θ·(1 − γλ)                                     param.mul_(1 - lr * weight_decay)
 *     θ ← θ − γ'·O                                       param.add_(update, alpha=-adjusted_lr)
 *
 * Float64 arrays: every operation in float64. All-float32 arrays: every element-wise operation
 * rounded to float32 as ATen's CPU loops round them (Python-float scalars rounded to float32
 * first), norms and matrix products as {@link newtonSchulz} describes. PyTorch casts the
 * Newton–Schulz input to bfloat16 (`grad.bfloat16()`); this kernel does not (see {@link Muon}).
 */
export function muonStep(
  p: FloatArray,
  grad: FloatArray,
  momentumBuffer: FloatArray,
  rows: number,
  cols: number,
  h: MuonHyperparameters,
): void {
  const n = p.length;
  if (rows * cols !== n) {
    throw new RangeError(
      `muonStep: a ${rows}×${cols} matrix has ${rows * cols} elements, but the parameter has ${n}`,
    );
  }
  checkLength("muonStep", "grad", grad, n);
  checkLength("muonStep", "momentum_buffer", momentumBuffer, n);
  const { lr, weightDecay, momentum, nesterov, maximize } = h;
  const float32 = isFloat32(p) && isFloat32(grad) && isFloat32(momentumBuffer);
  const r = float32 ? f : (x: number) => x;
  const update = float32 ? new Float32Array(n) : new Float64Array(n);
  const w = r(1 - momentum);
  const mu = r(momentum);
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grad[i] : grad[i];
    const b = float32 ? lerp32(momentumBuffer[i], g, w) : lerp(momentumBuffer[i], g, w);
    momentumBuffer[i] = b;
    update[i] = nesterov ? (float32 ? lerp32(g, b, mu) : lerp(g, b, mu)) : b;
  }
  const ortho = newtonSchulz(update, rows, cols, {
    coefficients: h.nsCoefficients,
    steps: h.nsSteps,
    eps: h.eps,
    float32,
  });
  const step = r(-muonAdjustedLr(lr, h.adjustLr, rows, cols));
  const decay = r(1 - lr * weightDecay);
  for (let i = 0; i < n; i++) {
    const pi = decay === 1 ? p[i] : r(p[i] * decay);
    p[i] = r(pi + r(step * ortho[i]));
  }
}

/** PyTorch's lerp on float32 values (weight already rounded to float32), one rounding per operation. */
function lerp32(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5
    ? f(start + f(weight * f(end - start)))
    : f(end - f(f(end - start) * f(1 - weight)));
}

/**
 * Muon (MomentUm Orthogonalized by Newton–Schulz; K. Jordan et al., 2024), exactly PyTorch's
 * `torch.optim.Muon`, for 2-D parameters (weight matrices) only, except that the Newton–Schulz
 * iteration runs in the parameter's precision where PyTorch runs it in bfloat16.
 *
 * Update rule (PyTorch's algorithm box), with `B₀ = 0`, for t = 1, 2, ...:
 *
 *     g_t ← ∇f(θ_{t−1})                     (−∇ with maximize)
 *     B_t ← μ·B_{t−1} + (1 − μ)·g_t          (lerp; PyTorch's box writes μB + g)
 *     B̃_t ← (1 − μ)·g_t + μ·B_t if nesterov, else B_t
 *     O_t ← NS_k^{(a,b,c)}(B̃_t; ε)           (k Newton–Schulz steps, see newtonSchulz)
 *     θ_t ← θ_{t−1} − γλθ_{t−1}
 *     θ_t ← θ_t − AdjustLR(γ; rows, cols)·O_t
 *
 * `O_t` is approximately the orthogonal factor `U·Vᵀ` of `B̃_t = U·S·Vᵀ`: every direction of the
 * update gets about the same size, whatever the gradient's conditioning. AdjustLR is
 * `γ·√max(1, rows/cols)` (`adjustLr: "original"`, the default) or `0.2·γ·√max(rows, cols)`
 * (`"match_rms_adamw"`, which gives the update about the RMS of AdamW's, so AdamW's lr and weight
 * decay carry over).
 *
 * Defaults: `lr = 1e-3, weightDecay = 0.1, momentum = 0.95, nesterov = true,
 * nsCoefficients = [3.4445, -4.775, 2.0315], eps = 1e-7, nsSteps = 5, adjustLr = "original"`
 * (PyTorch's; its `adjust_lr_fn=None` means "original", and `null` is accepted for it).
 *
 * **Parameters.** Each parameter must have a 2-D `shape` (`[rows, cols]`, row-major over `data`):
 * `@descent/tensor` tensors have one, a plain object adds it (`{ data, grad, shape: [4, 3] }`). A
 * parameter without a shape, or not 2-D, is rejected when the optimizer is built, as in PyTorch.
 * Muon is meant for the hidden layers' weight matrices; biases, gains, embeddings and the output
 * layer go to another rule, usually AdamW, in a second optimizer stepped alongside:
 *
 * @example
 * ```ts
 * const hidden = { data: new Float64Array(64 * 32), grad: null, shape: [64, 32] };
 * const bias = { data: new Float64Array(64), grad: null };
 * const muon = new Muon([hidden], { lr: 0.02 });
 * const adamw = new AdamW([bias], { lr: 3e-4 });
 * // each iteration: compute the gradients, then
 * muon.step();
 * adamw.step();
 * ```
 *
 * **Arithmetic.** Float64 parameters are updated in float64, float32 ones op by op in float32
 * (norms and matrix products summed in float64 and rounded once; see {@link newtonSchulz}).
 * PyTorch 2.9+ computes the Newton–Schulz iteration in bfloat16 (8 significant bits) and adds the
 * bfloat16 result to the parameter: its trajectories differ from this package's by about 1 % of
 * each update, a difference of precision, not of algorithm.
 *
 * **Speed.** Each Newton–Schulz step costs three matrix products, `2·m²·n + m³` multiply-adds for
 * an m×n matrix (m ≤ n; half of `X·Xᵀ` and of `A·A` by symmetry). They run in a WASM SIMD kernel
 * (or, with `setKernelBackend("js")` or without WebAssembly SIMD, cache-blocked TypeScript, about
 * 2.5× slower, same bits). Measured on one core (Node 20, x64): a step on a 1024×256 matrix (5
 * iterations, 550 M multiply-adds) takes about 0.16 s, against 0.4 s in TypeScript and 1 ms for
 * AdamW; a 256×256 matrix about 25 ms.
 *
 * **Differences from other libraries.**
 * - Keller Jordan's original `Muon` (the reference implementation): lr 0.02, weight decay 0,
 *   normalises by `‖X‖ + 1e-7` instead of `max(‖X‖, ε)`, computes `B = b·A + c·A·A` without addmm,
 *   reshapes 4-D convolution kernels to matrices, and runs in bfloat16; its lr scaling is
 *   "original".
 * - Moonshot's Moonlight (`match_rms_adamw`): the same update scaled by `0.2·√max(rows, cols)`,
 *   with AdamW's lr and weight decay reused.
 * - Optax's `optax.contrib.muon`: ε = 1e-8 added to the norm; momentum as a bias-corrected EMA
 *   (`mu_hat`); scaling `√max(1, cols/rows)` of its (in, out)-shaped kernels, the same rule for
 *   the transposed layout; no weight decay by default; and it sends every non-2-D parameter to
 *   its own AdamW automatically, where this class rejects them.
 * - Keras's `Muon` also routes non-2-D variables (and embeddings) to AdamW, with `rms_rate = 0.2`
 *   scaling like `match_rms_adamw`. TF.js has no Muon.
 */
export class Muon extends Optimizer<MuonHyperparameters, MuonState> {
  get kind(): string {
    return "Muon";
  }

  constructor(params: ParamsInput<MuonHyperparameters>, options: MuonOptions = {}) {
    const [defaults, rest] = resolveOptions<MuonHyperparameters>("Muon", options, {
      lr: 1e-3,
      weightDecay: 0.1,
      momentum: 0.95,
      nesterov: true,
      nsCoefficients: [3.4445, -4.775, 2.0315],
      eps: 1e-7,
      nsSteps: 5,
      adjustLr: "original",
      maximize: false,
    });
    super(params, defaults, rest);
  }

  protected validate(h: MuonHyperparameters): void {
    const atLeastZero = (value: unknown, option: string, torch: string): void => {
      if (typeof value !== "number" || !(0 <= value && value < Number.POSITIVE_INFINITY)) {
        throw new RangeError(
          `${option} should be >= 0 but is: ${show(value)} (PyTorch: ${torch} should be >= 0 but is: ${show(value)})`,
        );
      }
    };
    if (typeof h.lr !== "number" || !(0 <= h.lr && h.lr < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`Learning rate should be >= 0 but is: ${show(h.lr)}`);
    }
    atLeastZero(h.momentum, "momentum", "momentum");
    atLeastZero(h.weightDecay, "weightDecay", "weight decay");
    checkBoolean(h.nesterov, "nesterov");
    const coefficients = h.nsCoefficients as unknown;
    if (
      !Array.isArray(coefficients) ||
      coefficients.length !== 3 ||
      !coefficients.every((x) => typeof x === "number" && Number.isFinite(x))
    ) {
      throw new RangeError(
        `Invalid nsCoefficients value: ${show(coefficients)} (expected three finite numbers [a, b, c]; PyTorch: Coefficients must be a tuple of exactly 3 values)`,
      );
    }
    checkEps(h.eps);
    if (!Number.isInteger(h.nsSteps) || h.nsSteps < 0) {
      throw new RangeError(`Invalid nsSteps value: ${show(h.nsSteps)} (expected an integer in [0, 99])`);
    }
    if (h.nsSteps >= 100) {
      throw new RangeError(
        `Invalid nsSteps value: ${show(h.nsSteps)} (PyTorch: Number of steps must be less than 100 for computational efficiency)`,
      );
    }
    if (h.adjustLr !== null && h.adjustLr !== "original" && h.adjustLr !== "match_rms_adamw") {
      throw new RangeError(
        `Adjust learning rate function ${show(h.adjustLr)} is not supported (adjustLr must be "original", "match_rms_adamw" or null)`,
      );
    }
    checkBoolean(h.maximize, "maximize");
  }

  /** Muon optimizes matrices only, as PyTorch's Muon (which checks `p.ndim != 2` at construction). */
  protected override checkParam(param: Param, where: string): void {
    const shape = paramShape(param, "Muon", where);
    if (shape.length !== 2) {
      throw new RangeError(
        `Muon only supports 2D parameters whereas we found a parameter with size: ${show(shape)} (${where}); optimize vectors, biases, embeddings and other non-matrix parameters with another rule, such as AdamW, in a second optimizer`,
      );
    }
  }

  protected stateLayout(): StateLayout {
    return { required: ["momentumBuffer"], optional: [] };
  }

  protected initState(p: FloatArray): MuonState {
    return { step: 0, momentumBuffer: zerosLike(p) };
  }

  protected update(
    p: FloatArray,
    grad: FloatArray,
    state: MuonState,
    group: ParamGroup & MuonHyperparameters,
    owner: Param,
  ): void {
    this.checkParam(owner, "a parameter");
    const [rows, cols] = owner.shape as readonly [number, number];
    muonStep(p, grad, state.momentumBuffer, rows, cols, group);
  }
}

/** Muon in the optimizer catalog. */
export const MUON_ENTRY: OptimizerEntry = {
  id: "muon",
  name: "Muon",
  className: "Muon",
  create: (params, options) => new Muon(params, options),
  needsShape: true,
  hyperparameters: [
    { ...LEARNING_RATE, default: 1e-3 },
    {
      kind: "number",
      key: "momentum",
      option: "momentum",
      label: "momentum μ",
      default: 0.95,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0.8, 0.99],
      scale: "linear",
      meaning: "decay of the momentum buffer that is orthogonalized",
    },
    flag("nesterov", "Nesterov", "orthogonalize the Nesterov look-ahead (1 − μ)·g + μ·B instead of B", true),
    {
      kind: "number",
      key: "weightDecay",
      option: "weightDecay",
      label: "weight decay",
      default: 0.1,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [0, 0.2],
      scale: "linear",
      meaning: "decoupled decay: θ shrinks by lr·λ·θ each step, apart from the update",
    },
    {
      kind: "number",
      key: "nsSteps",
      option: "nsSteps",
      label: "Newton–Schulz steps",
      default: 5,
      min: 0,
      max: 99,
      integer: true,
      typical: [1, 10],
      scale: "linear",
      meaning: "iterations of the orthogonalization; each costs three matrix products",
    },
    {
      kind: "number",
      key: "nsA",
      option: "nsCoefficients",
      index: 0,
      label: "Newton–Schulz a",
      default: 3.4445,
      min: Number.NEGATIVE_INFINITY,
      max: Number.POSITIVE_INFINITY,
      typical: [1.5, 4],
      scale: "linear",
      meaning: "slope of the iteration's polynomial at 0: how fast small singular values grow",
    },
    {
      kind: "number",
      key: "nsB",
      option: "nsCoefficients",
      index: 1,
      label: "Newton–Schulz b",
      default: -4.775,
      min: Number.NEGATIVE_INFINITY,
      max: Number.POSITIVE_INFINITY,
      typical: [-6, -0.5],
      scale: "linear",
      meaning: "cubic coefficient of the iteration's polynomial",
    },
    {
      kind: "number",
      key: "nsC",
      option: "nsCoefficients",
      index: 2,
      label: "Newton–Schulz c",
      default: 2.0315,
      min: Number.NEGATIVE_INFINITY,
      max: Number.POSITIVE_INFINITY,
      typical: [0, 3],
      scale: "linear",
      meaning: "quintic coefficient of the iteration's polynomial",
    },
    {
      kind: "number",
      key: "eps",
      option: "eps",
      label: "ε",
      default: 1e-7,
      min: 0,
      max: Number.POSITIVE_INFINITY,
      typical: [1e-10, 1e-5],
      scale: "log",
      meaning: "lower bound of the norm the update is divided by before the iteration",
    },
    {
      kind: "choice",
      key: "adjustLr",
      option: "adjustLr",
      label: "lr adjustment",
      choices: ["original", "match_rms_adamw"],
      default: "original",
      meaning:
        "original: lr·√max(1, rows/cols); match_rms_adamw: 0.2·lr·√max(rows, cols), so AdamW's lr carries over",
    },
  ],
  summary:
    "Momentum whose update matrix is orthogonalized by a few Newton–Schulz iterations, so every direction moves by about the same amount. For the weight matrices of hidden layers; biases and other parameters need another rule.",
  update:
    "B ← μ·B + (1 − μ)·g\nU ← (1 − μ)·g + μ·B  (Nesterov)\nO ← NS(U) ≈ orthogonal factor of U\nθ ← θ·(1 − γ·λ) − γ·√max(1, rows/cols)·O",
  reference: {
    authors: "K. Jordan, Y. Jin, V. Boza, J. You, F. Cesista, L. Newhouse, J. Bernstein",
    title: "Muon: An optimizer for hidden layers in neural networks",
    year: 2024,
    url: "https://kellerjordan.github.io/posts/muon/",
  },
};

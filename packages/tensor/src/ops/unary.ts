import type { UnaryKernel } from "../backend/backend.js";
import { backend } from "../backend/index.js";
import { checkOptions, checkTensor, describeValue } from "../check.js";
import { allocate } from "../dtype.js";
import { apply } from "../engine.js";
import { erf } from "../erf.js";
import type { Tensor } from "../tensor.js";
import type { Ctx, Forward, Op, UnaryAttrs, UnaryOpName } from "./op.js";
import { reluF32, reluGradF32 } from "./relu-bits.js";

/** An elementwise unary op: its kernels, run by the backend, and the op the engine applies. */
export interface UnaryOp extends Op<UnaryAttrs> {
  readonly kernel: UnaryKernel;
}

/** The op `y = f(x)` of `kernel`: forward runs `kernel.forward`, backward `kernel.backward` (gx = g·f′(x)). */
function unaryOp(kernel: UnaryKernel, backwardReads?: readonly (number | "output")[]): UnaryOp {
  return {
    name: kernel.name,
    kernel,
    ...(backwardReads === undefined ? {} : { backwardReads }),
    forward(inputs: readonly Tensor[], a: UnaryAttrs): Forward {
      const x = inputs[0];
      const out = allocate(x.dtype, x.size);
      backend.unary(kernel, x.data, out, x.size, a.p0, a.p1);
      return { data: out, shape: x.shape };
    },
    backward(g, ctx: Ctx<UnaryAttrs>) {
      const x = ctx.inputs[0];
      const out = allocate(x.dtype, x.size);
      backend.unaryGrad(kernel, x.data, ctx.outData, g, out, x.size, ctx.attrs.p0, ctx.attrs.p1);
      return [out];
    },
  };
}

const SQRT1_2 = Math.SQRT1_2;
/** 1/√(2π): the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;
/** √(2/π) */
const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_TANH_C = 0.044715;

/**
 * The unary primitives, each with its forward kernel `y = f(x)` and its backward kernel
 * `gx = g · f′(x)` side by side (`y` is the saved forward output). The mapped type makes a
 * primitive of `UnaryOpAttrs` without both kernels a compile error.
 */
export const unaryOps = {
  /** −x → −1 */
  neg: unaryOp(
    {
      name: "neg",
      forward(x, out, n) {
        for (let i = 0; i < n; i++) out[i] = -x[i];
      },
      backward(_x, _y, g, out, n) {
        for (let i = 0; i < n; i++) out[i] = -g[i];
      },
    },
    [],
  ),
  /** eˣ → eˣ = y */
  exp: unaryOp({
    name: "exp",
    forward(x, out, n) {
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
    },
    backward(_x, y, g, out, n) {
      for (let i = 0; i < n; i++) out[i] = g[i] * y[i];
    },
  }),
  /** ln x → 1/x */
  log: unaryOp({
    name: "log",
    forward(x, out, n) {
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
    },
    backward(x, _y, g, out, n) {
      for (let i = 0; i < n; i++) out[i] = g[i] / x[i];
    },
  }),
  /** √x → 1/(2√x) = 1/(2y) */
  sqrt: unaryOp({
    name: "sqrt",
    forward(x, out, n) {
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
    },
    backward(_x, y, g, out, n) {
      for (let i = 0; i < n; i++) out[i] = g[i] / (2 * y[i]);
    },
  }),
  /** |x| → sgn(x), with sgn(0) = sgn(NaN) = 0 as in PyTorch */
  abs: unaryOp({
    name: "abs",
    forward(x, out, n) {
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
    },
    backward(x, _y, g, out, n) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? g[i] : v < 0 ? -g[i] : 0;
      }
    },
  }),
  /** sin x → cos x */
  sin: unaryOp(
    {
      name: "sin",
      forward(x, out, n) {
        for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]);
      },
      backward(x, _y, g, out, n) {
        for (let i = 0; i < n; i++) out[i] = g[i] * Math.cos(x[i]);
      },
    },
    [0],
  ),
  /** cos x → −sin x */
  cos: unaryOp(
    {
      name: "cos",
      forward(x, out, n) {
        for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]);
      },
      backward(x, _y, g, out, n) {
        for (let i = 0; i < n; i++) out[i] = -g[i] * Math.sin(x[i]);
      },
    },
    [0],
  ),
  /** tanh x → 1 − y² */
  tanh: unaryOp({
    name: "tanh",
    forward(x, out, n) {
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
    },
    backward(_x, y, g, out, n) {
      for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i] * y[i]);
    },
  }),
  /** σ(x) = 1/(1 + e⁻ˣ) → (1 − y)·y */
  sigmoid: unaryOp({
    name: "sigmoid",
    forward(x, out, n) {
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
    },
    backward(_x, y, g, out, n) {
      for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i]) * y[i];
    },
  }),
  /**
   * max(x, 0) (NaN stays NaN) → [y > 0], PyTorch's `threshold_backward(g, y, 0)`: zero where
   * y ≤ 0, so a NaN result passes the gradient. float32 arrays run on bit patterns (`relu-bits.ts`).
   */
  relu: unaryOp({
    name: "relu",
    forward(x, out, n) {
      if (x instanceof Float32Array && out instanceof Float32Array) {
        reluF32(x, out, n);
        return;
      }
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : Number.isNaN(v) ? v : 0;
      }
    },
    backward(_x, y, g, out, n) {
      if (g instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array) {
        reluGradF32(g, y, out, n);
        return;
      }
      for (let i = 0; i < n; i++) out[i] = y[i] <= 0 ? 0 : g[i];
    },
  }),
  /** x > 0 ? x : s·x → x > 0 ? 1 : s (s = p0, the negative slope) */
  leakyRelu: unaryOp({
    name: "leakyRelu",
    forward(x, out, n, s) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : v * s;
      }
    },
    backward(x, _y, g, out, n, s) {
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : g[i] * s;
    },
  }),
  /** Exact GELU x·Φ(x), Φ(x) = ½(1 + erf(x/√2)) → Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π) */
  gelu: unaryOp({
    name: "gelu",
    forward(x, out, n) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v * 0.5 * (1 + erf(v * SQRT1_2));
      }
    },
    backward(x, _y, g, out, n) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const cdf = 0.5 * (1 + erf(v * SQRT1_2));
        const pdf = Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
        out[i] = g[i] * (cdf + v * pdf);
      }
    },
  }),
  /**
   * tanh-approximated GELU ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³)
   *   → ½(1 + tanh u) + ½x(1 − tanh² u)·√(2/π)(1 + 3·0.044715x²)
   */
  geluTanh: unaryOp({
    name: "geluTanh",
    forward(x, out, n) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_TANH_C * v * v * v)));
      }
    },
    backward(x, _y, g, out, n) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const inner = SQRT_2_OVER_PI * (v + GELU_TANH_C * v * v * v);
        const t = Math.tanh(inner);
        const dInner = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * v * v);
        out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner);
      }
    },
  }),
  /** min(max(x, lo), hi) (NaN stays NaN; lo = p0, hi = p1, ±∞ for none) → [lo ≤ x ≤ hi] */
  clamp: unaryOp({
    name: "clamp",
    forward(x, out, n, lo, hi) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi);
      }
    },
    backward(x, _y, g, out, n, lo, hi) {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v >= lo && v <= hi ? g[i] : 0;
      }
    },
  }),
  /** xᵖ (p = p0, see {@link powScalar}) → p·xᵖ⁻¹, and 0 when p = 0 (PyTorch's `pow_backward`) */
  pow: unaryOp({
    name: "pow",
    forward(x, out, n, p) {
      for (let i = 0; i < n; i++) out[i] = powScalar(x[i], p);
    },
    backward(x, _y, g, out, n, p) {
      if (p === 0) {
        out.fill(0, 0, n);
        return;
      }
      for (let i = 0; i < n; i++) out[i] = g[i] * (p * powScalar(x[i], p - 1));
    },
  }),
} satisfies { readonly [K in UnaryOpName]: UnaryOp };

/**
 * `xᵖ` as PyTorch's CPU kernel computes it: the exponents 2, 3, −1, −2, ½, −½ by products, reciprocals
 * and square roots; otherwise C `pow`, whose special cases differ from JS `**` (C: 1ᵖ = 1 and
 * (−1)^±∞ = 1 even for NaN/∞ exponents; JS gives NaN).
 */
export function powScalar(x: number, p: number): number {
  switch (p) {
    case 2:
      return x * x;
    case 3:
      return x * x * x;
    case -1:
      return 1 / x;
    case -2:
      return 1 / (x * x);
    case 0.5:
      return Math.sqrt(x);
    case -0.5:
      return 1 / Math.sqrt(x);
  }
  if (x === 1 || p === 0) return 1;
  if (x === -1 && (p === Number.POSITIVE_INFINITY || p === Number.NEGATIVE_INFINITY)) return 1;
  return x ** p;
}

const NONE: UnaryAttrs = { p0: 0, p1: 0 };

export const neg = (x: Tensor): Tensor => apply(unaryOps.neg, [checkTensor("neg", "input", x)], NONE);
export const exp = (x: Tensor): Tensor => apply(unaryOps.exp, [checkTensor("exp", "input", x)], NONE);
export const log = (x: Tensor): Tensor => apply(unaryOps.log, [checkTensor("log", "input", x)], NONE);
export const sqrt = (x: Tensor): Tensor => apply(unaryOps.sqrt, [checkTensor("sqrt", "input", x)], NONE);
export const abs = (x: Tensor): Tensor => apply(unaryOps.abs, [checkTensor("abs", "input", x)], NONE);
export const sin = (x: Tensor): Tensor => apply(unaryOps.sin, [checkTensor("sin", "input", x)], NONE);
export const cos = (x: Tensor): Tensor => apply(unaryOps.cos, [checkTensor("cos", "input", x)], NONE);
export const tanh = (x: Tensor): Tensor => apply(unaryOps.tanh, [checkTensor("tanh", "input", x)], NONE);
export const sigmoid = (x: Tensor): Tensor =>
  apply(unaryOps.sigmoid, [checkTensor("sigmoid", "input", x)], NONE);
export const relu = (x: Tensor): Tensor => apply(unaryOps.relu, [checkTensor("relu", "input", x)], NONE);

function checkNumber(op: string, name: string, v: unknown, allowInfinite = false): number {
  if (typeof v !== "number" || Number.isNaN(v) || (!allowInfinite && !Number.isFinite(v))) {
    throw new TypeError(
      `${op}: ${name} must be a ${allowInfinite ? "non-NaN" : "finite"} number, got ${typeof v === "number" ? v : describeValue(v)}`,
    );
  }
  return v;
}

/** LeakyReLU with `negativeSlope` (PyTorch default 0.01). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkTensor("leakyRelu", "input", x);
  checkNumber("leakyRelu", "negativeSlope", negativeSlope);
  return apply(unaryOps.leakyRelu, [x], { p0: negativeSlope, p1: 0 });
}

/** GELU: exact `x·Φ(x)` by default, or the tanh approximation with `{ approximate: "tanh" }`. */
export function gelu(x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  checkTensor("gelu", "input", x);
  const { approximate = "none" } = checkOptions("gelu", opts, ["approximate"]);
  if (approximate === "tanh") return apply(unaryOps.geluTanh, [x], NONE);
  if (approximate !== "none") {
    throw new TypeError(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
  }
  return apply(unaryOps.gelu, [x], NONE);
}

/** Clamps into `[min, max]`; either bound may be `undefined`/`null` (none). */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkTensor("clamp", "input", x);
  const lo =
    min === undefined || min === null ? Number.NEGATIVE_INFINITY : checkNumber("clamp", "min", min, true);
  const hi =
    max === undefined || max === null ? Number.POSITIVE_INFINITY : checkNumber("clamp", "max", max, true);
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new TypeError("clamp: at least one of min or max must be given");
  }
  return apply(unaryOps.clamp, [x], { p0: lo, p1: hi });
}

/** Elementwise power with a number exponent: `xᵖ`. */
export function pow(x: Tensor, exponent: number): Tensor {
  checkTensor("pow", "input", x);
  if (typeof exponent !== "number") {
    throw new TypeError(
      `pow: exponent must be a number, got ${describeValue(exponent)} (tensor exponents are not supported)`,
    );
  }
  return apply(unaryOps.pow, [x], { p0: exponent, p1: 0 });
}

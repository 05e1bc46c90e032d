import { Unary, type UnaryCode } from "../backend/backend.js";
import { backend } from "../backend/index.js";
import { checkOptions, checkTensor, describeValue } from "../check.js";
import { allocate } from "../dtype.js";
import { apply } from "../engine.js";
import type { Tensor } from "../tensor.js";
import type { Ctx, Forward, Op, OpTable, UnaryAttrs } from "./op.js";

/**
 * An elementwise op y = f(x) with kernel `code`; backward gx = g · f'(x) (see the derivative of
 * each case in `backend/reference.ts#unaryGrad`).
 */
function unaryOp(name: string, code: UnaryCode): Op<UnaryAttrs> {
  return {
    name,
    forward(inputs: readonly Tensor[], a: UnaryAttrs): Forward {
      const x = inputs[0];
      const out = allocate(x.dtype, x.size);
      backend.unary(code, x.data, out, x.size, a.p0, a.p1);
      return { data: out, shape: x.shape };
    },
    backward(g, ctx: Ctx<UnaryAttrs>) {
      const x = ctx.inputs[0];
      const out = allocate(x.dtype, x.size);
      backend.unaryGrad(code, x.data, ctx.outData, g, out, x.size, ctx.attrs.p0, ctx.attrs.p1);
      return [out];
    },
  };
}

/**
 * Unary primitives and their derivatives:
 *   neg: −x → −1        exp: eˣ → eˣ        log: ln x → 1/x        sqrt: √x → 1/(2√x)
 *   abs: |x| → sign(x) (0 at 0)             tanh → 1 − tanh²       sigmoid σ → σ(1−σ)
 *   relu: max(x,0) → [x>0]                 leakyRelu: x>0 ? x : s·x → x>0 ? 1 : s
 *   gelu: x·Φ(x) → Φ(x) + x·φ(x)           geluTanh: ½x(1+tanh(√(2/π)(x+0.044715x³)))
 *   clamp(lo,hi) → [lo ≤ x ≤ hi]           pow(p): xᵖ → p·xᵖ⁻¹ (0 when p = 0)
 */
export const unaryOps = {
  neg: unaryOp("neg", Unary.neg),
  exp: unaryOp("exp", Unary.exp),
  log: unaryOp("log", Unary.log),
  sqrt: unaryOp("sqrt", Unary.sqrt),
  abs: unaryOp("abs", Unary.abs),
  tanh: unaryOp("tanh", Unary.tanh),
  sigmoid: unaryOp("sigmoid", Unary.sigmoid),
  relu: unaryOp("relu", Unary.relu),
  leakyRelu: unaryOp("leakyRelu", Unary.leakyRelu),
  gelu: unaryOp("gelu", Unary.gelu),
  geluTanh: unaryOp("geluTanh", Unary.geluTanh),
  clamp: unaryOp("clamp", Unary.clamp),
  pow: unaryOp("pow", Unary.pow),
} satisfies Partial<OpTable>;

const NONE: UnaryAttrs = { p0: 0, p1: 0 };

export const neg = (x: Tensor): Tensor => apply(unaryOps.neg, [checkTensor("neg", "input", x)], NONE);
export const exp = (x: Tensor): Tensor => apply(unaryOps.exp, [checkTensor("exp", "input", x)], NONE);
export const log = (x: Tensor): Tensor => apply(unaryOps.log, [checkTensor("log", "input", x)], NONE);
export const sqrt = (x: Tensor): Tensor => apply(unaryOps.sqrt, [checkTensor("sqrt", "input", x)], NONE);
export const abs = (x: Tensor): Tensor => apply(unaryOps.abs, [checkTensor("abs", "input", x)], NONE);
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

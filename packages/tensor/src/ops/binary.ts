import type { BinaryKernel } from "../backend/backend.js";
import { backend } from "../backend/index.js";
import { describeValue } from "../check.js";
import { allocate, type FloatArray, promote } from "../dtype.js";
import { apply } from "../engine.js";
import { broadcastShapes, broadcastStrides, contiguousStrides, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { BinaryOpName, Ctx, Forward, Grads, Op } from "./op.js";

/** A tensor, or a number that acts as a 0-d tensor of the other operand's dtype (no promotion). */
export type TensorOrNumber = Tensor | number;

/** Turns numbers into 0-d tensors of `dtype`; `name` is the argument, for error messages. */
export function toTensor(op: string, v: TensorOrNumber, dtype: Tensor["dtype"], name = "other"): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v !== "number") {
    throw new TypeError(`${op}: argument '${name}' must be a Tensor or a number, got ${describeValue(v)}`);
  }
  const data = dtype === "float64" ? new Float64Array(1) : new Float32Array(1);
  data[0] = v;
  return new Tensor(data, []);
}

/** Broadcast `a ∘ b` into a new output-shaped array of `dtype`. */
function broadcastBinary(
  kernel: BinaryKernel,
  a: FloatArray,
  aShape: readonly number[],
  b: FloatArray,
  bShape: readonly number[],
  outShape: readonly number[],
  dtype: Tensor["dtype"],
): FloatArray {
  const out = allocate(dtype, sizeOf(outShape));
  backend.binary(
    kernel,
    a,
    broadcastStrides(aShape, outShape),
    b,
    broadcastStrides(bShape, outShape),
    out,
    outShape,
  );
  return out;
}

function forwardBinary(kernel: BinaryKernel, inputs: readonly Tensor[]): Forward {
  const [a, b] = inputs;
  const shape = broadcastShapes(kernel.name, a.shape, b.shape);
  const dtype = promote(a.dtype, b.dtype);
  return { data: broadcastBinary(kernel, a.data, a.shape, b.data, b.shape, shape, dtype), shape };
}

/** `g ∘ x` where `x` broadcasts to `g`'s (output) shape. Output-shaped. */
function gWith(kernel: BinaryKernel, g: FloatArray, x: Tensor, ctx: Ctx<null>): FloatArray {
  const s = ctx.outShape;
  const out = allocate(g instanceof Float64Array ? "float64" : "float32", g.length);
  backend.binary(kernel, g, contiguousStrides(s), x.data, broadcastStrides(x.shape, s), out, s);
  return out;
}

/** An elementwise binary op: its kernel, run by the backend, and the op the engine applies. */
export interface BinaryOp extends Op<null> {
  readonly kernel: BinaryKernel;
}

/**
 * The broadcast op `a ∘ b` of `kernel` (`a`, `b` of broadcastable shapes, promoted dtype); its
 * backward receives the op's own kernel too, for gradients such as g·b and g/b.
 */
function binaryOp(
  kernel: BinaryKernel,
  backward: (g: FloatArray, ctx: Ctx<null>, needs: readonly boolean[], self: BinaryKernel) => Grads,
  backwardReads?: readonly (number | "output")[],
): BinaryOp {
  return {
    name: kernel.name,
    kernel,
    forward: (inputs) => forwardBinary(kernel, inputs),
    backward: (g, ctx, needs) => backward(g, ctx, needs, kernel),
    ...(backwardReads === undefined ? {} : { backwardReads }),
  };
}

function negate(a: FloatArray): FloatArray {
  for (let i = 0; i < a.length; i++) a[i] = -a[i];
  return a;
}

/**
 * `a == b ? ½ : a < b ? 0 : 1`: the gradient mask of maximum for `a` (PyTorch derivatives.yaml:
 * `where(self == other, grad / 2, grad).masked_fill_(self < other, 0)`, so NaN passes grad).
 */
const MAX_GRAD_MASK: BinaryKernel = {
  name: "maximumGradMask",
  row(a, ai, as, b, bi, bs, out, o, n) {
    for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs) {
      const x = a[p];
      const y = b[q];
      out[j] = x === y ? 0.5 : x < y ? 0 : 1;
    }
  },
};

/** `a == b ? ½ : a > b ? 0 : 1`: the gradient mask of minimum for `a`. */
const MIN_GRAD_MASK: BinaryKernel = {
  name: "minimumGradMask",
  row(a, ai, as, b, bi, bs, out, o, n) {
    for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs) {
      const x = a[p];
      const y = b[q];
      out[j] = x === y ? 0.5 : x > y ? 0 : 1;
    }
  },
};

/** Gradients of maximum or minimum from their mask kernel: g·mask(a, b) and g·mask(b, a). */
function tieGrads(g: FloatArray, ctx: Ctx<null>, needs: readonly boolean[], mask: BinaryKernel): Grads {
  const [a, b] = ctx.inputs;
  const s = ctx.outShape;
  const dt = g instanceof Float64Array ? "float64" : "float32";
  const res: Grads = [];
  for (let i = 0; i < 2; i++) {
    if (!needs[i]) {
      res.push(null);
      continue;
    }
    const [x, y] = i === 0 ? [a, b] : [b, a];
    const m = broadcastBinary(mask, x.data, x.shape, y.data, y.shape, s, dt);
    for (let j = 0; j < m.length; j++) m[j] *= g[j];
    res.push(m);
  }
  return res;
}

/**
 * The binary primitives (NumPy broadcasting; the engine sums broadcast gradients back), each with
 * its row kernel `out[o + j] = a[ai + j·as] ∘ b[bi + j·bs]` and its gradients side by side. The
 * mapped type makes a primitive of `BinaryOpAttrs` without both a compile error. Row loops step
 * their indices by the strides (an add per element, not a product j·as: ≈ 10 % faster in V8).
 */
export const binaryOps = {
  /** a + b → (g, g) */
  add: binaryOp(
    {
      name: "add",
      row(a, ai, as, b, bi, bs, out, o, n) {
        for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs) out[j] = a[p] + b[q];
      },
    },
    (g) => [g, g],
    [],
  ),
  /** a − b → (g, −g) */
  sub: binaryOp(
    {
      name: "sub",
      row(a, ai, as, b, bi, bs, out, o, n) {
        for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs) out[j] = a[p] - b[q];
      },
    },
    (g, _ctx, needs) => [g, needs[1] ? negate(g.slice()) : null],
    [],
  ),
  /** a·b → (g·b, g·a) */
  mul: binaryOp(
    {
      name: "mul",
      row(a, ai, as, b, bi, bs, out, o, n) {
        for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs) out[j] = a[p] * b[q];
      },
    },
    (g, ctx, needs, mul) => [
      needs[0] ? gWith(mul, g, ctx.inputs[1], ctx) : null,
      needs[1] ? gWith(mul, g, ctx.inputs[0], ctx) : null,
    ],
    [0, 1],
  ),
  /** a/b → (g/b, −g·a/b²), the latter as −g·((a/b)/b) in PyTorch's order (a/b is the saved output) */
  div: binaryOp(
    {
      name: "div",
      row(a, ai, as, b, bi, bs, out, o, n) {
        for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs) out[j] = a[p] / b[q];
      },
    },
    (g, ctx, needs, div) => {
      const b = ctx.inputs[1];
      const ga = needs[0] ? gWith(div, g, b, ctx) : null;
      if (!needs[1]) return [ga, null];
      const gb = gWith(div, ctx.outData, b, ctx);
      for (let i = 0; i < gb.length; i++) gb[i] = -g[i] * gb[i];
      return [ga, gb];
    },
    [1, "output"],
  ),
  /**
   * max(a, b) (NaN propagates) → g to the larger input, split ½–½ on ties; where either is NaN
   * both inputs receive g (PyTorch's derivatives.yaml masks only strict comparisons)
   */
  maximum: binaryOp(
    {
      name: "maximum",
      row(a, ai, as, b, bi, bs, out, o, n) {
        for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs)
          out[j] = Math.max(a[p], b[q]);
      },
    },
    (g, ctx, needs) => tieGrads(g, ctx, needs, MAX_GRAD_MASK),
    [0, 1],
  ),
  /** min(a, b) (NaN propagates) → g to the smaller input; ties and NaN as `maximum` */
  minimum: binaryOp(
    {
      name: "minimum",
      row(a, ai, as, b, bi, bs, out, o, n) {
        for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs)
          out[j] = Math.min(a[p], b[q]);
      },
    },
    (g, ctx, needs) => tieGrads(g, ctx, needs, MIN_GRAD_MASK),
    [0, 1],
  ),
} satisfies { readonly [K in BinaryOpName]: BinaryOp };

function binaryFn(op: Op<null>) {
  return (a: TensorOrNumber, b: TensorOrNumber): Tensor => {
    const dt = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : "float32";
    return apply(op, [toTensor(op.name, a, dt, "input"), toTensor(op.name, b, dt, "other")], null);
  };
}

/** `a + b` with broadcasting. */
export const add = binaryFn(binaryOps.add);
/** `a − b` with broadcasting. */
export const sub = binaryFn(binaryOps.sub);
/** `a · b` elementwise with broadcasting. */
export const mul = binaryFn(binaryOps.mul);
/** `a / b` elementwise with broadcasting (true division). */
export const div = binaryFn(binaryOps.div);
/** Elementwise maximum with broadcasting (NaN propagates). */
export const maximum = binaryFn(binaryOps.maximum);
/** Elementwise minimum with broadcasting (NaN propagates). */
export const minimum = binaryFn(binaryOps.minimum);

/** A comparison (no gradient; dtype promoted from the inputs): 1 where it holds, else 0. */
function compareFn(kernel: BinaryKernel) {
  return (a: TensorOrNumber, b: TensorOrNumber): Tensor => {
    const dt = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : "float32";
    const ta = toTensor(kernel.name, a, dt, "input");
    const tb = toTensor(kernel.name, b, dt, "other");
    const f = forwardBinary(kernel, [ta, tb]);
    return new Tensor(f.data, f.shape);
  };
}

/** `a == b` as 1/0 (no gradient; dtype promoted from the inputs). */
export const eq = compareFn({
  name: "eq",
  row(a, ai, as, b, bi, bs, out, o, n) {
    for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs)
      out[j] = a[p] === b[q] ? 1 : 0;
  },
});
/** `a != b` as 1/0 (no gradient). */
export const ne = compareFn({
  name: "ne",
  row(a, ai, as, b, bi, bs, out, o, n) {
    for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs)
      out[j] = a[p] !== b[q] ? 1 : 0;
  },
});
/** `a < b` as 1/0 (no gradient). */
export const lt = compareFn({
  name: "lt",
  row(a, ai, as, b, bi, bs, out, o, n) {
    for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs) out[j] = a[p] < b[q] ? 1 : 0;
  },
});
/** `a <= b` as 1/0 (no gradient). */
export const le = compareFn({
  name: "le",
  row(a, ai, as, b, bi, bs, out, o, n) {
    for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs)
      out[j] = a[p] <= b[q] ? 1 : 0;
  },
});
/** `a > b` as 1/0 (no gradient). */
export const gt = compareFn({
  name: "gt",
  row(a, ai, as, b, bi, bs, out, o, n) {
    for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs) out[j] = a[p] > b[q] ? 1 : 0;
  },
});
/** `a >= b` as 1/0 (no gradient). */
export const ge = compareFn({
  name: "ge",
  row(a, ai, as, b, bi, bs, out, o, n) {
    for (let j = o, p = ai, q = bi, end = o + n; j < end; j++, p += as, q += bs)
      out[j] = a[p] >= b[q] ? 1 : 0;
  },
});

/**
 * `where(cond, a, b)`: `a` where `cond ≠ 0`, else `b`, all three broadcast together.
 * Gradients flow to `a` and `b` (masked); `cond` gets none.
 */
export const whereOp: Op<null> = {
  name: "where",
  forward(inputs) {
    const [c, a, b] = inputs;
    const shape = broadcastShapes("where", broadcastShapes("where", c.shape, a.shape), b.shape);
    const n = sizeOf(shape);
    const dtype = promote(a.dtype, b.dtype);
    const cs = expandTo(c, shape);
    const as = expandTo(a, shape);
    const bs = expandTo(b, shape);
    const out = allocate(dtype, n);
    for (let i = 0; i < n; i++) out[i] = cs[i] !== 0 ? as[i] : bs[i];
    return { data: out, shape, saved: cs };
  },
  backward(g, ctx, needs) {
    const cs = ctx.saved as FloatArray;
    const dt = g instanceof Float64Array ? "float64" : "float32";
    const ga = needs[1] ? allocate(dt, g.length) : null;
    const gb = needs[2] ? allocate(dt, g.length) : null;
    for (let i = 0; i < g.length; i++) {
      if (cs[i] !== 0) {
        if (ga) ga[i] = g[i];
      } else if (gb) gb[i] = g[i];
    }
    return [null, ga, gb];
  },
};

/** A contiguous copy of `x` broadcast to `shape` (or `x.data` itself when already that size). */
export function expandTo(x: Tensor, shape: readonly number[]): FloatArray {
  const n = sizeOf(shape);
  if (x.size === n) return x.data;
  const out = allocate(x.dtype, n);
  backend.expand(x.data, broadcastStrides(x.shape, shape), out, shape);
  return out;
}

/** A condition: a tensor or number (nonzero, including NaN, is true), a boolean, or nested arrays of them. */
export type Condition = TensorOrNumber | boolean | readonly Condition[];

/** Booleans → 1/0 in a (nested) condition array; other values are left for `Tensor.from` to check. */
function condValues(v: readonly Condition[]): unknown[] {
  return v.map((e) => (typeof e === "boolean" ? (e ? 1 : 0) : Array.isArray(e) ? condValues(e) : e));
}

/**
 * Elementwise select: `cond ≠ 0 ? a : b`, broadcasting all three (`torch.where`). `cond` may be a
 * tensor of 0/1 (a comparison's result), a boolean, or nested arrays of booleans/numbers.
 */
export function where(cond: Condition, a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const dt = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : "float32";
  const c =
    typeof cond === "boolean"
      ? toTensor("where", cond ? 1 : 0, dt, "condition")
      : Array.isArray(cond)
        ? Tensor.from(condValues(cond) as never, { dtype: dt })
        : toTensor("where", cond as TensorOrNumber, dt, "condition");
  return apply(whereOp, [c, toTensor("where", a, dt, "input"), toTensor("where", b, dt, "other")], null);
}

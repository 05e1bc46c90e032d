import { Binary, type BinaryCode } from "../backend/backend.js";
import { backend } from "../backend/index.js";
import { describeValue } from "../check.js";
import { allocate, type FloatArray, promote } from "../dtype.js";
import { apply } from "../engine.js";
import { broadcastShapes, broadcastStrides, contiguousStrides, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { Ctx, Forward, Grads, Op, OpTable } from "./op.js";

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
  code: BinaryCode,
  a: FloatArray,
  aShape: readonly number[],
  b: FloatArray,
  bShape: readonly number[],
  outShape: readonly number[],
  dtype: Tensor["dtype"],
): FloatArray {
  const out = allocate(dtype, sizeOf(outShape));
  backend.binary(
    code,
    a,
    broadcastStrides(aShape, outShape),
    b,
    broadcastStrides(bShape, outShape),
    out,
    outShape,
  );
  return out;
}

function forwardBinary(op: string, code: BinaryCode, inputs: readonly Tensor[]): Forward {
  const [a, b] = inputs;
  const shape = broadcastShapes(op, a.shape, b.shape);
  const dtype = promote(a.dtype, b.dtype);
  return { data: broadcastBinary(code, a.data, a.shape, b.data, b.shape, shape, dtype), shape };
}

/** `g ∘ x` where `x` broadcasts to `g`'s (output) shape. Output-shaped. */
function gWith(code: BinaryCode, g: FloatArray, x: Tensor, ctx: Ctx<null>): FloatArray {
  const s = ctx.outShape;
  const out = allocate(g instanceof Float64Array ? "float64" : "float32", g.length);
  backend.binary(code, g, contiguousStrides(s), x.data, broadcastStrides(x.shape, s), out, s);
  return out;
}

/** A broadcast binary op over two tensors; `a`, `b` of broadcastable shapes, promoted dtype. */
function binaryOp(name: string, code: BinaryCode, backward: Op<null>["backward"]): Op<null> {
  return { name, forward: (inputs) => forwardBinary(name, code, inputs), backward };
}

function negate(a: FloatArray): FloatArray {
  for (let i = 0; i < a.length; i++) a[i] = -a[i];
  return a;
}

/**
 * Binary primitives (NumPy broadcasting; the engine sums broadcast gradients back):
 *   add: a + b → (g, g)              sub: a − b → (g, −g)
 *   mul: a·b → (g·b, g·a)            div: a/b → (g/b, −g·a/b²)
 *   maximum/minimum → g to the larger/smaller input, split ½–½ on ties; where either is NaN both
 *   inputs receive g (PyTorch's derivatives.yaml masks only strict comparisons)
 */
export const binaryOps = {
  add: binaryOp("add", Binary.add, (g) => [g, g]),
  sub: binaryOp("sub", Binary.sub, (g, _ctx, needs) => [g, needs[1] ? negate(g.slice()) : null]),
  mul: binaryOp("mul", Binary.mul, (g, ctx, needs) => [
    needs[0] ? gWith(Binary.mul, g, ctx.inputs[1], ctx) : null,
    needs[1] ? gWith(Binary.mul, g, ctx.inputs[0], ctx) : null,
  ]),
  div: binaryOp("div", Binary.div, (g, ctx, needs) => {
    const b = ctx.inputs[1];
    const ga = needs[0] ? gWith(Binary.div, g, b, ctx) : null;
    if (!needs[1]) return [ga, null];
    // −g·((a/b)/b), in PyTorch's order of operations: (a/b) is the saved output.
    const gb = gWith(Binary.div, ctx.outData, b, ctx);
    for (let i = 0; i < gb.length; i++) gb[i] = -g[i] * gb[i];
    return [ga, gb];
  }),
  maximum: binaryOp("maximum", Binary.maximum, (g, ctx, needs) =>
    tieGrads(g, ctx, needs, Binary.maxGradMask),
  ),
  minimum: binaryOp("minimum", Binary.minimum, (g, ctx, needs) =>
    tieGrads(g, ctx, needs, Binary.minGradMask),
  ),
} satisfies Partial<OpTable>;

/** Gradients of maximum or minimum from their mask kernel: g·mask(a, b) and g·mask(b, a). */
function tieGrads(g: FloatArray, ctx: Ctx<null>, needs: readonly boolean[], mask: BinaryCode): Grads {
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

function compareFn(name: string, code: BinaryCode) {
  return (a: TensorOrNumber, b: TensorOrNumber): Tensor => {
    const dt = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : "float32";
    const ta = toTensor(name, a, dt, "input");
    const tb = toTensor(name, b, dt, "other");
    const f = forwardBinary(name, code, [ta, tb]);
    return new Tensor(f.data, f.shape);
  };
}

/** `a == b` as 1/0 (no gradient; dtype promoted from the inputs). */
export const eq = compareFn("eq", Binary.eq);
/** `a != b` as 1/0 (no gradient). */
export const ne = compareFn("ne", Binary.ne);
/** `a < b` as 1/0 (no gradient). */
export const lt = compareFn("lt", Binary.lt);
/** `a <= b` as 1/0 (no gradient). */
export const le = compareFn("le", Binary.le);
/** `a > b` as 1/0 (no gradient). */
export const gt = compareFn("gt", Binary.gt);
/** `a >= b` as 1/0 (no gradient). */
export const ge = compareFn("ge", Binary.ge);

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

/** Elementwise select: `cond ≠ 0 ? a : b`, broadcasting all three. */
export function where(cond: TensorOrNumber, a: TensorOrNumber, b: TensorOrNumber): Tensor {
  const dt = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : "float32";
  const c = toTensor("where", cond, dt, "condition");
  return apply(whereOp, [c, toTensor("where", a, dt, "input"), toTensor("where", b, dt, "other")], null);
}

/**
 * User-defined differentiable ops: a forward and its backward side by side, run by the same engine
 * as the built-in primitives (broadcast gradients summed back, dtype casts, gradient accumulation,
 * the stale-value check, anomaly mode), and checkable with `gradcheck`.
 */
import { checkTensor, describeValue } from "./check.js";
import type { FloatArray } from "./dtype.js";
import { apply } from "./engine.js";
import type { Ctx, Forward, Grads, Op } from "./ops/op.js";
import { broadcastShapes, fmtShape, MAX_DIMS, sameShape, sizeOf } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** A custom op's definition: the same record the built-in ops are (see `Op`). */
export type OpDefinition<A = undefined> = Op<A>;

/**
 * Turns `{ name, forward, backward, backwardReads? }` into a differentiable function
 * `(inputs, attrs?) => Tensor` (PyTorch's `torch.autograd.Function`):
 *
 * - `forward(inputs, attrs)` returns `{ data, shape, saved? }`: a NEW Float32Array/Float64Array of
 *   `shape` (or an input's own `data`, which makes the result a view of it), and anything backward
 *   needs in `saved`. It must not write into its inputs.
 * - `backward(g, ctx, needs)` gets the gradient `g` of the output (output-shaped, the output's
 *   dtype) and `ctx` = `{ inputs, attrs, outData, outShape, saved }`, and returns one gradient per
 *   input: `null` where `needs[i]` is false (or the input gets none), else an array shaped like that
 *   input or like the output (the engine then sums it over the broadcast dims). It must not write
 *   into `g`, the inputs or the output; returning `g` itself is fine.
 * - `backwardReads` lists what backward reads of the forward values (input indices, `"output"`);
 *   default: every input and the output. Backward throws if one of them was overwritten since the
 *   forward pass.
 *
 * Results are checked: a forward result that is not a float array of its shape, or a gradient of
 * the wrong length or kind, is an error naming the op and the input.
 */
export function defineOp<A = undefined>(
  definition: OpDefinition<A>,
): (inputs: readonly Tensor[], attrs?: A) => Tensor {
  if (typeof definition !== "object" || definition === null) {
    throw new TypeError(`defineOp: expected { name, forward, backward }, got ${describeValue(definition)}`);
  }
  const { name, forward, backward, backwardReads } = definition;
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`defineOp: name must be a non-empty string, got ${describeValue(name)}`);
  }
  for (const [k, f] of [
    ["forward", forward],
    ["backward", backward],
  ] as const) {
    if (typeof f !== "function") {
      throw new TypeError(`defineOp: '${name}' needs a ${k} function, got ${describeValue(f)}`);
    }
  }
  if (backwardReads !== undefined) {
    if (!Array.isArray(backwardReads)) {
      throw new TypeError(
        `defineOp: '${name}': backwardReads must be an array, got ${describeValue(backwardReads)}`,
      );
    }
    for (const r of backwardReads) {
      if (r !== "output" && !(Number.isInteger(r) && r >= 0)) {
        throw new TypeError(
          `defineOp: '${name}': backwardReads holds input indices and "output", got ${describeValue(r)}`,
        );
      }
    }
  }
  const reads = backwardReads === undefined ? undefined : Object.freeze(backwardReads.slice());
  const op: Op<A> = {
    name,
    backwardReads: reads,
    forward(inputs, attrs) {
      return checkForward(name, forward.call(definition, inputs, attrs));
    },
    backward(g, ctx, needs) {
      return checkGrads(name, backward.call(definition, g, ctx, needs), ctx, needs);
    },
  };
  return (inputs: readonly Tensor[], attrs?: A): Tensor => {
    if (!Array.isArray(inputs)) {
      throw new TypeError(`${name}: inputs must be an array of tensors, got ${describeValue(inputs)}`);
    }
    for (let i = 0; i < inputs.length; i++) checkTensor(name, `inputs[${i}]`, inputs[i]);
    if (reads !== undefined) {
      for (const r of reads) {
        if (r !== "output" && r >= inputs.length) {
          throw new RangeError(
            `${name}: backwardReads names input ${r}, but the op got ${inputs.length} inputs`,
          );
        }
      }
    }
    return apply(op, inputs.slice(), attrs as A);
  };
}

function isFloatArray(v: unknown): v is FloatArray {
  return v instanceof Float32Array || v instanceof Float64Array;
}

function checkForward(name: string, f: unknown): Forward {
  const r = f as Forward;
  if (typeof f !== "object" || f === null || !isFloatArray(r.data)) {
    throw new TypeError(
      `${name}: forward must return { data: Float32Array | Float64Array, shape }, got ${
        typeof f === "object" && f !== null ? `data ${describeValue(r.data)}` : describeValue(f)
      }`,
    );
  }
  const s = r.shape as unknown;
  if (!Array.isArray(s) || s.length > MAX_DIMS || !s.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(
      `${name}: forward returned an invalid shape ${Array.isArray(s) ? fmtShape(s) : describeValue(s)}`,
    );
  }
  if (sizeOf(s) !== r.data.length) {
    throw new RangeError(
      `${name}: forward returned ${r.data.length} values for shape ${fmtShape(s)} (${sizeOf(s)} elements)`,
    );
  }
  return { data: r.data, shape: Object.freeze(s.slice()), saved: r.saved };
}

function checkGrads(name: string, res: unknown, ctx: Ctx<unknown>, needs: readonly boolean[]): Grads {
  const inputs = ctx.inputs;
  if (!Array.isArray(res)) {
    throw new TypeError(
      `${name}: backward must return an array with one gradient (or null) per input, got ${describeValue(res)}`,
    );
  }
  if (res.length > inputs.length) {
    throw new RangeError(`${name}: backward returned ${res.length} gradients for ${inputs.length} inputs`);
  }
  const outSize = sizeOf(ctx.outShape);
  for (let i = 0; i < inputs.length; i++) {
    const gi = res[i] as unknown;
    if (!needs[i] || gi === null || gi === undefined) continue;
    const x = inputs[i];
    if (!isFloatArray(gi)) {
      throw new TypeError(
        `${name}: backward must return a Float32Array, a Float64Array or null for input ${i}, got ${describeValue(gi)}`,
      );
    }
    if (gi.length === x.size) continue;
    let broadcasts = false;
    if (gi.length === outSize) {
      try {
        broadcasts = sameShape(broadcastShapes(name, x.shape, ctx.outShape), ctx.outShape);
      } catch {
        broadcasts = false;
      }
    }
    if (!broadcasts) {
      throw new RangeError(
        `${name}: backward returned ${gi.length} values for input ${i} of shape ${fmtShape(x.shape)} ` +
          `(expected ${x.size}, or ${outSize} for the output shape ${fmtShape(ctx.outShape)} when the input broadcasts to it)`,
      );
    }
  }
  return res as Grads;
}

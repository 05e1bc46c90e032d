/**
 * Custom differentiable ops (`defineOp`): the README's example runs as written; user ops with
 * attributes, saved values, broadcasting and several inputs pass gradcheck in float64 and agree
 * with the same function built from primitives; malformed definitions and results get errors
 * naming the op; the engine's guarantees (stale-value check, anomaly mode, noGrad) hold for them.
 */
import { readFileSync } from "node:fs";
import { transformSync } from "esbuild";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randn, tensor } from "./creation.js";
import { defineOp } from "./custom.js";
import { detectAnomaly, noGrad } from "./engine.js";
import { gradcheck } from "./gradcheck.js";
import * as T from "./index.js";
import { Generator } from "./random.js";
import type { Tensor } from "./tensor.js";

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return expect.fail("expected an error");
}

describe("the README's custom op", () => {
  it("runs as written: softplus passes gradcheck and its gradient is the sigmoid", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Custom differentiable ops"));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
    const logged: unknown[] = [];
    // The snippet imports from the package; run it against this source with the same bindings.
    const body = transformSync(code.replace(/^import [^;]+;\n/m, ""), { loader: "ts" }).code;
    const names = /^import \{([^}]+)\} from "@descent\/tensor";/m
      .exec(code)![1]
      .split(",")
      .map((s) => s.trim());
    const fn = new Function(...names, "console", body);
    fn(...names.map((n) => (T as Record<string, unknown>)[n]), { log: (v: unknown) => logged.push(v) });
    expect(logged).toEqual([true, true]);
  });
});

/** f(x, y) = x·y + x² with y broadcast against x: gradients output-shaped for y. */
const mulAddSquare = defineOp({
  name: "mulAddSquare",
  forward([x, y]) {
    const shape = T.add(x, y).shape; // the broadcast shape
    const xb = T.add(x, T.zerosLike(y)).data;
    const yb = T.add(y, T.zerosLike(x)).data;
    const out = new Float64Array(xb.length);
    for (let i = 0; i < out.length; i++) out[i] = xb[i] * yb[i] + xb[i] * xb[i];
    return { data: out, shape: shape.slice(), saved: { xb, yb } };
  },
  backward(g, ctx, needs) {
    const { xb, yb } = ctx.saved as { xb: Float64Array; yb: Float64Array };
    const gx = needs[0] ? g.map((v, i) => v * (yb[i] + 2 * xb[i])) : null;
    const gy = needs[1] ? g.map((v, i) => v * xb[i]) : null;
    return [gx, gy]; // output-shaped: the engine sums them over the broadcast dims
  },
});

/** y = x^p · scale, attributes p and scale. */
const scaledPow = defineOp<{ p: number; scale: number }>({
  name: "scaledPow",
  backwardReads: [0],
  forward([x], a) {
    return { data: x.data.map((v) => a!.scale * v ** a!.p), shape: x.shape.slice() };
  },
  backward(g, ctx) {
    const { p, scale } = ctx.attrs;
    const x = ctx.inputs[0].data;
    return [g.map((v, i) => v * scale * p * x[i] ** (p - 1))];
  },
});

describe("custom ops pass gradcheck in float64 on random shapes, zero-size dims included", () => {
  it("two inputs with broadcasting, saved values, and agreement with the primitives", () => {
    const shapes = fc
      .array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 })
      .chain((base) =>
        fc.tuple(
          fc.constant(base),
          fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }),
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        ),
      );
    fc.assert(
      fc.property(shapes, ([base, ones, seed]) => {
        const g = new Generator(seed);
        const x = randn(base, { dtype: "float64", generator: g, requiresGrad: true });
        const y = randn(
          base.map((d, i) => (ones[i] ? 1 : d)),
          { dtype: "float64", generator: g, requiresGrad: true },
        );
        expect(gradcheck((a, b) => mulAddSquare([a, b]), [x, y])).toBe(true);
        mulAddSquare([x, y]).sum().backward();
        const [gx, gy] = [x.grad!.data.slice(), y.grad!.data.slice()];
        x.grad = null;
        y.grad = null;
        x.mul(y).add(x.mul(x)).sum().backward();
        expect(Array.from(gx)).toEqual(Array.from(x.grad!.data));
        expect(Array.from(gy)).toEqual(Array.from(y.grad!.data));
      }),
      { seed: 0xc057, numRuns: 60 },
    );
  });

  it("attributes; float32 inputs get float32 gradients", () => {
    const x = tensor([0.5, 1.5, 2], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((t) => scaledPow([t], { p: 3, scale: 0.5 }), [x])).toBe(true);
    const x32 = tensor([1, 2], { requiresGrad: true });
    scaledPow([x32], { p: 2, scale: 1 }).sum().backward();
    expect(x32.grad!.dtype).toBe("float32");
    expect(Array.from(x32.grad!.data)).toEqual([2, 4]);
  });
});

describe("malformed definitions and results name the op", () => {
  const x = () => tensor([1, 2], { dtype: "float64", requiresGrad: true });
  const forwardReturning = (r: unknown) =>
    defineOp({ name: "bad", forward: () => r as never, backward: (g) => [g] });
  const backwardReturning = (r: unknown, shape = [2]) =>
    defineOp({
      name: "bad",
      forward: () => ({ data: new Float64Array(shape.reduce((a, b) => a * b, 1)), shape }),
      backward: () => r as never,
    });
  it.each([
    [() => defineOp(null as never), "defineOp: expected { name, forward, backward }, got null"],
    [
      () => defineOp({ name: "", forward: () => null, backward: () => [] } as never),
      'defineOp: name must be a non-empty string, got string ""',
    ],
    [
      () => defineOp({ name: "f", forward: () => null } as never),
      "defineOp: 'f' needs a backward function, got undefined",
    ],
    [
      () => defineOp({ name: "f", forward: () => null, backward: () => [], backwardReads: [-1] } as never),
      "defineOp: 'f': backwardReads holds input indices and \"output\", got number -1",
    ],
    [
      () => forwardReturning(null)([x()]),
      "bad: forward must return { data: Float32Array | Float64Array, shape }, got null",
    ],
    [
      () => forwardReturning({ data: [1, 2], shape: [2] })([x()]),
      "bad: forward must return { data: Float32Array | Float64Array, shape }, got data an array of length 2",
    ],
    [
      () => forwardReturning({ data: new Float64Array(2), shape: [3] })([x()]),
      "bad: forward returned 2 values for shape [3] (3 elements)",
    ],
    [
      () => forwardReturning({ data: new Float64Array(2), shape: [2, -1] })([x()]),
      "bad: forward returned an invalid shape [2, -1]",
    ],
    [
      () =>
        backwardReturning([new Float64Array(2)])([x()])
          .sum()
          .backward(),
      null,
    ],
    [
      () =>
        backwardReturning([new Float64Array(3)])([x()])
          .sum()
          .backward(),
      "bad: backward returned 3 values for input 0 of shape [2] (expected 2, or 2 for the output shape [2] when the input broadcasts to it)",
    ],
    [
      () =>
        backwardReturning(
          [new Float64Array(6)],
          [2, 3],
        )([x()])
          .sum()
          .backward(),
      "bad: backward returned 6 values for input 0 of shape [2] (expected 2, or 6 for the output shape [2, 3] when the input broadcasts to it)",
    ],
    [
      () =>
        backwardReturning([[1, 2]])([x()])
          .sum()
          .backward(),
      "bad: backward must return a Float32Array, a Float64Array or null for input 0, got an array of length 2",
    ],
    [
      () => backwardReturning(new Float64Array(2))([x()]).sum().backward(),
      "bad: backward must return an array with one gradient (or null) per input, got a Float64Array",
    ],
    [
      () => backwardReturning([null, null])([x()]).sum().backward(),
      "bad: backward returned 2 gradients for 1 inputs",
    ],
    [
      () => backwardReturning([null])([x(), 2 as never]),
      "bad: argument 'inputs[1]' must be a Tensor, got number 2",
    ],
    [
      () => backwardReturning([null])(x() as never),
      "bad: inputs must be an array of tensors, got a Tensor of shape [2]",
    ],
  ])("%#", (fn, message) => {
    if (message === null) {
      expect(fn).not.toThrow();
      return;
    }
    expect(thrown(fn).message).toBe(message);
  });
  it("a broadcast input may take an output-shaped gradient; the engine sums it", () => {
    const t = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    backwardReturning(
      [new Float64Array(6).fill(1)],
      [3, 2],
    )([t])
      .sum()
      .backward();
    expect(Array.from(t.grad!.data)).toEqual([3, 3]);
  });
});

describe("engine guarantees hold for custom ops", () => {
  it("an input overwritten before backward is caught, naming the custom op", () => {
    const x = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const y = scaledPow([x], { p: 2, scale: 1 }).sum();
    x.data[0] = 5;
    expect(thrown(() => y.backward()).message).toContain(
      "input 0 of 'scaledPow' (a leaf float64 tensor of shape [2])",
    );
  });
  it("a custom view (forward returns the input's storage) shares the version counter", () => {
    const view = defineOp({
      name: "view",
      backwardReads: [],
      forward: ([t]) => ({ data: t.data, shape: [t.size] }),
      backward: (g) => [g],
    });
    const x = tensor([[1, 2]], { dtype: "float64", requiresGrad: true });
    const v = view([x]);
    const y = x.mul(x).sum();
    v.data[1] = 7;
    expect(thrown(() => y.backward()).message).toContain("of 'mul'");
  });
  it("noGrad records nothing; anomaly mode names the custom op", () => {
    const x = tensor([1, -1], { dtype: "float64", requiresGrad: true });
    expect(noGrad(() => scaledPow([x], { p: 2, scale: 1 })).requiresGrad).toBe(false);
    expect(() => detectAnomaly(() => scaledPow([x], { p: 0.5, scale: 1 }))).toThrow(
      "anomaly: forward of 'scaledPow' (inputs [2]) produced NaN at flat index 1 of its output [2]",
    );
  });
  it("the results are ordinary tensors: grads flow through composed built-in ops", () => {
    const x = randn([2, 3], { dtype: "float64", generator: new Generator(3), requiresGrad: true });
    const f = (t: Tensor) => scaledPow([t.tanh()], { p: 2, scale: 2 }).softmax(1).log().mean();
    expect(gradcheck(f, [x])).toBe(true);
  });
});

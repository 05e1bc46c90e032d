import { describe, expect, it } from "vitest";
import { rand, randn, tensor } from "./creation.js";
import { gradcheck } from "./gradcheck.js";
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss } from "./losses.js";
import { add, div, maximum, minimum, mul, sub, where } from "./ops/binary.js";
import { conv2d } from "./ops/conv.js";
import { embedding } from "./ops/embedding.js";
import { concat, gather, indexSelect, stack } from "./ops/indexing.js";
import { linear, matmul } from "./ops/matmul.js";
import { batchNorm, layerNorm } from "./ops/norm.js";
import type { OpName } from "./ops/op.js";
import { avgPool2d, maxPool2d } from "./ops/pool.js";
import { OPS } from "./ops/table.js";
import { Generator } from "./random.js";
import type { Tensor } from "./tensor.js";

const gen = new Generator(2024);
const R = (shape: number[]) => randn(shape, { dtype: "float64", requiresGrad: true, generator: gen });
/** Values in [lo, hi): keeps log/sqrt/pow away from their singularities. */
const U = (shape: number[], lo: number, hi: number) => {
  const t = rand(shape, { dtype: "float64", generator: gen });
  for (let i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * t.data[i];
  t.requiresGrad = true;
  return t;
};
/** Distinct values (no ties), shuffled, for max/min/maximum. */
const D = (shape: number[]) => {
  const t = R(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = (i - t.size / 2) * 0.37 + 0.05 * t.data[i];
  for (let i = t.size - 1; i > 0; i--) {
    const j = gen.randint(0, i + 1);
    [t.data[i], t.data[j]] = [t.data[j], t.data[i]];
  }
  return t;
};
/** Away from 0 (for abs, relu, leakyRelu kinks and division). */
const NZ = (shape: number[]) => {
  const t = R(shape);
  for (let i = 0; i < t.size; i++) t.data[i] += t.data[i] >= 0 ? 0.1 : -0.1;
  return t;
};

interface Case {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
  opts?: { eps: number; atol: number };
}

/** Broadcasting shape pairs every binary op is checked on. */
const PAIRS: [number[], number[]][] = [
  [
    [3, 4],
    [3, 4],
  ],
  [[3, 4], [4]],
  [
    [2, 1, 4],
    [3, 1],
  ],
  [[], [2, 3]],
  [[2, 3], [1]],
];

function binaryCases(name: string, fn: (a: Tensor, b: Tensor) => Tensor, make = R): Case[] {
  return PAIRS.map(([sa, sb]) => ({
    name: `${name} ${JSON.stringify(sa)}∘${JSON.stringify(sb)}`,
    fn,
    inputs: () => [make(sa), make(sb)],
  }));
}

function reduceCases(
  name: string,
  fn: (x: Tensor, dim: number | number[] | undefined, keep: boolean) => Tensor,
  make = R,
): Case[] {
  const shape = [2, 3, 4];
  const cases: Case[] = [
    { name: `${name} all`, fn: (x) => fn(x, undefined, false), inputs: () => [make(shape)] },
  ];
  for (const dim of [0, 1, 2, -1]) {
    for (const keep of [false, true]) {
      cases.push({
        name: `${name} dim ${dim} keepdim ${keep}`,
        fn: (x) => fn(x, dim, keep),
        inputs: () => [make(shape)],
      });
    }
  }
  return cases;
}

const unary = (name: string, fn: (x: Tensor) => Tensor, make: (s: number[]) => Tensor = R): Case[] => [
  { name: `${name} [3,4]`, fn, inputs: () => [make([3, 4])] },
  { name: `${name} 0-d`, fn, inputs: () => [make([])] },
];

/**
 * One or more gradcheck cases for EVERY differentiable primitive. The mapped type makes a new
 * primitive without a case a compile error.
 */
const CASES: { [K in OpName]: Case[] } = {
  neg: unary("neg", (x) => x.neg()),
  exp: unary("exp", (x) => x.exp()),
  log: unary(
    "log",
    (x) => x.log(),
    (s) => U(s, 0.2, 3),
  ),
  sqrt: unary(
    "sqrt",
    (x) => x.sqrt(),
    (s) => U(s, 0.2, 3),
  ),
  abs: unary("abs", (x) => x.abs(), NZ),
  sin: unary("sin", (x) => x.sin()),
  cos: unary("cos", (x) => x.cos()),
  tanh: unary("tanh", (x) => x.tanh()),
  sigmoid: unary("sigmoid", (x) => x.sigmoid()),
  relu: unary("relu", (x) => x.relu(), NZ),
  leakyRelu: unary("leakyRelu", (x) => x.leakyRelu(0.2), NZ),
  gelu: unary("gelu", (x) => x.gelu()),
  geluTanh: unary("gelu tanh", (x) => x.gelu({ approximate: "tanh" })),
  clamp: [
    ...unary("clamp", (x) => x.clamp(-0.5, 0.5), NZ),
    ...unary("clamp min only", (x) => x.clamp(0.3), NZ),
  ],
  pow: [
    ...unary("pow 3", (x) => x.pow(3)),
    ...unary(
      "pow 2.5",
      (x) => x.pow(2.5),
      (s) => U(s, 0.2, 3),
    ),
    ...unary(
      "pow -1.5",
      (x) => x.pow(-1.5),
      (s) => U(s, 0.2, 3),
    ),
    ...unary("pow 0", (x) => x.pow(0)),
  ],
  add: binaryCases("add", add),
  sub: binaryCases("sub", sub),
  mul: binaryCases("mul", mul),
  div: binaryCases("div", div, NZ),
  maximum: binaryCases("maximum", maximum, D),
  minimum: binaryCases("minimum", minimum, D),
  where: [
    {
      name: "where broadcast",
      fn: (a, b) => where(tensor([[1, 0, 1]]), a, b),
      inputs: () => [R([2, 3]), R([3])],
    },
  ],
  matmul: [
    { name: "matmul 2-D", fn: matmul, inputs: () => [R([3, 4]), R([4, 2])] },
    { name: "matmul 1-D·2-D", fn: matmul, inputs: () => [R([4]), R([4, 2])] },
    { name: "matmul 2-D·1-D", fn: matmul, inputs: () => [R([3, 4]), R([4])] },
    { name: "matmul 1-D·1-D", fn: matmul, inputs: () => [R([4]), R([4])] },
    { name: "matmul batched", fn: matmul, inputs: () => [R([2, 3, 4]), R([2, 4, 2])] },
    { name: "matmul batch broadcast", fn: matmul, inputs: () => [R([2, 1, 3, 4]), R([3, 4, 2])] },
    { name: "matmul batched·2-D", fn: matmul, inputs: () => [R([2, 3, 4]), R([4, 2])] },
    { name: "matmul 1-D·batched", fn: matmul, inputs: () => [R([4]), R([2, 4, 3])] },
  ],
  linear: [
    {
      name: "linear with bias",
      fn: (x, w, b) => linear(x, w, b),
      inputs: () => [R([5, 4]), R([3, 4]), R([3])],
    },
    { name: "linear no bias 3-D input", fn: (x, w) => linear(x, w), inputs: () => [R([2, 2, 4]), R([3, 4])] },
  ],
  sum: [
    ...reduceCases("sum", (x, d, k) => x.sum(d, k)),
    { name: "sum dims [0,2]", fn: (x) => x.sum([0, 2]), inputs: () => [R([2, 3, 4])] },
  ],
  mean: [
    ...reduceCases("mean", (x, d, k) => x.mean(d, k)),
    { name: "mean dims [2,0] keep", fn: (x) => x.mean([2, 0], true), inputs: () => [R([2, 3, 4])] },
  ],
  max: [{ name: "max all", fn: (x) => x.max(), inputs: () => [D([3, 4])] }],
  min: [{ name: "min all", fn: (x) => x.min(), inputs: () => [D([3, 4])] }],
  maxDim: reduceCases("max", (x, d, k) => x.max(d as number, k), D).slice(1),
  minDim: reduceCases("min", (x, d, k) => x.min(d as number, k), D).slice(1),
  logsumexp: [
    ...reduceCases("logsumexp", (x, d, k) => x.logsumexp(d, k)),
    { name: "logsumexp dims [0,1]", fn: (x) => x.logsumexp([0, 1]), inputs: () => [R([2, 3, 4])] },
  ],
  softmax: [0, 1, 2, -1].map((d) => ({
    name: `softmax dim ${d}`,
    fn: (x: Tensor) => x.softmax(d),
    inputs: () => [R([2, 3, 4])],
  })),
  logSoftmax: [0, 1, 2, -1].map((d) => ({
    name: `logSoftmax dim ${d}`,
    fn: (x: Tensor) => x.logSoftmax(d),
    inputs: () => [R([2, 3, 4])],
  })),
  reshape: [
    { name: "reshape", fn: (x) => x.reshape([4, -1]).mul(x.reshape([4, 6])), inputs: () => [R([2, 3, 4])] },
    {
      name: "squeeze/unsqueeze/flatten",
      fn: (x) => x.unsqueeze(1).squeeze(1).flatten(1),
      inputs: () => [R([2, 3, 4])],
    },
  ],
  cast: [
    {
      // Differences through float32 rounding need a larger step: error ≈ 2⁻²⁴·|x|/eps ≈ 6e-6.
      name: "cast to float32 and back",
      fn: (x) => x.to("float32").to("float64").add(x),
      inputs: () => [R([3])],
      opts: { eps: 1e-2, atol: 1e-4 },
    },
  ],
  permute: [
    { name: "transpose 2-D", fn: (x) => x.transpose(0, 1), inputs: () => [R([3, 4])] },
    { name: "permute 3-D", fn: (x) => x.permute([2, 0, 1]), inputs: () => [R([2, 3, 4])] },
    { name: "transpose 3-D dims 0,2", fn: (x) => x.transpose(0, 2), inputs: () => [R([2, 3, 4])] },
  ],
  concat: [0, 1, -1]
    .map((d) => ({
      name: `concat dim ${d}`,
      fn: (a: Tensor, b: Tensor) => concat([a, b, a], d),
      inputs: () => [R([2, 3]), R([2, 3])],
    }))
    .concat([
      {
        name: "stack dim 1",
        fn: (a: Tensor, b: Tensor) => stack([a, b], 1),
        inputs: () => [R([2, 3]), R([2, 3])],
      },
    ]),
  indexSelect: [
    { name: "rows with repeats", fn: (x) => x.rows([2, 0, 2]), inputs: () => [R([3, 4])] },
    { name: "indexSelect dim 1", fn: (x) => indexSelect(x, 1, [3, 1]), inputs: () => [R([2, 4, 2])] },
  ],
  gather: [
    {
      name: "gather dim 1",
      fn: (x) =>
        gather(x, 1, [
          [0, 0, 2],
          [1, 2, 1],
        ]),
      inputs: () => [R([2, 3])],
    },
    { name: "gather dim 0 (smaller index)", fn: (x) => gather(x, 0, [[1, 0]]), inputs: () => [R([2, 3])] },
  ],
  crossEntropy: [
    { name: "crossEntropy mean", fn: (x) => crossEntropy(x, [2, 0, 1, 2]), inputs: () => [R([4, 3])] },
    {
      name: "crossEntropy sum",
      fn: (x) => crossEntropy(x, [1, 1], { reduction: "sum" }),
      inputs: () => [R([2, 3])],
    },
    {
      name: "crossEntropy none",
      fn: (x) => crossEntropy(x, [0, 2], { reduction: "none" }),
      inputs: () => [R([2, 3])],
    },
    { name: "crossEntropy 1-D", fn: (x) => crossEntropy(x, 1), inputs: () => [R([4])] },
  ],
  mseLoss: [
    { name: "mse mean", fn: (a, b) => mseLoss(a, b), inputs: () => [R([3, 2]), R([3, 2])] },
    { name: "mse sum", fn: (a, b) => mseLoss(a, b, { reduction: "sum" }), inputs: () => [R([4]), R([4])] },
    {
      name: "mse none",
      fn: (a, b) => mseLoss(a, b, { reduction: "none" }),
      inputs: () => [R([2, 2]), R([2, 2])],
    },
  ],
  bceWithLogits: [
    {
      name: "bce mean",
      fn: (x, y) => binaryCrossEntropyWithLogits(x, y),
      inputs: () => [R([2, 3]), U([2, 3], 0, 1)],
    },
    {
      name: "bce none",
      fn: (x, y) => binaryCrossEntropyWithLogits(x, y, { reduction: "none" }),
      inputs: () => [R([4]), U([4], 0, 1)],
    },
    {
      name: "bce sum",
      fn: (x, y) => binaryCrossEntropyWithLogits(x, y, { reduction: "sum" }),
      inputs: () => [R([4]), U([4], 0, 1)],
    },
  ],
  slice: [
    { name: "slice dim 1 [1:4:2]", fn: (x) => x.slice(1, 1, 4, 2), inputs: () => [R([3, 5, 2])] },
    { name: "slice dim -1 [-3:]", fn: (x) => x.slice(-1, -3), inputs: () => [R([2, 4])] },
    { name: "narrow dim 0", fn: (x) => x.narrow(0, 1, 2), inputs: () => [R([4, 3])] },
  ],
  var: [
    ...reduceCases("var", (x, dim, keepdim) => x.var({ dim, keepdim })),
    {
      name: "var correction 0 dims [0,2]",
      fn: (x) => x.var({ dim: [0, 2], correction: 0 }),
      inputs: () => [R([2, 3, 4])],
    },
    { name: "var correction 2.5", fn: (x) => x.var({ correction: 2.5 }), inputs: () => [R([3, 4])] },
  ],
  embedding: [
    { name: "embedding [5]", fn: (w) => embedding([4, 0, 2, 4, 1], w), inputs: () => [R([6, 3])] },
    {
      name: "embedding [2,3] (tensor indices)",
      fn: (w) =>
        embedding(
          tensor([
            [1, 1, 0],
            [3, 2, 1],
          ]),
          w,
        ),
      inputs: () => [R([4, 2])],
    },
  ],
  layerNorm: [
    {
      name: "layerNorm [3,4] weight bias",
      fn: (x, w, b) => layerNorm(x, [4], w, b),
      inputs: () => [R([3, 4]), R([4]), R([4])],
    },
    {
      name: "layerNorm [2,2,3] over [2,3], bias only, eps 0.1",
      fn: (x, b) => layerNorm(x, [2, 3], null, b, 0.1),
      inputs: () => [R([2, 2, 3]), R([2, 3])],
    },
    { name: "layerNorm no affine", fn: (x) => layerNorm(x, 5), inputs: () => [R([2, 5])] },
  ],
  batchNorm: [
    {
      name: "batchNorm training [4,3] affine",
      fn: (x, w, b) => batchNorm(x, null, null, w, b, { training: true }),
      inputs: () => [R([4, 3]), R([3]), R([3])],
    },
    {
      name: "batchNorm training [2,3,2,2] no affine",
      fn: (x) => batchNorm(x, null, null, null, null, { training: true, eps: 0.01 }),
      inputs: () => [R([2, 3, 2, 2])],
    },
    {
      name: "batchNorm eval [2,2,3] affine",
      fn: (x, w, b) =>
        batchNorm(
          x,
          tensor([0.1, -0.2], { dtype: "float64" }),
          tensor([0.8, 1.3], { dtype: "float64" }),
          w,
          b,
        ),
      inputs: () => [R([2, 2, 3]), R([2]), R([2])],
    },
  ],
  conv2d: [
    {
      name: "conv2d [2,2,5,4] * [3,2,3,2] + bias",
      fn: (x, w, b) => conv2d(x, w, b),
      inputs: () => [R([2, 2, 5, 4]), R([3, 2, 3, 2]), R([3])],
    },
    {
      name: "conv2d stride 2, padding 1, no bias",
      fn: (x, w) => conv2d(x, w, null, { stride: 2, padding: 1 }),
      inputs: () => [R([1, 2, 5, 5]), R([2, 2, 3, 3])],
    },
    {
      name: "conv2d stride [1,2], padding [2,0], dilation [2,1]",
      fn: (x, w, b) => conv2d(x, w, b, { stride: [1, 2], padding: [2, 0], dilation: [2, 1] }),
      inputs: () => [R([1, 1, 4, 5]), R([2, 1, 2, 2]), R([2])],
    },
    {
      name: "conv2d groups 2, dilation 2, padding 1",
      fn: (x, w, b) => conv2d(x, w, b, { groups: 2, dilation: 2, padding: 1 }),
      inputs: () => [R([1, 4, 4, 4]), R([4, 2, 2, 2]), R([4])],
    },
  ],
  maxPool2d: [
    { name: "maxPool2d k 2", fn: (x) => maxPool2d(x, 2), inputs: () => [D([2, 2, 4, 4])] },
    {
      name: "maxPool2d k [3,2] stride [1,2] padding [1,1] (overlapping)",
      fn: (x) => maxPool2d(x, [3, 2], { stride: [1, 2], padding: [1, 1] }),
      inputs: () => [D([1, 2, 4, 5])],
    },
  ],
  avgPool2d: [
    { name: "avgPool2d k 2", fn: (x) => avgPool2d(x, 2), inputs: () => [R([2, 2, 4, 4])] },
    {
      name: "avgPool2d k 3 stride 2 padding 1",
      fn: (x) => avgPool2d(x, 3, { stride: 2, padding: 1 }),
      inputs: () => [R([1, 2, 5, 4])],
    },
    {
      name: "avgPool2d k [2,3] padding [1,1] countIncludePad false",
      fn: (x) => avgPool2d(x, [2, 3], { stride: 1, padding: [1, 1], countIncludePad: false }),
      inputs: () => [R([1, 1, 3, 4])],
    },
  ],
  std: [
    ...reduceCases("std", (x, dim, keepdim) => x.std({ dim, keepdim })),
    {
      name: "std correction 0 dims [0,1]",
      fn: (x) => x.std({ dim: [0, 1], correction: 0 }),
      inputs: () => [R([2, 3, 4])],
    },
  ],
};

describe("gradcheck on every primitive (float64, central differences)", () => {
  it("covers every entry of the op table", () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(OPS).sort());
  });
  for (const [op, cases] of Object.entries(CASES)) {
    for (const c of cases) {
      it(`${op}: ${c.name}`, () => {
        expect(gradcheck(c.fn, c.inputs(), c.opts)).toBe(true);
      });
    }
  }
});

/** Gradients of Σ fn(inputs)·w for a fixed weight w, with inputs converted to `dtype`. */
function grads(c: Case, inputs: Tensor[], dtype: "float32" | "float64"): { out: number[]; g: number[][] } {
  const xs = inputs.map((t) => {
    const x = tensor(t.data, { dtype, shape: t.shape });
    x.requiresGrad = t.requiresGrad;
    return x;
  });
  const y = c.fn(...xs);
  const w = tensor(
    Array.from({ length: y.size }, (_, i) => 1 + ((i * 7) % 5) / 5),
    { dtype: y.dtype },
  ).reshape(y.shape);
  y.mul(w).sum().backward();
  return { out: Array.from(y.data), g: xs.map((x) => (x.grad ? Array.from(x.grad.data) : [])) };
}

describe("float32 forward and backward agree with float64 on every primitive", () => {
  /** float32 vs float64: relative to the largest magnitude in the result (cancellation-safe). */
  const F32_REL = 2e-5;
  const near = (a: number[], e: number[]) => {
    const scale = Math.max(1, ...e.map(Math.abs));
    for (let i = 0; i < e.length; i++) {
      if (!(Math.abs(a[i] - e[i]) <= F32_REL * scale))
        expect.fail(`element ${i}: float32 ${a[i]} vs float64 ${e[i]}`);
    }
  };
  for (const [op, cases] of Object.entries(CASES)) {
    for (const c of cases) {
      if (op === "cast") continue; // casts to float32 on purpose
      it(`${op}: ${c.name}`, () => {
        const inputs = c.inputs();
        const r64 = grads(c, inputs, "float64");
        const r32 = grads(c, inputs, "float32");
        near(r32.out, r64.out);
        r64.g.forEach((g, k) => {
          near(r32.g[k], g);
        });
      });
    }
  }
});

describe("gradcheck itself", () => {
  it("detects a wrong derivative", () => {
    // A deliberately wrong "function": the output uses x but a constant backward path.
    const wrong = (x: Tensor) => x.detach().mul(x.detach()).add(x); // analytical 1, numerical 2x + 1
    expect(() => gradcheck(wrong, [tensor([1.5, 2], { dtype: "float64", requiresGrad: true })])).toThrow(
      /Jacobian mismatch for input 0 \(shape \[2\]\), input element 0, output element 0: analytical 1 vs numerical (4|3\.9999)/,
    );
    expect(
      gradcheck(wrong, [tensor([1.5], { dtype: "float64", requiresGrad: true })], { raiseException: false }),
    ).toBe(false);
  });
  it("requires float64 inputs that require grad", () => {
    expect(() => gradcheck((x) => x.exp(), [tensor([1], { requiresGrad: true })])).toThrow(/use float64/);
    expect(() => gradcheck((x) => x.exp(), [tensor([1], { dtype: "float64" })])).toThrow(
      /no input requires grad/,
    );
  });
});

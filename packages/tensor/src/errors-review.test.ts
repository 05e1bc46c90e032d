/**
 * Review of issue 3's "Bad input" section through the public API: every misuse must throw an
 * error whose message names the op and the offending shapes or value (no silent failure):
 * broadcast and matmul shape mismatches, reshape to an incompatible size, dims out of range,
 * mixed dtypes (the package promotes, as documented), backward on a tensor without grad, ragged
 * nested arrays, and non-finite creation values where they cannot be meant.
 */
import { describe, expect, it } from "vitest";
import {
  add,
  arange,
  argmax,
  binaryCrossEntropyWithLogits,
  clamp,
  concat,
  crossEntropy,
  div,
  eye,
  flatten,
  full,
  gather,
  gelu,
  indexSelect,
  leakyRelu,
  linear,
  logSoftmax,
  logsumexp,
  lt,
  matmul,
  max,
  maximum,
  mean,
  mseLoss,
  mul,
  ones,
  permute,
  pow,
  rand,
  randint,
  randn,
  reshape,
  rows,
  softmax,
  squeeze,
  stack,
  sub,
  sum,
  type Tensor,
  tensor,
  transpose,
  unsqueeze,
  where,
  zeros,
} from "./index.js";

/** Runs `fn`, expecting an Error whose message contains every one of `parts`; returns the message. */
function messageOf(fn: () => unknown, ...parts: string[]): string {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected an error mentioning ${parts.join(" | ")}`).toBeInstanceOf(Error);
  const msg = (caught as Error).message;
  for (const p of parts) expect(msg, msg).toContain(p);
  return msg;
}

const t = (shape: number[]): Tensor => zeros(shape, { dtype: "float64" });

describe("broadcasting: the op and both shapes are named", () => {
  const binaries: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ["add", add],
    ["sub", sub],
    ["mul", mul],
    ["div", div],
    ["maximum", maximum],
    ["lt", lt],
  ];
  for (const [name, f] of binaries) {
    it(name, () => {
      messageOf(() => f(t([2, 3]), t([2])), `${name}:`, "[2, 3]", "[2]");
      messageOf(() => f(t([4, 2, 3]), t([3, 1])), `${name}:`, "[4, 2, 3]", "[3, 1]");
    });
  }
  it("where (three operands)", () => {
    messageOf(() => where(t([2, 3]), t([3]), t([4])), "where:", "[4]");
    messageOf(() => where(t([5]), t([3]), t([3])), "where:", "[5]", "[3]");
  });
  it("method form names the op too", () => {
    messageOf(() => t([3]).add(t([4])), "add:", "[3]", "[4]");
  });
});

describe("matmul / linear shape mismatches", () => {
  it("2-D inner dims", () => {
    messageOf(() => matmul(t([2, 3]), t([2, 3])), "matmul:", "[2, 3]", "3", "2");
  });
  it("1-D operands of different lengths", () => {
    messageOf(() => matmul(t([3]), t([4])), "matmul:", "[3]", "[4]");
  });
  it("1-D times 2-D", () => {
    messageOf(() => matmul(t([3]), t([4, 2])), "matmul:", "[3]", "[4, 2]");
  });
  it("batch dims that do not broadcast", () => {
    messageOf(() => matmul(t([2, 3, 4]), t([3, 4, 5])), "matmul:", "[2, 3, 4]", "[3, 4, 5]");
  });
  it("0-d operand", () => {
    messageOf(() => matmul(t([]), t([3])), "matmul:", "[]", "[3]");
  });
  it("linear: input features vs weight, and bias", () => {
    messageOf(() => linear(t([2, 3]), t([4, 5])), "linear", "[2, 3]", "[4, 5]");
    messageOf(() => linear(t([2, 3]), t([4, 3]), t([3])), "linear", "[3]", "[4, 3]");
  });
});

describe("reshape to an incompatible size", () => {
  it("names the target shape and the input shape", () => {
    messageOf(() => reshape(t([2, 3]), [4, 2]), "reshape:", "[4, 2]", "[2, 3]");
    messageOf(() => t([6]).view([4, -1]), "[4, -1]", "[6]");
    messageOf(() => reshape(t([2, 3]), [-1, -1]), "reshape:", "[-1, -1]");
    messageOf(() => reshape(t([2, 3]), [2, -2]), "reshape:", "-2");
    messageOf(() => reshape(t([0, 3]), [0, -1]), "reshape:", "[0, -1]");
  });
});

describe("dims out of range name the op, the dim and the rank", () => {
  const x = t([2, 3]);
  const cases: [string, () => unknown, string][] = [
    ["sum", () => sum(x, 2), "2"],
    ["sum", () => sum(x, [0, -3]), "-3"],
    ["mean", () => mean(x, -3), "-3"],
    ["max", () => max(x, 2), "2"],
    ["argmax", () => argmax(x, 5), "5"],
    ["logsumexp", () => logsumexp(x, 2), "2"],
    ["softmax", () => softmax(x, 2), "2"],
    ["logSoftmax", () => logSoftmax(x, -3), "-3"],
    ["transpose", () => transpose(x, 0, 2), "2"],
    ["squeeze", () => squeeze(x, 2), "2"],
    ["flatten", () => flatten(x, 0, 2), "2"],
    ["concat", () => concat([x, x], 2), "2"],
    ["gather", () => gather(x, 2, [[0]]), "2"],
    ["indexSelect", () => indexSelect(x, -3, [0]), "-3"],
    ["permute", () => permute(x, [0, 2]), "2"],
  ];
  for (const [op, fn, dim] of cases) {
    it(`${op} (dim ${dim})`, () => {
      const msg = messageOf(fn, `${op}:`, dim);
      expect(msg).toMatch(/2-D|\[2, 3\]/);
    });
  }
  // unsqueeze/stack insert a dim: the valid range is that of a rank-3 result, [-3, 2].
  it("unsqueeze (dim 3) and stack (dim 3) give the valid range [-3, 2] and the input's rank", () => {
    const u = messageOf(() => unsqueeze(x, 3), "unsqueeze:", "3", "[-3, 2]", "2-D input");
    expect(u).toBe(
      "unsqueeze: dim 3 out of range [-3, 2] for a 2-D input (unsqueeze accepts ndim + 1 positions)",
    );
    const s = messageOf(() => stack([x, x], 3), "stack:", "3", "[-3, 2]", "2-D inputs");
    expect(s).not.toMatch(/3-D/);
    messageOf(() => unsqueeze(x, -4), "unsqueeze:", "-4", "[-3, 2]");
    expect(unsqueeze(x, -3).shape).toEqual([1, 2, 3]);
    expect(unsqueeze(x, 2).shape).toEqual([2, 3, 1]);
    expect(stack([x, x], -1).shape).toEqual([2, 3, 2]);
  });
  it("a repeated dim and a non-integer dim", () => {
    messageOf(() => sum(x, [1, -1]), "sum:", "more than once");
    messageOf(() => permute(x, [1, 1]), "permute:", "[1, 1]");
    messageOf(() => sum(x, 0.5), "sum:", "0.5");
  });
  it("softmax without a dim", () => {
    messageOf(() => softmax(x, undefined as unknown as number), "softmax:", "dim");
  });
});

describe("mixing dtypes: promotion (documented), never silent truncation", () => {
  it("float32 ∘ float64 → float64 for binary ops, matmul, concat and where", () => {
    const a = ones([2, 2]);
    const b = ones([2, 2], { dtype: "float64" });
    expect(add(a, b).dtype).toBe("float64");
    expect(matmul(a, b).dtype).toBe("float64");
    expect(concat([a, b], 0).dtype).toBe("float64");
    expect(where(a, a, b).dtype).toBe("float64");
  });
  it("gradients come back in each input's own dtype", () => {
    const a = tensor([1.5, 2.5], { requiresGrad: true });
    const b = tensor(new Float64Array([0.1, 0.2]), { requiresGrad: true });
    mul(a, b).sum().backward();
    expect(a.grad!.dtype).toBe("float32");
    expect(b.grad!.dtype).toBe("float64");
    expect(Array.from(a.grad!.data)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });
  it("an unsupported dtype is named", () => {
    messageOf(() => zeros([2], { dtype: "int32" as never }), "zeros:", "int32");
    messageOf(() => t([2]).to("float16" as never), "to:", "float16");
  });
});

describe("backward misuse", () => {
  it("on a tensor that does not require grad", () => {
    messageOf(() => t([2]).sum().backward(), "backward:", "[]", "does not require grad");
  });
  it("without a gradient on a non-scalar", () => {
    const x = tensor([1, 2], { requiresGrad: true, dtype: "float64" });
    messageOf(() => x.mul(2).backward(), "backward:", "[2]");
  });
  it("with a gradient of another shape (also same size, transposed)", () => {
    const x = zeros([2, 3], { requiresGrad: true, dtype: "float64" });
    messageOf(() => x.mul(2).backward(zeros([3], { dtype: "float64" })), "backward:", "[3]", "[2, 3]");
    messageOf(() => x.mul(2).backward(zeros([3, 2], { dtype: "float64" })), "backward:", "[3, 2]", "[2, 3]");
  });
  it("twice through a freed graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    messageOf(() => y.backward(), "backward:", "retainGraph");
  });
});

describe("ragged nested arrays and non-numbers", () => {
  it("ragged rows name the position and the shape so far", () => {
    messageOf(() => tensor([[1, 2], [3]]), "tensor:", "ragged", "[1]", "2", "1");
    messageOf(() => tensor([[1, 2], 3] as never), "tensor:", "[1]");
    messageOf(
      () =>
        tensor([
          [[1], [2]],
          [[3], [4, 5]],
        ]),
      "tensor:",
      "[1, 1]",
    );
  });
  it("a non-number element is named with its position", () => {
    messageOf(() => tensor([1, "a", 3] as never), "tensor:", "[1]", "a");
    messageOf(
      () =>
        tensor([
          [1, 2],
          [null, 4],
        ] as never),
      "tensor:",
      "[1, 0]",
      "null",
    );
  });
  it("flat values with a shape of another size", () => {
    messageOf(() => tensor([1, 2, 3], { shape: [2, 2] }), "tensor:", "3", "[2, 2]");
  });
});

describe("non-finite or invalid creation values where they cannot be meant", () => {
  const bad = [Number.NaN, Number.POSITIVE_INFINITY, -1, 2.5];
  for (const v of bad) {
    it(`shape containing ${v}`, () => {
      messageOf(() => zeros([2, v]), "zeros:", String(v));
      messageOf(() => ones([v]), "ones:", String(v));
      messageOf(() => full([v], 0), "full:", String(v));
      messageOf(() => rand([v]), "rand:", String(v));
      messageOf(() => randn([v]), "randn:", String(v));
    });
  }
  it("arange bounds and step", () => {
    messageOf(() => arange(Number.NaN), "arange:", "NaN");
    messageOf(() => arange(0, Number.POSITIVE_INFINITY), "arange:", "Infinity");
    messageOf(() => arange(0, 1, Number.NaN), "arange:", "step", "NaN");
    messageOf(() => arange(0, 1, 0), "arange:", "step");
    messageOf(() => arange(1, 0, 1), "arange:", "start=1", "end=0", "step=1");
  });
  it("eye sizes", () => {
    messageOf(() => eye(Number.NaN), "eye:", "NaN");
    messageOf(() => eye(2, -1), "eye:", "-1");
  });
  it("randint bounds", () => {
    messageOf(() => randint(0, Number.NaN, [2]), "randint:", "NaN");
    messageOf(() => randint(3, 3, [2]), "randint:", "low=3", "high=3");
  });
  it("op parameters", () => {
    const x = t([2]);
    messageOf(() => leakyRelu(x, Number.NaN), "leakyRelu:", "NaN");
    messageOf(() => clamp(x, Number.NaN, 1), "clamp:", "NaN");
    messageOf(() => clamp(x), "clamp:", "min", "max");
    messageOf(() => gelu(x, { approximate: "sigmoid" as never }), "gelu:", "sigmoid");
    messageOf(() => pow(x, "2" as never), "pow:", "string");
    messageOf(() => full([2], "1" as never), "full:", "string");
  });
  it("non-finite values are accepted where they can be meant (masks)", () => {
    expect(full([2], Number.NEGATIVE_INFINITY).data[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(tensor([Number.NaN]).data[0])).toBe(true);
  });
});

describe("losses and indexing", () => {
  it("crossEntropy: out-of-range and non-integer targets, target count, logits rank", () => {
    const logits = t([2, 3]);
    // PyTorch: "Target 3 is out of bounds." (IndexError)
    messageOf(() => crossEntropy(logits, [0, 3]), "crossEntropy:", "3", "position 1", "size 3");
    messageOf(() => crossEntropy(logits, [-1, 0]), "crossEntropy:", "-1");
    messageOf(() => crossEntropy(logits, [0.5, 1]), "crossEntropy:", "0.5");
    messageOf(() => crossEntropy(logits, [0]), "crossEntropy:", "[2, 3]", "2", "1");
    messageOf(() => crossEntropy(t([2, 3, 4]), [0, 1]), "crossEntropy:", "[2, 3, 4]");
    messageOf(() => crossEntropy(logits, [0, 1], { reduction: "avg" as never }), "crossEntropy:", "avg");
  });
  it("mseLoss / binaryCrossEntropyWithLogits: shape mismatch names both shapes", () => {
    messageOf(() => mseLoss(t([2, 3]), t([3])), "mseLoss:", "[2, 3]", "[3]");
    messageOf(
      () => binaryCrossEntropyWithLogits(t([2, 3]), t([3, 2])),
      "binaryCrossEntropyWithLogits:",
      "[2, 3]",
      "[3, 2]",
    );
  });
  it("gather / indexSelect / rows: index out of range, index rank", () => {
    const x = t([2, 3]);
    messageOf(() => gather(x, 1, [[0, 3]]), "gather:", "3", "size 3");
    messageOf(() => gather(x, 1, [0, 1]), "gather:", "[2]", "[2, 3]");
    messageOf(() => gather(x, 1, [[0], [1], [2]]), "gather:", "[3, 1]", "[2, 3]");
    messageOf(() => indexSelect(x, 1, [5]), "indexSelect:", "5", "size 3");
    messageOf(() => rows(x, [2]), "rows:", "2", "size 2", "[-2, 1]");
    messageOf(() => rows(x, [-3]), "rows:", "-3", "size 2", "[-2, 1]");
    messageOf(() => indexSelect(x, 0, [-1]), "indexSelect:", "-1", "[0, 1]", "negative");
    messageOf(() => gather(x, 1, [[0, -1]]), "gather:", "-1", "[0, 2]", "negative");
  });
  it("concat / stack: mismatched shapes and empty lists", () => {
    messageOf(() => concat([t([2, 3]), t([3, 3])], 1), "concat:", "[3, 3]", "[2, 3]");
    messageOf(() => concat([t([2, 3]), t([2])], 0), "concat:", "[2]", "[2, 3]");
    messageOf(() => stack([t([2, 3]), t([3, 2])]), "stack:", "[3, 2]", "[2, 3]");
    messageOf(() => concat([]), "concat:");
    messageOf(() => concat([t([]), t([])]), "concat:", "zero-dimensional");
  });
  it("item on a multi-element tensor", () => {
    messageOf(() => t([2, 2]).item(), "item:", "[2, 2]");
  });
});

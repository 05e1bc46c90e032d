/**
 * Argument checks at the public entry points (`check.ts`): callers that bypass the types (plain
 * JavaScript) get an error naming the op and the bad argument, never an engine error such as
 * "Cannot read properties of undefined"; sizes beyond a tensor's limit are named; and every misuse
 * is a TypeError or a RangeError, as the README promises.
 */
import { describe, expect, it } from "vitest";
import * as T from "./index.js";
import { MAX_ELEMENTS } from "./shape.js";

const x = T.zeros([2, 3], { dtype: "float64" });
const never = <V>(v: V) => v as never;

/** Calls `fn` and returns what it threw (failing the test when it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return expect.fail("expected an error");
}

/** Engine-internal messages that must never reach a caller. */
const LEAKS =
  /Cannot read propert|is not a function|is not iterable|undefined \(reading|Invalid typed array length/;

describe("plain-JavaScript calls that bypass the types name the op and the argument", () => {
  // [call, error class, exact message]
  const cases: [string, () => unknown, typeof TypeError | typeof RangeError, string][] = [
    [
      "matmul(x, 2)",
      () => T.matmul(x, never(2)),
      TypeError,
      "matmul: argument 'other' must be a Tensor, got number 2",
    ],
    [
      "matmul(2, x)",
      () => T.matmul(never(2), x),
      TypeError,
      "matmul: argument 'input' must be a Tensor, got number 2",
    ],
    [
      "x.matmul(null)",
      () => x.matmul(never(null)),
      TypeError,
      "matmul: argument 'other' must be a Tensor, got null",
    ],
    [
      "linear(x, 2)",
      () => T.linear(x, never(2)),
      TypeError,
      "linear: argument 'weight' must be a Tensor, got number 2",
    ],
    [
      "linear(x, w, 0)",
      () => T.linear(x, T.zeros([4, 3]), never(0)),
      TypeError,
      "linear: argument 'bias' must be a Tensor, null or undefined, got number 0",
    ],
    [
      "mseLoss(x, 1)",
      () => T.mseLoss(x, never(1)),
      TypeError,
      "mseLoss: argument 'target' must be a Tensor, got number 1",
    ],
    [
      "binaryCrossEntropyWithLogits(x, 0)",
      () => T.binaryCrossEntropyWithLogits(x, never(0)),
      TypeError,
      "binaryCrossEntropyWithLogits: argument 'target' must be a Tensor, got number 0",
    ],
    [
      "crossEntropy([1, 2], [0])",
      () => T.crossEntropy(never([1, 2]), [0]),
      TypeError,
      "crossEntropy: argument 'input' must be a Tensor, got an array of length 2",
    ],
    [
      "mseLoss(x, x, 'sum')",
      () => T.mseLoss(x, x, never("sum")),
      TypeError,
      'mseLoss: options must be an object, got string "sum"',
    ],
    [
      "permute(x, 1)",
      () => T.permute(x, never(1)),
      TypeError,
      "permute: dims must be an array of integers, got number 1",
    ],
    [
      "reshape(x, 'a')",
      () => T.reshape(x, never("a")),
      TypeError,
      'reshape: shape must be an array of integers, got string "a"',
    ],
    [
      "tensor(undefined)",
      () => T.tensor(never(undefined)),
      TypeError,
      "tensor: expected a number, nested arrays of numbers or a typed array, got undefined",
    ],
    [
      "tensor([1], null)",
      () => T.tensor([1], never(null)),
      TypeError,
      "tensor: options must be an object, got null",
    ],
    [
      "new Tensor(data, 'a')",
      () => new T.Tensor(new Float64Array(1), never("a")),
      TypeError,
      'Tensor: shape must be an array of integers, got string "a"',
    ],
    [
      "x.add('a')",
      () => x.add(never("a")),
      TypeError,
      `add: argument 'other' must be a Tensor or a number, got string "a"`,
    ],
    [
      "add(undefined, x)",
      () => T.add(never(undefined), x),
      TypeError,
      "add: argument 'input' must be a Tensor or a number, got undefined",
    ],
    [
      "where(x, x, [1])",
      () => T.where(x, x, never([1])),
      TypeError,
      "where: argument 'other' must be a Tensor or a number, got an array of length 1",
    ],
    [
      "x.sum('0')",
      () => x.sum(never("0")),
      TypeError,
      'sum: dim must be an integer, a list of integers or undefined (all dims), got string "0"',
    ],
    [
      "sum(undefined)",
      () => T.sum(never(undefined)),
      TypeError,
      "sum: argument 'input' must be a Tensor, got undefined",
    ],
    [
      "x.max('0')",
      () => x.max(never("0")),
      TypeError,
      'max: dim must be an integer or undefined (all elements), got string "0"',
    ],
    [
      "x.argmax(0, 1)",
      () => x.argmax(0, never(1)),
      TypeError,
      "argmax: keepdim must be a boolean, got number 1",
    ],
    [
      "x.softmax('1')",
      () => x.softmax(never("1")),
      TypeError,
      'softmax: dim must be an integer, got string "1"',
    ],
    [
      "x.transpose('a')",
      () => x.transpose(never("a")),
      TypeError,
      'transpose: dim must be an integer, got string "a"',
    ],
    [
      "x.unsqueeze(undefined)",
      () => x.unsqueeze(never(undefined)),
      TypeError,
      "unsqueeze: dim must be an integer, got undefined",
    ],
    ["neg(2)", () => T.neg(never(2)), TypeError, "neg: argument 'input' must be a Tensor, got number 2"],
    [
      "x.gelu('tanh')",
      () => x.gelu(never("tanh")),
      TypeError,
      'gelu: options must be an object, got string "tanh"',
    ],
    [
      "concat([x, 2])",
      () => T.concat([x, never(2)]),
      TypeError,
      "concat: element 1 of the list must be a Tensor, got number 2",
    ],
    [
      "stack(x)",
      () => T.stack(never(x)),
      TypeError,
      "stack: expected a list of tensors, got a Tensor of shape [2, 3]",
    ],
    [
      "rows(x, 1)",
      () => T.rows(x, never(1)),
      TypeError,
      "rows: indices must be an array, an integer typed array or a Tensor, got number 1",
    ],
    [
      "rows(x, ['1'])",
      () => T.rows(x, never(["1"])),
      TypeError,
      'rows: index at position 0 must be an integer, got string "1"',
    ],
    [
      "zerosLike([1])",
      () => T.zerosLike(never([1])),
      TypeError,
      "zerosLike: argument 'input' must be a Tensor, got an array of length 1",
    ],
    [
      "noGrad(1)",
      () => T.noGrad(never(1)),
      TypeError,
      "noGrad: argument 'fn' must be a function, got number 1",
    ],
    [
      "gradcheck(f, x)",
      () => T.gradcheck((a) => a, never(x)),
      TypeError,
      "gradcheck: inputs must be an array of tensors, got a Tensor of shape [2, 3]",
    ],
    [
      "tensor('abc')",
      () => T.tensor(never("abc")),
      TypeError,
      'tensor: expected a number, nested arrays of numbers or a typed array, got string "abc"',
    ],
    [
      "new Tensor(data, [1], null)",
      () => new T.Tensor(new Float64Array(1), [1], never(null)),
      TypeError,
      "Tensor: options must be an object, got null",
    ],
    [
      "zeros([2, '3'])",
      () => T.zeros(never([2, "3"])),
      TypeError,
      'zeros: shape must be an array of integers, got string "3" at position 1',
    ],
    [
      "reshape(x, [2, '3'])",
      () => T.reshape(x, never([2, "3"])),
      TypeError,
      'reshape: shape must be an array of integers, got string "3" at position 1',
    ],
    [
      "arange('5')",
      () => T.arange(never("5")),
      TypeError,
      'arange: end must be a finite number, got string "5"',
    ],
    [
      "setBackend(undefined)",
      () => T.setBackend(never(undefined)),
      TypeError,
      "setBackend: expected a Backend object, got undefined",
    ],
    [
      "setBackend({ name: 'x' })",
      () => T.setBackend(never({ name: "x" })),
      TypeError,
      "setBackend: backend x has no kernel 'matmul' (expected a function)",
    ],
    [
      "x.backward('a')",
      () => T.tensor([1], { requiresGrad: true }).backward(never("a")),
      TypeError,
      'backward: gradient must be a Tensor, a number or an array, got string "a"',
    ],
  ];
  for (const [call, fn, cls, message] of cases) {
    it(call, () => {
      const e = thrown(fn);
      expect(e.message).not.toMatch(LEAKS);
      expect(e.message).toBe(message);
      expect(e).toBeInstanceOf(cls);
    });
  }
});

describe("tensors too large to allocate: the element count is named", () => {
  const big = 1e12;
  const cases: [string, () => unknown, string][] = [
    [
      "arange(0, 1e12)",
      () => T.arange(0, big),
      "arange: arange(0, 1000000000000, 1) would have 1000000000000 elements",
    ],
    [
      "arange(1e12)",
      () => T.arange(big),
      "arange: arange(0, 1000000000000, 1) would have 1000000000000 elements",
    ],
    [
      "zeros([1e6, 1e6])",
      () => T.zeros([1e6, 1e6]),
      "zeros: a tensor of shape [1000000, 1000000] would have 1000000000000 elements",
    ],
    ["ones", () => T.ones([1e6, 1e6]), "ones: a tensor of shape [1000000, 1000000] would have"],
    ["full", () => T.full([1e6, 1e6], 1), "full: a tensor of shape [1000000, 1000000] would have"],
    ["rand", () => T.rand([1e6, 1e6]), "rand: a tensor of shape [1000000, 1000000] would have"],
    ["randn", () => T.randn([1e6, 1e6]), "randn: a tensor of shape [1000000, 1000000] would have"],
    [
      "randint",
      () => T.randint(0, 2, [1e6, 1e6]),
      "randint: a tensor of shape [1000000, 1000000] would have",
    ],
    [
      "eye(1e6)",
      () => T.eye(1e6),
      "eye: a tensor of shape [1000000, 1000000] would have 1000000000000 elements",
    ],
    [
      "randperm(1e12)",
      () => T.randperm(big),
      "randperm: randperm(1000000000000) would have 1000000000000 elements",
    ],
    [
      "tensor(flat, { shape })",
      () => T.tensor([1], { shape: [1e6, 1e6] }),
      "tensor: a tensor of shape [1000000, 1000000] would have",
    ],
    [
      "add broadcasting to [1e5, 1e5]",
      () => T.add(T.zeros([1e5, 1]), T.zeros([1, 1e5])),
      "add: a tensor of shape [100000, 100000] would have 10000000000 elements",
    ],
    [
      "matmul to [1e5, 1e5]",
      () => T.matmul(T.zeros([1e5, 1]), T.zeros([1, 1e5])),
      "matmul: a tensor of shape [100000, 100000] would have 10000000000 elements",
    ],
    [
      "linear to [1e5, 1e5]",
      () => T.linear(T.zeros([1e5, 1]), T.zeros([1e5, 1])),
      "linear: the output [..., 100000] for input [100000, 1] would have 10000000000 elements",
    ],
  ];
  for (const [call, fn, start] of cases) {
    it(call, () => {
      const e = thrown(fn);
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message.startsWith(start), e.message).toBe(true);
      expect(e.message).toContain(`too large for a tensor (at most ${MAX_ELEMENTS})`);
    });
  }
  it("the limit itself is 2³¹ − 1 elements (Int32 offsets)", () => {
    expect(MAX_ELEMENTS).toBe(2147483647);
    expect(thrown(() => T.zeros([2 ** 31])).message).toContain("2147483648 elements");
  });
});

describe("error classes: every misuse is a TypeError or a RangeError (README, 'Errors')", () => {
  const leaf = () => T.tensor([1, 2], { requiresGrad: true, dtype: "float64" });
  const cases: [string, () => unknown, typeof TypeError | typeof RangeError][] = [
    ["backward on a tensor without grad", () => x.sum().backward(), TypeError],
    ["backward without gradient on a non-scalar", () => leaf().mul(2).backward(), RangeError],
    ["backward with a gradient of another shape", () => leaf().mul(2).backward([1, 2, 3]), RangeError],
    [
      "backward through a freed graph",
      () => {
        const y = leaf().mul(2).sum();
        y.backward();
        y.backward();
      },
      TypeError,
    ],
    [
      "backward with options that are not an object",
      () => leaf().sum().backward(undefined, never(true)),
      TypeError,
    ],
    [
      "requiresGrad = false on a non-leaf",
      () => {
        leaf().mul(2).requiresGrad = false;
      },
      TypeError,
    ],
    [
      "requiresGrad = 1 (not a boolean)",
      () => {
        x.requiresGrad = never(1);
      },
      TypeError,
    ],
    ["gradcheck without an input that requires grad", () => T.gradcheck((a) => a.sum(), [x]), TypeError],
    ["setDetectAnomaly('yes')", () => T.setDetectAnomaly(never("yes")), TypeError],
    ["item on a 2-element tensor", () => leaf().item(), RangeError],
    ["dim out of range", () => x.sum(2), RangeError],
    ["broadcast mismatch", () => x.add(T.zeros([2])), RangeError],
  ];
  for (const [what, fn, cls] of cases) {
    it(what, () => {
      const e = thrown(fn);
      expect(e.constructor, e.message).toBe(cls);
    });
  }
  it("a rejected requiresGrad assignment leaves the flag unchanged", () => {
    const t = T.zeros([1]);
    expect(() => {
      t.requiresGrad = never("true");
    }).toThrow('requiresGrad: the value must be a boolean, got string "true"');
    expect(t.requiresGrad).toBe(false);
    t.requiresGrad = true;
    expect(t.requiresGrad).toBe(true);
  });
});

type Entry = [string, (...a: never[]) => unknown, () => unknown[]];
/** Entries for several functions that take the same valid arguments. */
const named = (fs: [string, (...a: never[]) => unknown][], args: () => unknown[]): Entry[] =>
  fs.map(([k, f]) => [k, f, args]);

describe("sweep: every argument of every public function replaced by a bad value", () => {
  const v = () => T.tensor([1, 2, 3], { dtype: "float64" });
  const m = () => T.tensor([[1, 2, 3]], { dtype: "float64" });
  // [name, function, valid arguments]
  const fns: Entry[] = [
    ...named(
      [
        ["add", T.add],
        ["sub", T.sub],
        ["mul", T.mul],
        ["div", T.div],
        ["maximum", T.maximum],
        ["minimum", T.minimum],
        ["eq", T.eq],
        ["ne", T.ne],
        ["lt", T.lt],
        ["le", T.le],
        ["gt", T.gt],
        ["ge", T.ge],
      ],
      () => [v(), v()],
    ),
    ...named(
      [
        ["neg", T.neg],
        ["exp", T.exp],
        ["log", T.log],
        ["sqrt", T.sqrt],
        ["abs", T.abs],
        ["tanh", T.tanh],
        ["sigmoid", T.sigmoid],
        ["relu", T.relu],
      ],
      () => [v()],
    ),
    ["where", T.where, () => [v(), v(), v()]],
    ["leakyRelu", T.leakyRelu, () => [v(), 0.1]],
    ["gelu", T.gelu, () => [v(), { approximate: "tanh" }]],
    ["clamp", T.clamp, () => [v(), 0, 1]],
    ["pow", T.pow, () => [v(), 2]],
    ["matmul", T.matmul, () => [m(), v()]],
    ["linear", T.linear, () => [m(), m(), T.tensor([0], { dtype: "float64" })]],
    ...named(
      [
        ["sum", T.sum],
        ["mean", T.mean],
        ["logsumexp", T.logsumexp],
      ],
      () => [m(), 1, true],
    ),
    ...named(
      [
        ["max", T.max],
        ["min", T.min],
        ["argmax", T.argmax],
        ["argmin", T.argmin],
      ],
      () => [m(), 1, true],
    ),
    ["softmax", T.softmax, () => [m(), 1]],
    ["logSoftmax", T.logSoftmax, () => [m(), 1]],
    ["reshape", T.reshape, () => [m(), [3, 1]]],
    ["permute", T.permute, () => [m(), [1, 0]]],
    ["transpose", T.transpose, () => [m(), 0, 1]],
    ["squeeze", T.squeeze, () => [m(), 0]],
    ["unsqueeze", T.unsqueeze, () => [m(), 0]],
    ["flatten", T.flatten, () => [m(), 0, 1]],
    ["cast", T.cast, () => [m(), "float32"]],
    ["indexSelect", T.indexSelect, () => [m(), 1, [0, 2]]],
    ["rows", T.rows, () => [m(), [0]]],
    ["gather", T.gather, () => [m(), 1, [[0, 2]]]],
    ["concat", T.concat, () => [[m(), m()], 0]],
    ["slice", T.slice, () => [m(), 1, 0, 2, 1]],
    ["narrow", T.narrow, () => [m(), 1, 0, 2]],
    ["var", T.variance, () => [m(), { dim: 1 }]],
    ["std", T.std, () => [m(), { dim: 1 }]],
    ["sin", T.sin, () => [v()]],
    ["cos", T.cos, () => [v()]],
    ["embedding", T.embedding, () => [[0, 1], T.ones([2, 3], { dtype: "float64" })]],
    [
      "layerNorm",
      T.layerNorm,
      () => [m(), [3], T.ones([3], { dtype: "float64" }), T.zeros([3], { dtype: "float64" }), 1e-5],
    ],
    [
      "batchNorm",
      T.batchNorm,
      () => [
        T.ones([2, 1, 2], { dtype: "float64" }),
        T.zeros([1], { dtype: "float64" }),
        T.ones([1], { dtype: "float64" }),
        T.ones([1], { dtype: "float64" }),
        T.zeros([1], { dtype: "float64" }),
        { training: true },
      ],
    ],
    [
      "conv2d",
      T.conv2d,
      () => [
        T.ones([1, 1, 3, 3], { dtype: "float64" }),
        T.ones([1, 1, 2, 2], { dtype: "float64" }),
        T.zeros([1], { dtype: "float64" }),
        { stride: 1 },
      ],
    ],
    ["maxPool2d", T.maxPool2d, () => [T.ones([1, 1, 4, 4], { dtype: "float64" }), 2, { stride: 2 }]],
    ["avgPool2d", T.avgPool2d, () => [T.ones([1, 1, 4, 4], { dtype: "float64" }), 2, { stride: 2 }]],
    ["stack", T.stack, () => [[m(), m()], 0]],
    ["crossEntropy", T.crossEntropy, () => [m(), [1], { reduction: "sum" }]],
    ["binaryCrossEntropyWithLogits", T.binaryCrossEntropyWithLogits, () => [m(), m(), { reduction: "sum" }]],
    ["mseLoss", T.mseLoss, () => [m(), m(), { reduction: "sum" }]],
    ["tensor", T.tensor, () => [[1, 2], { dtype: "float64" }]],
    ["zeros", T.zeros, () => [[2], { dtype: "float64" }]],
    ["ones", T.ones, () => [[2], { dtype: "float64" }]],
    ["full", T.full, () => [[2], 1, { dtype: "float64" }]],
    ["zerosLike", T.zerosLike, () => [m(), { dtype: "float64" }]],
    ["onesLike", T.onesLike, () => [m(), { dtype: "float64" }]],
    ["arange", T.arange, () => [0, 3, 1, { dtype: "float64" }]],
    ["eye", T.eye, () => [2, 3, { dtype: "float64" }]],
    ["rand", T.rand, () => [[2], { dtype: "float64" }]],
    ["randn", T.randn, () => [[2], { dtype: "float64" }]],
    ["randint", T.randint, () => [0, 3, [2], { dtype: "float64" }]],
    ["randperm", T.randperm, () => [3, { dtype: "float64" }]],
    [
      "gradcheck",
      T.gradcheck,
      () => [(a: T.Tensor) => a.sum(), [T.tensor([1], { dtype: "float64", requiresGrad: true })], {}],
    ],
  ];
  const bad: [string, unknown][] = [
    ["undefined", undefined],
    ["null", null],
    ["2", 2],
    ["NaN", Number.NaN],
    ['"a"', "a"],
    ["true", true],
    ["{}", {}],
    ["[]", []],
    ["[[1]]", [[1]]],
    ["a function", () => 1],
  ];
  // The replacements that are valid calls, each for a documented reason; every other replacement
  // must throw. The list is exact: an entry that throws fails too.
  const valid = new Set<string>([
    // Numbers stand for 0-d tensors in binary ops and where.
    ..."add sub mul div maximum minimum eq ne lt le gt ge"
      .split(" ")
      .flatMap((f) => [`${f} 0 2`, `${f} 0 NaN`, `${f} 1 2`, `${f} 1 NaN`]),
    ...["where 0 2", "where 0 NaN", "where 1 2", "where 1 NaN", "where 2 2", "where 2 NaN"],
    // where's condition may be a boolean or nested arrays of booleans/numbers ([[1]] broadcasts).
    ...["where 0 true", "where 0 [[1]]"],
    // Training ops: omitted optional arguments and options; other valid numbers (start, end, step,
    // length, eps, kernel size); empty or nested index arrays for embedding.
    ..."slice 2 undefined,slice 3 undefined,slice 3 null,slice 4 undefined,slice 2 2,slice 3 2,slice 4 2,narrow 3 2".split(
      ",",
    ),
    ..."var std".split(" ").flatMap((f) => [`${f} 1 undefined`, `${f} 1 {}`]),
    ...["embedding 0 []", "embedding 0 [[1]]"],
    ..."layerNorm 2 undefined,layerNorm 2 null,layerNorm 3 undefined,layerNorm 3 null,layerNorm 4 undefined,layerNorm 4 2".split(
      ",",
    ),
    ...[1, 2, 3, 4].flatMap((i) => [`batchNorm ${i} undefined`, `batchNorm ${i} null`]),
    ...[
      "batchNorm 5 undefined",
      "batchNorm 5 {}",
      "conv2d 2 undefined",
      "conv2d 2 null",
      "conv2d 3 undefined",
      "conv2d 3 {}",
    ],
    ..."maxPool2d avgPool2d".split(" ").flatMap((f) => [`${f} 1 2`, `${f} 2 undefined`, `${f} 2 {}`]),
    // Omitted (undefined) optional arguments take their defaults; options may be {} or omitted.
    ..."argmax argmin max min sum mean logsumexp"
      .split(" ")
      .flatMap((f) => [`${f} 1 undefined`, `${f} 2 undefined`]),
    ..."clamp 1 undefined,clamp 2 undefined,concat 1 undefined,flatten 1 undefined,flatten 2 undefined".split(
      ",",
    ),
    ..."gelu 1 undefined,gradcheck 2 undefined,leakyRelu 1 undefined,linear 2 undefined,squeeze 1 undefined".split(
      ",",
    ),
    ..."stack 1 undefined,transpose 1 undefined,transpose 2 undefined,eye 1 undefined,arange 1 undefined".split(
      ",",
    ),
    ..."arange 2 undefined".split(","),
    ..."crossEntropy binaryCrossEntropyWithLogits mseLoss gradcheck"
      .split(" ")
      .flatMap((f) => [`${f} 2 undefined`, `${f} 2 {}`]),
    ..."tensor zeros ones zerosLike onesLike rand randn randperm"
      .split(" ")
      .flatMap((f) => [`${f} 1 undefined`, `${f} 1 {}`]),
    ...["full 2 undefined", "full 2 {}", "eye 2 undefined", "eye 2 {}", "arange 3 undefined", "arange 3 {}"],
    ...["randint 3 undefined", "randint 3 {}", "gelu 1 {}"],
    // keepdim = true, and dim lists: [] means all dims (PyTorch's dim=[]).
    ..."argmax argmin max min sum mean logsumexp".split(" ").map((f) => `${f} 2 true`),
    ...["sum 1 []", "mean 1 []", "logsumexp 1 []"],
    // Another valid number: a dim, size, bound, slope, exponent, fill value or class index.
    ..."arange 0 2,arange 1 2,arange 2 2,eye 0 2,eye 1 2,full 1 2,leakyRelu 1 2,pow 1 2,clamp 1 2".split(","),
    ..."clamp 2 2,randint 0 2,randint 1 2,randperm 0 2,unsqueeze 1 2,stack 1 2,crossEntropy 1 2,tensor 0 2".split(
      ",",
    ),
    // NaN where values may be NaN: tensor() and full() values (masks), and pow's exponent (IEEE).
    ...["tensor 0 NaN", "full 1 NaN", "pow 1 NaN"],
    // null for "none": clamp bounds, no bias.
    ...["clamp 1 null", "clamp 2 null", "linear 2 null"],
    // Empty or nested lists that are valid: 0-d shapes, no indices, nested values, a gather index.
    ..."full 0 [],ones 0 [],zeros 0 [],rand 0 [],randn 0 [],randint 2 [],tensor 0 [],tensor 0 [[1]]".split(
      ",",
    ),
    ...["indexSelect 2 []", "rows 1 []", "gather 2 [[1]]"],
  ]);
  const seen = new Set<string>();
  for (const [name, f, args] of fns) {
    it(`${name}: errors name the op, never an engine internal; nothing invalid passes`, () => {
      expect(() => f(...(args() as never[])), `${name} with valid arguments`).not.toThrow();
      const n = args().length;
      for (let i = 0; i < n; i++) {
        for (const [label, b] of bad) {
          const key = `${name} ${i} ${label}`;
          const a = args();
          a[i] = b;
          let error: unknown = null;
          try {
            f(...(a as never[]));
          } catch (e) {
            error = e;
          }
          seen.add(key);
          if (valid.has(key)) {
            expect(error, `${key} is a valid call`).toBeNull();
            continue;
          }
          expect(error, `${key} must throw`).not.toBeNull();
          const msg = (error as Error).message;
          const where = `${key}: ${msg}`;
          expect(msg, where).not.toMatch(LEAKS);
          expect(error instanceof TypeError || error instanceof RangeError, where).toBe(true);
          expect(msg.startsWith(`${name}:`) || msg.startsWith("tensor:"), where).toBe(true);
        }
      }
    });
  }
  it("every valid entry names a real call (no stale entries)", () => {
    for (const key of valid) expect(seen.has(key), key).toBe(true);
  });
});

describe("unknown or misspelled options are rejected with the closest known name", () => {
  const v = () => T.tensor([1, 2], { dtype: "float64", requiresGrad: true });
  // [call, options-taking function given `opts`, its option names]
  const fns: [string, (opts: object) => unknown, string[]][] = [
    ["backward", (o) => v().sum().backward(undefined, o), ["retainGraph"]],
    ["tensor", (o) => T.tensor([1], o), ["dtype", "requiresGrad", "shape"]],
    ["Tensor", (o) => new T.Tensor(new Float32Array(1), [1], o), ["requiresGrad"]],
    ["zeros", (o) => T.zeros([1], o), ["dtype", "requiresGrad"]],
    ["ones", (o) => T.ones([1], o), ["dtype", "requiresGrad"]],
    ["full", (o) => T.full([1], 2, o), ["dtype", "requiresGrad"]],
    ["zerosLike", (o) => T.zerosLike(v(), o), ["dtype", "requiresGrad"]],
    ["onesLike", (o) => T.onesLike(v(), o), ["dtype", "requiresGrad"]],
    ["arange", (o) => T.arange(0, 2, 1, o), ["dtype", "requiresGrad"]],
    ["eye", (o) => T.eye(2, 2, o), ["dtype", "requiresGrad"]],
    ["rand", (o) => T.rand([1], o), ["dtype", "requiresGrad", "generator"]],
    ["randn", (o) => T.randn([1], o), ["dtype", "requiresGrad", "generator"]],
    ["randint", (o) => T.randint(0, 2, [1], o), ["dtype", "requiresGrad", "generator"]],
    [
      "randint",
      (o) => T.randint([1], { high: 2, ...o }),
      ["dtype", "requiresGrad", "generator", "low", "high"],
    ],
    ["randperm", (o) => T.randperm(2, o), ["dtype", "requiresGrad", "generator"]],
    ["gelu", (o) => v().gelu(o as never), ["approximate"]],
    ["crossEntropy", (o) => T.crossEntropy(T.zeros([1, 2]), [0], o), ["reduction"]],
    ["mseLoss", (o) => T.mseLoss(v(), v(), o), ["reduction"]],
    ["binaryCrossEntropyWithLogits", (o) => T.binaryCrossEntropyWithLogits(v(), v(), o), ["reduction"]],
    ["gradcheck", (o) => T.gradcheck((a) => a.sum(), [v()], o), ["eps", "atol", "rtol", "raiseException"]],
  ];
  const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  for (const [name, f, known] of fns) {
    it(`${name}: ${known.join(", ")}`, () => {
      const list = `known options: ${known.join(", ")}`;
      expect(thrown(() => f({ bogus: 1 })).message).toBe(`${name}: unknown option "bogus"; ${list}`);
      expect(thrown(() => f({ bogus: 1 }))).toBeInstanceOf(TypeError);
      for (const k of known) {
        const bad = [snake(k), `${k}_`, k.toUpperCase(), `${k.slice(0, -1)}`].filter((b) => b !== k);
        for (const b of bad) {
          expect(thrown(() => f({ [b]: undefined })).message, b).toBe(
            `${name}: unknown option ${JSON.stringify(b)} (did you mean ${JSON.stringify(k)}?); ${list}`,
          );
        }
      }
    });
  }
  it("the issue's examples", () => {
    expect(
      thrown(() =>
        v()
          .sum()
          .backward(undefined, never({ retain_graph: true })),
      ).message,
    ).toBe(
      'backward: unknown option "retain_graph" (did you mean "retainGraph"?); known options: retainGraph',
    );
    expect(thrown(() => T.tensor([1], never({ requires_grad: true }))).message).toContain(
      '(did you mean "requiresGrad"?)',
    );
  });
  it("known options with a value of the wrong kind are named", () => {
    expect(thrown(() => T.tensor([1], never({ requiresGrad: "yes" }))).message).toBe(
      'tensor: requiresGrad must be a boolean, got string "yes"',
    );
    expect(thrown(() => T.zeros([1], never({ requiresGrad: 1 }))).message).toBe(
      "zeros: requiresGrad must be a boolean, got number 1",
    );
    expect(
      thrown(() =>
        v()
          .sum()
          .backward(undefined, never({ retainGraph: 1 })),
      ).message,
    ).toBe("backward: retainGraph must be a boolean, got number 1");
    expect(thrown(() => T.gradcheck((a) => a.sum(), [v()], { eps: 0 })).message).toBe(
      "gradcheck: eps must be a positive finite number, got 0",
    );
    expect(thrown(() => T.randperm(3, never({ dtype: "int64" }))).message).toBe(
      'randperm: unsupported dtype "int64" (expected "float32" or "float64")',
    );
    expect(thrown(() => T.randint(0, 3, [2], never(null))).message).toBe(
      "randint: options must be an object, got null",
    );
  });
  it("options honoured where they were ignored: randperm's requiresGrad and dtype", () => {
    const p = T.randperm(4, { dtype: "float32", requiresGrad: true });
    expect(p.dtype).toBe("float32");
    expect(p.requiresGrad).toBe(true);
  });
});

describe("module structure", () => {
  it("check.ts, shape.ts and nested.ts do not import tensor.ts at run time (no import cycle)", async () => {
    const { readFileSync } = await import("node:fs");
    for (const file of ["check.ts", "shape.ts", "nested.ts", "brand.ts", "version.ts"]) {
      const src = readFileSync(new URL(file, import.meta.url), "utf8");
      const runtime = [...src.matchAll(/^import (?!type )[^;]*from "([^"]+)";/gm)].map((m) => m[1]);
      expect(runtime, file).not.toContain("./tensor.js");
      expect(
        runtime.filter((p) => p.startsWith("./ops/") || p === "./engine.js"),
        file,
      ).toEqual([]);
    }
  });
});

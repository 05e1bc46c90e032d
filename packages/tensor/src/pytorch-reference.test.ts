/**
 * @descent/tensor against PyTorch semantics, in float64, through the public API only.
 *
 * The expected values live in `../fixtures/torch_semantics.json`, written by
 * `../fixtures/torch_semantics_reference.py`: an independent NumPy/SciPy float64 transcription of
 * PyTorch's CPU forward formulas and of the derivatives in `tools/autograd/derivatives.yaml`
 * (cited case by case there; with real torch installed the script cross-checks against it).
 * Each case runs the op forward, then `y.backward(w)` with a fixed upstream gradient `w`, and
 * compares the output and every input's `.grad` (values, shape and dtype).
 *
 * Cases flagged `discrepancy` in the fixtures are known differences from PyTorch: they are
 * registered as skipped (with the reason in the test name) until the package is fixed.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  abs,
  add,
  arange,
  argmax,
  argmin,
  type Backend,
  binaryCrossEntropyWithLogits,
  cast,
  clamp,
  concat,
  crossEntropy,
  type Dims,
  div,
  eq,
  exp,
  eye,
  flatten,
  full,
  gather,
  ge,
  gelu,
  getBackend,
  gt,
  indexSelect,
  le,
  leakyRelu,
  linear,
  log,
  logSoftmax,
  logsumexp,
  lt,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mseLoss,
  mul,
  ne,
  neg,
  noGrad,
  ones,
  permute,
  pow,
  type Reduction,
  referenceBackend,
  relu,
  reshape,
  rows,
  setBackend,
  sigmoid,
  softmax,
  sqrt,
  squeeze,
  stack,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  transpose,
  unsqueeze,
  where,
  zeros,
} from "./index.js";

/** Tolerances (float64 unless `exact`), named. */
const TOL = {
  /** Relative tolerance on every float64 value and gradient (the brief: ≤ 1e-12 relative). */
  rel: 1e-12,
  /**
   * Absolute tolerance used only where the expected value is exactly 0 (a relative error is
   * undefined there), e.g. a sum that cancels to 0: a few float64 ulps of 1.
   */
  absZero: 1e-15,
} as const;

type Num = number | "NaN" | "Infinity" | "-Infinity";
interface TensorJson {
  shape: number[];
  dtype: "float32" | "float64";
  data: Num[];
  requiresGrad?: boolean;
}
interface FixtureCase {
  name: string;
  op: string;
  params: Record<string, unknown>;
  inputs: TensorJson[];
  output: TensorJson;
  upstream?: TensorJson;
  grads?: (TensorJson | null)[];
  exact?: boolean;
  note?: string;
  discrepancy?: string;
}

const fixtures = JSON.parse(
  readFileSync(new URL("../fixtures/torch_semantics.json", import.meta.url), "utf8"),
) as { meta: Record<string, unknown>; cases: FixtureCase[] };

const decode = (v: Num): number =>
  v === "NaN"
    ? Number.NaN
    : v === "Infinity"
      ? Number.POSITIVE_INFINITY
      : v === "-Infinity"
        ? Number.NEGATIVE_INFINITY
        : v;

function toTensor(t: TensorJson): Tensor {
  return tensor(Float64Array.from(t.data.map(decode)), {
    dtype: t.dtype,
    shape: t.shape,
    requiresGrad: t.requiresGrad === true,
  });
}

type P = Record<string, unknown>;
const n = (p: P, k: string) => p[k] as number;
const dimOf = (p: P) => (p.dim === null || p.dim === undefined ? undefined : (p.dim as Dims));
const keep = (p: P) => p.keepdim === true;
const red = (p: P) => ({ reduction: p.reduction as Reduction });
const F64 = { dtype: "float64" } as const;

/** How each fixture `op` is called through the public API. */
const CALL: Record<string, (xs: Tensor[], p: P) => Tensor> = {
  neg: ([x]) => neg(x),
  exp: ([x]) => exp(x),
  log: ([x]) => log(x),
  sqrt: ([x]) => sqrt(x),
  abs: ([x]) => abs(x),
  tanh: ([x]) => tanh(x),
  sigmoid: ([x]) => sigmoid(x),
  relu: ([x]) => relu(x),
  leakyRelu: ([x], p) => (p.negativeSlope === undefined ? leakyRelu(x) : leakyRelu(x, n(p, "negativeSlope"))),
  gelu: ([x], p) =>
    p.approximate === undefined ? gelu(x) : gelu(x, { approximate: p.approximate as "none" | "tanh" }),
  clamp: ([x], p) => clamp(x, p.min as number | null, p.max as number | null),
  pow: ([x], p) => pow(x, decode(p.exponent as Num)),
  add: ([a, b]) => add(a, b),
  sub: ([a, b]) => sub(a, b),
  mul: ([a, b]) => mul(a, b),
  div: ([a, b]) => div(a, b),
  maximum: ([a, b]) => maximum(a, b),
  minimum: ([a, b]) => minimum(a, b),
  eq: ([a, b]) => eq(a, b),
  ne: ([a, b]) => ne(a, b),
  lt: ([a, b]) => lt(a, b),
  le: ([a, b]) => le(a, b),
  gt: ([a, b]) => gt(a, b),
  ge: ([a, b]) => ge(a, b),
  mulNumber: ([x], p) => x.mul(n(p, "number")),
  mulSelf: ([x]) => mul(x, x),
  cast: ([x], p) => cast(x, p.dtype as "float32" | "float64"),
  rsubNumber: ([x], p) => sub(n(p, "number"), x),
  where: ([c, a, b]) => where(c, a, b),
  sum: ([x], p) => sum(x, dimOf(p), keep(p)),
  mean: ([x], p) => mean(x, dimOf(p), keep(p)),
  logsumexp: ([x], p) => logsumexp(x, dimOf(p), keep(p)),
  max: ([x], p) => max(x, dimOf(p) as number | undefined, keep(p)),
  min: ([x], p) => min(x, dimOf(p) as number | undefined, keep(p)),
  argmax: ([x], p) => argmax(x, dimOf(p) as number | undefined, keep(p)),
  argmin: ([x], p) => argmin(x, dimOf(p) as number | undefined, keep(p)),
  softmax: ([x], p) => softmax(x, n(p, "dim")),
  logSoftmax: ([x], p) => logSoftmax(x, n(p, "dim")),
  matmul: ([a, b]) => matmul(a, b),
  linear: ([x, w, b]) => linear(x, w, b),
  reshape: ([x], p) => reshape(x, p.shape as number[]),
  transpose: ([x], p) => (p.dim0 === undefined ? transpose(x) : transpose(x, n(p, "dim0"), n(p, "dim1"))),
  permute: ([x], p) => permute(x, p.perm as number[]),
  squeeze: ([x], p) => (p.dim === undefined ? squeeze(x) : squeeze(x, n(p, "dim"))),
  unsqueeze: ([x], p) => unsqueeze(x, n(p, "dim")),
  flatten: ([x], p) => flatten(x, n(p, "startDim"), n(p, "endDim")),
  concat: (xs, p) => concat(xs, n(p, "dim")),
  stack: (xs, p) => stack(xs, n(p, "dim")),
  gather: ([x], p) => gather(x, n(p, "dim"), p.index as number[][]),
  indexSelect: ([x], p) => indexSelect(x, n(p, "dim"), p.index as number[]),
  rows: ([x], p) => rows(x, p.index as number[]),
  crossEntropy: ([x], p) => {
    const tg = p.targets as number[] | number;
    const targets =
      p.targetsAs === "tensor"
        ? tensor(tg as number[], F64)
        : p.targetsAs === "int32"
          ? Int32Array.from(tg as number[])
          : tg;
    return crossEntropy(x, targets, red(p));
  },
  bceWithLogits: ([x, y], p) => binaryCrossEntropyWithLogits(x, y, red(p)),
  mseLoss: ([x, y], p) => mseLoss(x, y, red(p)),
  arange: (_, p) => {
    const a = p.args as number[];
    return a.length === 1 ? arange(a[0], undefined, 1, F64) : arange(a[0], a[1], a[2] ?? 1, F64);
  },
  eye: (_, p) => eye(n(p, "n"), (p.m as number | undefined) ?? n(p, "n"), F64),
  full: (_, p) => full(p.shape as number[], decode(p.value as Num), F64),
  zeros: (_, p) => zeros(p.shape as number[], F64),
  ones: (_, p) => ones(p.shape as number[], F64),
  tensor: (_, p) => tensor(p.values as number[][], F64),
};

/** `DESCENT_RUN_DISCREPANCIES=1` also runs the cases flagged as known discrepancies (to check a fix). */
const RUN_DISCREPANCIES = process.env.DESCENT_RUN_DISCREPANCIES === "1";

/** Largest relative deviation seen over the compared values of one suite. */
interface Worst {
  rel: number;
  where: string;
}

function expectMatches(
  actual: Tensor,
  expected: TensorJson,
  exact: boolean,
  what: string,
  worst: Worst,
): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  expect(actual.dtype, `${what}: dtype`).toBe(expected.dtype);
  const e = expected.data.map(decode);
  expect(actual.size, `${what}: size`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const a = actual.data[i];
    const x = e[i];
    if (Number.isNaN(x) || Number.isNaN(a)) {
      if (!(Number.isNaN(x) && Number.isNaN(a))) expect.fail(`${what}[${i}]: got ${a}, expected ${x}`);
      continue;
    }
    if (a === x) continue;
    if (exact || !Number.isFinite(x) || !Number.isFinite(a)) {
      expect.fail(`${what}[${i}]: got ${a}, expected exactly ${x}`);
    }
    const err = Math.abs(a - x);
    const rel = x === 0 ? err : err / Math.abs(x);
    if (rel > worst.rel && !(x === 0 && err <= TOL.absZero)) {
      worst.rel = rel;
      worst.where = `${what}[${i}] (got ${a}, expected ${x})`;
    }
    if (x === 0 ? err > TOL.absZero : rel > TOL.rel) {
      expect.fail(`${what}[${i}]: got ${a}, expected ${x} (relative error ${rel.toExponential(2)})`);
    }
  }
}

/**
 * The fixtures run under the default backend and, when that is another one, under the
 * reference backend too (every backend must give PyTorch's values).
 */
const BACKENDS: Backend[] = [getBackend(), ...(getBackend() === referenceBackend ? [] : [referenceBackend])];

for (const be of BACKENDS) {
  describe(`PyTorch semantics, float64 fixtures (${fixtures.meta.source}), ${be.name} backend`, () => {
    const worst: Worst = { rel: 0, where: "" };
    let previous: Backend;
    beforeAll(() => {
      previous = setBackend(be);
    });
    afterAll(() => {
      setBackend(previous);
    });

    it("has a call for every fixture op", () => {
      const missing = [...new Set(fixtures.cases.map((c) => c.op))].filter((op) => !(op in CALL));
      expect(missing).toEqual([]);
      expect(fixtures.cases.length).toBeGreaterThan(100);
    });

    for (const c of fixtures.cases) {
      const title = c.discrepancy ? `${c.name} — KNOWN DISCREPANCY: ${c.discrepancy}` : c.name;
      (c.discrepancy && !RUN_DISCREPANCIES ? it.skip : it)(title, () => {
        const xs = c.inputs.map(toTensor);
        const y = CALL[c.op](xs, c.params);
        expectMatches(y, c.output, c.exact === true, `${c.name} forward`, worst);
        if (!c.upstream || !c.grads) {
          for (const x of xs) expect(x.grad).toBeNull();
          return;
        }
        expect(y.requiresGrad, `${c.name}: output requires grad`).toBe(true);
        y.backward(toTensor({ ...c.upstream, dtype: y.dtype }));
        c.grads.forEach((g, i) => {
          if (g === null) {
            expect(xs[i].grad, `${c.name}: input ${i} gets no grad`).toBeNull();
            return;
          }
          const gi = xs[i].grad;
          expect(gi, `${c.name}: input ${i} has a grad`).not.toBeNull();
          expectMatches(gi!, g, c.exact === true, `${c.name} grad[${i}]`, worst);
        });
      });
    }

    it("largest relative deviation over all compared values stays within TOL.rel", () => {
      console.info(
        `${be.name} backend: largest relative deviation from the fixtures: ${worst.rel.toExponential(2)} at ${worst.where}`,
      );
      expect(worst.rel, worst.where).toBeLessThanOrEqual(TOL.rel);
    });
  });
}

describe("creation defaults (deliberate differences from PyTorch, as documented)", () => {
  it("integer data and integer arange/full arguments give float32 tensors (PyTorch: int64)", () => {
    expect(tensor([1, 2, 3]).dtype).toBe("float32");
    expect(arange(5).dtype).toBe("float32");
    expect(full([2], 3).dtype).toBe("float32");
    expect(Array.from(arange(5).data)).toEqual([0, 1, 2, 3, 4]);
  });

  it("a Float64Array source keeps float64; float32 storage rounds like torch.float32", () => {
    expect(tensor(new Float64Array([0.1])).dtype).toBe("float64");
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
    // arange in float32: values computed in double (start + i·step), then rounded once
    const a = arange(0, 1, 0.1);
    expect(a.size).toBe(10);
    for (let i = 0; i < 10; i++) expect(a.data[i]).toBe(Math.fround(i * 0.1));
  });
});

describe("autograd semantics (PyTorch)", () => {
  const x = () => tensor(new Float64Array([1.5, -2, 0.25]), { requiresGrad: true });
  it("gradients accumulate across backward calls until reset", () => {
    const a = x();
    a.mul(a).sum().backward();
    a.mul(3).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([2 * 1.5 + 3, 2 * -2 + 3, 2 * 0.25 + 3]);
    a.grad = null;
    a.sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([1, 1, 1]);
  });
  it("retainGraph allows a second backward through the same graph (grads add up)", () => {
    const a = x();
    const y = a.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(Array.from(a.grad!.data)).toEqual([1.5, -2, 0.25].map((v) => 2 * Math.exp(v)));
  });
  it("only leaves get .grad; detach() and noGrad cut the graph", () => {
    const a = x();
    const h = a.mul(2);
    const d = h.detach();
    expect(d.requiresGrad).toBe(false);
    expect(noGrad(() => a.mul(2)).requiresGrad).toBe(false);
    h.mul(d).sum().backward(); // d is a constant: grad = 2·d = 4a
    expect(h.grad).toBeNull();
    expect(Array.from(a.grad!.data)).toEqual([6, -8, 1]);
  });
});

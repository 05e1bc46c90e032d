/**
 * The training ops (slicing, statistics, embedding, normalisation, convolution, pooling) against
 * real PyTorch, in float64, through the public API.
 *
 * Expected values: `../fixtures/train_ops.json`, written by `../fixtures/train_ops_torch.py` with
 * PyTorch 1.13 (CPU, float64). Each case runs forward, then `y.backward(w)` with the fixed
 * upstream gradient `w = 1 + ((i·7) mod 5)/5`, and compares the output and each input's `.grad`.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectClose } from "./close.testutil.js";
import * as T from "./index.js";
import type { Tensor } from "./tensor.js";

type Num = number | string;
interface Case {
  name: string;
  op: string;
  args: Record<string, unknown>;
  inputs: { shape: number[]; data: Num[]; grad: boolean }[];
  out: { shape: number[]; data: Num[] };
  grads: (Num[] | null)[];
  runningMeanAfter?: Num[];
  runningVarAfter?: Num[];
}

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/train_ops.json", import.meta.url), "utf8")) as {
  torch: string;
  cases: Case[];
};

const num = (v: Num): number =>
  v === "nan"
    ? Number.NaN
    : v === "inf"
      ? Number.POSITIVE_INFINITY
      : v === "-inf"
        ? Number.NEGATIVE_INFINITY
        : (v as number);
const nums = (a: Num[]): number[] => a.map(num);

/** float64 vs PyTorch float64: the same formulas, summed in a different order. */
const REL = 1e-12;
const ABS = 1e-14;

/** Runs a case's op on its inputs (and records running stats for batchNorm). */
const RUN: Record<string, (xs: Tensor[], a: Record<string, unknown>, c: Case) => Tensor> = {
  slice: ([x], a) => x.slice(a.dim as number, a.start as number, a.end as number | null, a.step as number),
  narrow: ([x], a) => x.narrow(a.dim as number, a.start as number, a.length as number),
  var: ([x], a) => x.var(a.opts as T.VarOptions),
  std: ([x], a) => x.std(a.opts as T.VarOptions),
  sin: ([x]) => x.sin(),
  cos: ([x]) => x.cos(),
  where: ([c, a, b]) => T.where(c, a, b),
  embedding: ([w], a) => T.embedding(a.indices as number[], w),
  layerNorm: ([x, w, b], a) => T.layerNorm(x, a.normalizedShape as number[], w, b, a.eps as number),
  conv2d: ([x, w, b], a) =>
    T.conv2d(x, w, b, {
      stride: a.stride as number,
      padding: a.padding as number,
      dilation: a.dilation as number,
      groups: a.groups as number,
    }),
  maxPool2d: ([x], a) =>
    T.maxPool2d(x, a.kernelSize as number, { stride: a.stride as number, padding: a.padding as number }),
  avgPool2d: ([x], a) =>
    T.avgPool2d(x, a.kernelSize as number, {
      stride: a.stride as number,
      padding: a.padding as number,
      countIncludePad: a.countIncludePad as boolean,
    }),
  batchNorm: ([x, w, b], a, c) => {
    const rm = T.tensor(nums(a.runningMean as Num[]), { dtype: "float64" });
    const rv = T.tensor(nums(a.runningVar as Num[]), { dtype: "float64" });
    const y = T.batchNorm(x, rm, rv, w, b, {
      training: a.training as boolean,
      momentum: a.momentum as number,
      eps: a.eps as number,
    });
    expectClose(rm, nums(c.runningMeanAfter ?? []), { rtol: REL, atol: ABS });
    expectClose(rv, nums(c.runningVarAfter ?? []), { rtol: REL, atol: ABS });
    return y;
  },
};

/** Ops of the fixtures not yet exposed (their cases are listed as skipped). */
const PENDING = new Set<string>([]);

it("the fixtures hold a case for every op", () => {
  const ops = new Set(fixtures.cases.map((c) => c.op));
  expect([...ops].sort()).toEqual([...new Set([...Object.keys(RUN), ...PENDING])].sort());
});

/** The default backend (WASM where available: conv2d's matmuls run there) and the reference one. */
const BACKENDS: T.Backend[] =
  T.getBackend() === T.referenceBackend ? [T.referenceBackend] : [T.getBackend(), T.referenceBackend];

describe.each(BACKENDS.map((b) => [b.name, b] as const))(
  `training ops vs PyTorch ${fixtures.torch} (float64), %s backend`,
  (_name, backend) => {
    let prev: T.Backend;
    beforeAll(() => {
      prev = T.setBackend(backend);
    });
    afterAll(() => {
      T.setBackend(prev);
    });
    for (const c of fixtures.cases) {
      const run = RUN[c.op];
      (run === undefined ? it.skip : it)(c.name, () => {
        const xs = c.inputs.map((inp) =>
          T.tensor(nums(inp.data), { dtype: "float64", shape: inp.shape, requiresGrad: inp.grad }),
        );
        const y = run(xs, c.args, c);
        expect(y.shape).toEqual(c.out.shape);
        expect(y.dtype).toBe("float64");
        expectClose(y, nums(c.out.data), { rtol: REL, atol: ABS, nanEqual: true });
        if (y.requiresGrad && y.size > 0) {
          const w = T.tensor(
            Array.from({ length: y.size }, (_, i) => 1 + ((i * 7) % 5) / 5),
            { dtype: "float64", shape: y.shape },
          );
          y.backward(w);
        }
        c.grads.forEach((g, k) => {
          if (g === null) return;
          const got = xs[k].grad;
          if (got === null) expect.fail(`input ${k} has no gradient`);
          expectClose(got, nums(g), { rtol: REL, atol: ABS, nanEqual: true });
        });
      });
    }
  },
);

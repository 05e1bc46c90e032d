import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectClose, TOL } from "../close.testutil.js";
import { randn, tensor } from "../creation.js";
import { gradcheck } from "../gradcheck.js";
import { Generator } from "../random.js";
import type { Tensor } from "../tensor.js";
import { add, div, maximum, minimum, mul, sub } from "./binary.js";
import { matmul } from "./matmul.js";

/** Independent reference: element of `shape` at output multi-index `idx` (trailing alignment, size-1 broadcast). */
function at(t: Tensor, idx: number[]): number {
  const off = idx.length - t.ndim;
  let flat = 0;
  for (let d = 0; d < t.ndim; d++) flat = flat * t.shape[d] + (t.shape[d] === 1 ? 0 : idx[d + off]);
  return t.data[flat];
}

function* indices(shape: number[]): IterableIterator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < n; f++) {
    const idx = new Array<number>(shape.length);
    let r = f;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    yield idx;
  }
}

/**
 * A broadcast-compatible pair of shapes: a common shape (zero-size dims included), then dims
 * dropped (leading) or set to 1.
 */
const shapePair = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((base) =>
    fc.tuple(
      fc.constant(base),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: base.length, maxLength: base.length }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: base.length, maxLength: base.length }),
      fc.integer({ min: 0, max: base.length }),
      fc.integer({ min: 0, max: base.length }),
      fc.integer({ min: 0, max: 1_000_000 }),
    ),
  )
  .map(([base, ma, mb, dropA, dropB, seed]) => {
    const a = base.map((d, i) => (ma[i] === 0 ? 1 : d)).slice(dropA);
    const b = base.map((d, i) => (mb[i] === 0 ? 1 : d)).slice(dropB);
    return { a, b, seed };
  });

function outShape(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[i - (n - a.length)] ?? 1;
    const db = b[i - (n - b.length)] ?? 1;
    return da === 1 ? db : da; // a size-1 dim takes the other's size, 0 included
  });
}

const OPS: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ["add", add, (x, y) => x + y],
  ["sub", sub, (x, y) => x - y],
  ["mul", mul, (x, y) => x * y],
  ["div", div, (x, y) => x / y],
  ["maximum", maximum, Math.max],
  ["minimum", minimum, Math.min],
];

describe("property: broadcasting binary ops match an index-by-index reference", () => {
  for (const [name, op, ref] of OPS) {
    it(name, () => {
      fc.assert(
        fc.property(shapePair, ({ a, b, seed }) => {
          const g = new Generator(seed);
          const ta = randn(a, { dtype: "float64", generator: g, requiresGrad: true });
          const tb = randn(b, { dtype: "float64", generator: g, requiresGrad: true });
          const out = op(ta, tb);
          const s = outShape(a, b);
          expect(out.shape).toEqual(s);
          const expected: number[] = [];
          for (const idx of indices(s)) expected.push(ref(at(ta, idx), at(tb, idx)));
          expectClose(out, expected, { rtol: 0 });
          return true;
        }),
        { seed: 0xb0ad1, numRuns: 60 },
      );
    });
  }

  it("broadcast gradients are summed back to each input's shape (gradcheck on random shapes)", () => {
    fc.assert(
      fc.property(shapePair, ({ a, b, seed }) => {
        const g = new Generator(seed);
        const ta = randn(a, { dtype: "float64", generator: g, requiresGrad: true });
        const tb = randn(b, { dtype: "float64", generator: g, requiresGrad: true });
        for (let i = 0; i < tb.size; i++) tb.data[i] += tb.data[i] >= 0 ? 0.5 : -0.5; // keep div away from 0
        expect(gradcheck((x, y) => x.mul(y).add(x.div(y)).sub(y), [ta, tb])).toBe(true);
        // Gradient of a plain sum has every input element counted once per broadcast copy.
        ta.grad = null;
        tb.grad = null;
        add(ta, tb).sum().backward();
        const s = outShape(a, b);
        const n = s.reduce((p, q) => p * q, 1);
        const sa = a.reduce((p, q) => p * q, 1);
        const sb = b.reduce((p, q) => p * q, 1);
        expectClose(ta.grad!, new Array(sa).fill(n / sa), { rtol: 0 });
        expectClose(tb.grad!, new Array(sb).fill(n / sb), { rtol: 0 });
        return true;
      }),
      { seed: 0xb0ad2, numRuns: 40 },
    );
  });

  it("incompatible shapes raise an error naming the op and both shapes", () => {
    expect(() => add(tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow(
      "add: shapes [1, 3] and [2] cannot be broadcast together (dim -1: 3 vs 2)",
    );
    expect(() =>
      mul(
        tensor([[1], [2]]),
        tensor([
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ]),
      ),
    ).toThrow(/mul: shapes \[2, 1\] and \[3, 3\]/);
  });
});

/** Naive triple loop in float64: the independent matmul reference. */
function naiveMatmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      out[i * n + j] = s;
    }
  return out;
}

describe("property: matmul", () => {
  const dims = fc.record({
    m: fc.integer({ min: 0, max: 6 }),
    k: fc.integer({ min: 0, max: 6 }),
    n: fc.integer({ min: 0, max: 6 }),
    batch: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
    bcastA: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  });

  it("batched broadcast products match a naive loop per batch", () => {
    fc.assert(
      fc.property(dims, ({ m, k, n, batch, bcastA, seed }) => {
        const g = new Generator(seed);
        const aShape = bcastA ? [m, k] : [...batch, m, k];
        const a = randn(aShape, { dtype: "float64", generator: g });
        const b = randn([...batch, k, n], { dtype: "float64", generator: g });
        const c = matmul(a, b);
        expect(c.shape).toEqual([...batch, m, n]);
        const nb = batch.reduce((p, q) => p * q, 1);
        for (let i = 0; i < nb; i++) {
          const ai = bcastA ? a.data : a.data.subarray(i * m * k, (i + 1) * m * k);
          const ref = naiveMatmul(
            ai as Float64Array,
            b.data.subarray(i * k * n, (i + 1) * k * n) as Float64Array,
            m,
            k,
            n,
          );
          expectClose(c.data.subarray(i * m * n, (i + 1) * m * n), ref, { rtol: TOL.f64, atol: TOL.f64 });
        }
        return true;
      }),
      { seed: 0x3a7a1, numRuns: 60 },
    );
  });

  it("gradients pass gradcheck for random shapes", () => {
    fc.assert(
      fc.property(dims, ({ m, k, n, batch, bcastA, seed }) => {
        const g = new Generator(seed);
        const a = randn(bcastA ? [m, k] : [...batch, m, k], {
          dtype: "float64",
          generator: g,
          requiresGrad: true,
        });
        const b = randn([...batch, k, n], { dtype: "float64", generator: g, requiresGrad: true });
        expect(gradcheck(matmul, [a, b])).toBe(true);
        return true;
      }),
      { seed: 0x3a7a2, numRuns: 25 },
    );
  });

  it("float32 matches the float64 reference to float32 precision", () => {
    const g = new Generator(9);
    const a = randn([17, 33], { dtype: "float64", generator: g });
    const b = randn([33, 9], { dtype: "float64", generator: g });
    const ref = naiveMatmul(a.data as Float64Array, b.data as Float64Array, 17, 33, 9);
    const c = matmul(a.to("float32"), b.to("float32"));
    expect(c.dtype).toBe("float32");
    // Inputs rounded to float32 (rel 6e-8 each) and float32 accumulation over k = 33 terms of size ~1.
    expectClose(c, ref, { rtol: TOL.f32, atol: 33 * 1e-6 });
  });
});

describe("property: reductions, softmax and permute over random shapes and dims", () => {
  const shapeDim = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      dim: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      keepdim: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
    }),
  );

  /** Independent reference: fold `f` over `dim` for every other index. */
  function naiveReduce(x: Tensor, dim: number, f: (vals: number[]) => number): number[] {
    const d = dim < 0 ? dim + x.ndim : dim;
    const outShape = x.shape.filter((_, i) => i !== d);
    const out: number[] = [];
    for (const idx of indices(outShape)) {
      const vals: number[] = [];
      for (let r = 0; r < x.shape[d]; r++) {
        const full = [...idx.slice(0, d), r, ...idx.slice(d)];
        vals.push(at(x, full));
      }
      out.push(f(vals));
    }
    return out;
  }

  it("sum/mean/max/min/logsumexp/argmax along a random dim match a naive fold", () => {
    fc.assert(
      fc.property(shapeDim, ({ shape, dim, keepdim, seed }) => {
        const x = randn(shape, { dtype: "float64", generator: new Generator(seed) });
        const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
        expectClose(x.sum(dim, keepdim), naiveReduce(x, dim, sum), { rtol: TOL.f64, atol: 1e-14 });
        expectClose(
          x.mean(dim, keepdim),
          naiveReduce(x, dim, (v) => sum(v) / v.length),
          { rtol: TOL.f64, atol: 1e-14, nanEqual: true }, // the mean of nothing is NaN, as in PyTorch
        );
        const d0 = dim < 0 ? dim + shape.length : dim;
        if (shape[d0] === 0) {
          // No maximum of nothing (PyTorch: "Expected reduction dim … to have non-zero size").
          expect(() => x.max(dim, keepdim)).toThrow(RangeError);
          expect(() => x.argmax(dim, keepdim)).toThrow(RangeError);
        } else {
          expectClose(
            x.max(dim, keepdim),
            naiveReduce(x, dim, (v) => Math.max(...v)),
            { rtol: 0 },
          );
          expectClose(
            x.min(dim, keepdim),
            naiveReduce(x, dim, (v) => Math.min(...v)),
            { rtol: 0 },
          );
          if (x.size > 0) {
            expectClose(
              x.argmax(dim, keepdim),
              naiveReduce(x, dim, (v) => v.indexOf(Math.max(...v))),
              { rtol: 0 },
            );
          }
        }
        const lse = (v: number[]) => {
          const m = Math.max(...v);
          return m + Math.log(sum(v.map((e) => Math.exp(e - m))));
        };
        expectClose(x.logsumexp(dim, keepdim), naiveReduce(x, dim, lse), { rtol: TOL.f64 });
        const d = dim < 0 ? dim + shape.length : dim;
        const kept = shape.map((s, i) => (i === d ? 1 : s));
        expect(x.sum(dim, keepdim).shape).toEqual(keepdim ? kept : shape.filter((_, i) => i !== d));
        return true;
      }),
      { seed: 0x4ed01, numRuns: 80 },
    );
  });

  it("softmax, logSoftmax, sum, max and permute pass gradcheck on random shapes", () => {
    fc.assert(
      fc.property(shapeDim, ({ shape, dim, keepdim, seed }) => {
        const x = randn(shape, { dtype: "float64", generator: new Generator(seed), requiresGrad: true });
        const perm = shape.map((_, i) => i).reverse();
        const w = randn(shape, { dtype: "float64", generator: new Generator(seed + 1) });
        expect(gradcheck((t) => t.softmax(dim).mul(w).sum(dim, keepdim), [x])).toBe(true);
        expect(gradcheck((t) => t.logSoftmax(dim).mul(w), [x])).toBe(true);
        const d = dim < 0 ? dim + shape.length : dim;
        if (shape[d] > 0) expect(gradcheck((t) => t.mul(w).max(dim, keepdim), [x])).toBe(true);
        expect(gradcheck((t) => t.permute(perm).mul(w.permute(perm)), [x])).toBe(true);
        return true;
      }),
      { seed: 0x4ed02, numRuns: 30 },
    );
  });
});

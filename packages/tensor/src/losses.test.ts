import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectClose, TOL } from "./close.testutil.js";
import { tensor, zeros } from "./creation.js";
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss } from "./losses.js";

/** References: NumPy 2.4 / SciPy 1.17 float64 (log_softmax, log1p), formulas as documented by PyTorch. */
describe("crossEntropy", () => {
  it("matches the reference, including logits of ±1000 (no overflow)", () => {
    const logits = tensor(
      [
        [1000, 0, -1000],
        [0.5, 0.25, 2.0],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const loss = crossEntropy(logits, [2, 1]);
    expect(loss.shape).toEqual([]);
    expectClose(loss, [1001.0421292166969], { rtol: TOL.f64 });
    loss.backward();
    expectClose(
      logits.grad!,
      [0.5, 0.0, -0.5, 0.07986595485458689, -0.43780033181850225, 0.3579343769639154],
      {
        rtol: TOL.f64,
        atol: 1e-300,
      },
    );
  });

  it("accepts targets as array, Int32Array, tensor or a single index; sum and none reductions", () => {
    const logits = tensor([
      [1, 2],
      [3, 4],
    ]);
    const mean = 0.8132616875182228; // ((lse₀ − 1) + (lse₁ − 4)) / 2
    expectClose(crossEntropy(logits, [0, 1]), [mean], { rtol: TOL.f32 });
    expectClose(crossEntropy(logits, new Int32Array([0, 1])), [mean], { rtol: TOL.f32 });
    expectClose(crossEntropy(logits, tensor([0, 1])), [mean], { rtol: TOL.f32 });
    expectClose(crossEntropy(logits, [0, 1], { reduction: "sum" }), [2 * mean], { rtol: TOL.f32 });
    expectClose(
      crossEntropy(logits, [0, 1], { reduction: "none" }),
      [1.3132616875182228, 0.3132616875182228],
      {
        rtol: TOL.f32,
      },
    );
    expectClose(crossEntropy(tensor([3, 4]), 1), [0.3132616875182228], { rtol: TOL.f32 });
  });

  it("rejects bad targets and shapes", () => {
    const logits = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(() => crossEntropy(logits, [0, 2])).toThrow(
      "crossEntropy: target 2 at position 1 is out of range; expected an integer class index in [0, 1] (size 2, the class dim of logits [2, 2])",
    );
    expect(() => crossEntropy(logits, [0, 0.5])).toThrow(
      "crossEntropy: target 0.5 at position 1 is not an integer; expected an integer class index in [0, 1] (size 2, the class dim of logits [2, 2])",
    );
    expect(() => crossEntropy(logits, [0])).toThrow(
      "crossEntropy: logits [2, 2] need 2 targets (one class index per row), got 1",
    );
    expect(() => crossEntropy(tensor([[[1]]]), [0])).toThrow(
      /logits must be \[N, C\] or \[C\], got \[1, 1, 1\]/,
    );
    expect(() => crossEntropy(logits, [0, 1], { reduction: "avg" as never })).toThrow(/reduction must be/);
  });
});

describe("binaryCrossEntropyWithLogits", () => {
  it("matches max(x,0) − x·y + log1p(e^{−|x|}) even for |x| = 40", () => {
    const x = tensor([0.5, -1.5, 2.0, 30.0, -40.0], { dtype: "float64", requiresGrad: true });
    const y = tensor([1, 0, 0.3, 0, 1], { dtype: "float64" });
    const l = binaryCrossEntropyWithLogits(x, y);
    expectClose(l, [14.440483654641184], { rtol: TOL.f64 });
    l.backward();
    expectClose(
      x.grad!,
      [-0.07550813375962909, 0.03648510476127127, 0.11615941559557648, 0.1999999999999813, -0.2],
      { rtol: TOL.f64 },
    );
    expectClose(
      binaryCrossEntropyWithLogits(x, y, { reduction: "none" }),
      [0.4740769841801067, 0.2014132779827524, 1.5269280110429724, 30.000000000000092, 40.0],
      { rtol: TOL.f64 },
    );
  });
  it("requires equal shapes", () => {
    expect(() => binaryCrossEntropyWithLogits(tensor([1, 2]), tensor([1]))).toThrow(
      "binaryCrossEntropyWithLogits: target shape [1] must match logits shape [2]",
    );
  });
});

describe("mseLoss", () => {
  it("mean of squared differences and its gradient 2(p − q)/N", () => {
    const p = tensor(
      [
        [1.5, -2.0],
        [0.25, 3.0],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const q = tensor(
      [
        [1.0, 0.5],
        [0.0, -1.0],
      ],
      { dtype: "float64" },
    );
    const l = mseLoss(p, q);
    expect(l.item()).toBe(5.640625);
    l.backward();
    expectClose(p.grad!, [0.25, -1.25, 0.125, 2.0], { rtol: TOL.f64 });
    expect(mseLoss(p, q, { reduction: "sum" }).item()).toBe(22.5625);
    expect(mseLoss(p, q, { reduction: "none" }).shape).toEqual([2, 2]);
    expect(() => mseLoss(p, tensor([1, 2]))).toThrow(
      "mseLoss: target shape [2] must match input shape [2, 2]",
    );
  });
});

describe("crossEntropy: every bad class label is named with its position", () => {
  const logits = zeros([4, 3]);
  const shape = "(size 3, the class dim of logits [4, 3])";
  it.each([
    [
      [0, 1, 2, Number.NaN],
      `target NaN at position 3 is not a number; expected an integer class index in [0, 2] ${shape}`,
    ],
    [
      [0, 1.5, 2, 0],
      `target 1.5 at position 1 is not an integer; expected an integer class index in [0, 2] ${shape}`,
    ],
    [
      [-1, 0, 0, 0],
      `target -1 at position 0 is negative; expected an integer class index in [0, 2] ${shape}; ignoreIndex is not supported`,
    ],
    [
      [0, 0, 3, 0],
      `target 3 at position 2 is out of range; expected an integer class index in [0, 2] ${shape}`,
    ],
    [
      [0, Number.POSITIVE_INFINITY, 0, 0],
      `target Infinity at position 1 is not finite; expected an integer class index in [0, 2] ${shape}`,
    ],
  ])("%j", (targets, message) => {
    expect(() => crossEntropy(logits, targets)).toThrow(new RangeError(`crossEntropy: ${message}`));
    expect(() => crossEntropy(logits, Float64Array.from(targets))).toThrow(`crossEntropy: ${message}`);
    expect(() => crossEntropy(logits, tensor(targets, { dtype: "float64" }))).toThrow(
      `crossEntropy: ${message}`,
    );
  });
  it("wrong length, rank or kind", () => {
    expect(() => crossEntropy(logits, [0, 1, 2])).toThrow(
      "crossEntropy: logits [4, 3] need 4 targets (one class index per row), got 3",
    );
    expect(() => crossEntropy(logits, [[0], [1], [2], [0]])).toThrow(
      "crossEntropy: target at position 0 must be an integer class index, got an array (targets must be 1-D)",
    );
    expect(() => crossEntropy(logits, zeros([4, 1]))).toThrow(
      "crossEntropy: targets must be 1-D class indices, got a tensor of shape [4, 1]",
    );
    expect(() => crossEntropy(logits, ["0", 1, 2, 0] as never)).toThrow(
      'crossEntropy: target at position 0 must be an integer class index, got string "0"',
    );
    expect(() => crossEntropy(logits, new BigInt64Array(4) as never)).toThrow(
      "crossEntropy: target at position 0 must be an integer class index, got bigint 0",
    );
    expect(() => crossEntropy(logits, "0123" as never)).toThrow(/targets must be class indices/);
    expect(() => crossEntropy(zeros([2, 0]), [0, 0])).toThrow(
      "crossEntropy: target 0 at position 0 is out of range; logits [2, 0] have no classes (size 0)",
    );
  });
  it("property: a label set is accepted exactly when every label is an integer in [0, C) and there is one per row", () => {
    const label = fc.oneof(
      fc.integer({ min: -3, max: 6 }),
      fc.constantFrom(
        Number.NaN,
        0.5,
        1.5,
        -0.5,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        1e300,
        -0,
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(label, { maxLength: 6 }),
        fc.constantFrom("array", "Float64Array", "Int32Array", "Tensor"),
        (n, c, labels, kind) => {
          const x = zeros([n, c], { dtype: "float64", requiresGrad: true });
          const given =
            kind === "array"
              ? labels
              : kind === "Float64Array"
                ? Float64Array.from(labels)
                : kind === "Int32Array"
                  ? Int32Array.from(labels)
                  : tensor(labels, { dtype: "float64" });
          const seen = Array.from(Array.isArray(given) ? given : "data" in given ? given.data : given);
          const firstBad = seen.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < c));
          let error: Error | null = null;
          try {
            const loss = crossEntropy(x, given as never, { reduction: "sum" });
            loss.backward();
          } catch (e) {
            error = e as Error;
          }
          if (seen.length !== n) {
            expect(error?.message).toBe(
              `crossEntropy: logits [${n}, ${c}] need ${n} target${n === 1 ? "" : "s"} (one class index per row), got ${seen.length}`,
            );
          } else if (firstBad >= 0) {
            expect(error).toBeInstanceOf(RangeError);
            expect(
              error?.message.startsWith(`crossEntropy: target ${seen[firstBad]} at position ${firstBad} is `),
            ).toBe(true);
          } else {
            expect(error).toBeNull();
            // ∂/∂x Σ ℓ = softmax(x) − onehot: rows of zeros give 1/C − [c = t].
            for (let i = 0; i < n; i++)
              for (let j = 0; j < c; j++)
                expect(x.grad!.data[i * c + j]).toBeCloseTo(1 / c - (j === seen[i] ? 1 : 0), 15);
          }
        },
      ),
      { seed: 0x1abe1, numRuns: 500 },
    );
  });
});

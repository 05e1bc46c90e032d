import { describe, expect, it } from "vitest";
import { expectClose, TOL } from "./close.testutil.js";
import { tensor } from "./creation.js";
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

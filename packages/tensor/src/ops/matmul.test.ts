import { describe, expect, it } from "vitest";
import { expectClose, TOL } from "../close.testutil.js";
import { arange, tensor } from "../creation.js";
import { linear, matmul } from "./matmul.js";

describe("matmul", () => {
  it("2-D, 1-D and batched shapes follow torch.matmul", () => {
    const a = arange(6, undefined, 1, { dtype: "float64" }).reshape([2, 3]);
    const b = arange(12, undefined, 1, { dtype: "float64" }).reshape([3, 4]);
    // Hand-computed: row i of a · column j of b.
    expect(matmul(a, b).toArray()).toEqual([
      [20, 23, 26, 29],
      [56, 68, 80, 92],
    ]);
    expect(matmul(tensor([1, 2, 3]), tensor([4, 5, 6])).shape).toEqual([]);
    expect(matmul(tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
    expect(matmul(tensor([1, 1]), a).toArray()).toEqual([3, 5, 7]);
    expect(matmul(a, tensor([1, 0, -1])).toArray()).toEqual([-2, -2]);
    const batch = arange(24).reshape([2, 3, 4]);
    expect(matmul(batch, arange(4).reshape([4, 1])).shape).toEqual([2, 3, 1]);
    expect(matmul(arange(8).reshape([2, 1, 2, 2]), arange(12).reshape([3, 2, 2])).shape).toEqual([
      2, 3, 2, 2,
    ]);
    expect(matmul(tensor([1, 2]), arange(8).reshape([2, 2, 2])).shape).toEqual([2, 2]);
  });

  it("the transposed kernel forms give the same gradients as explicit transposes", () => {
    const a = tensor(
      [
        [0.3, -1.2, 2.5],
        [1.1, 0.4, -0.7],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const b = tensor(
      [
        [0.5, 2],
        [-1, 0.25],
        [3, -0.5],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const g = tensor(
      [
        [1, -2],
        [0.5, 3],
      ],
      { dtype: "float64" },
    );
    matmul(a, b).backward(g);
    // dA = g·bᵀ and dB = aᵀ·g (NumPy 2.4, float64).
    expectClose(a.grad!, [-3.5, -1.5, 4, 6.25, 0.25, 0], { rtol: TOL.f64 });
    expectClose(b.grad!, [0.85, 2.7, -1, 3.6, 2.15, -7.1], { rtol: TOL.f64 });
  });

  it("propagates NaN and infinity (no zero-skipping shortcut)", () => {
    const c = matmul(tensor([[0, 1]], { dtype: "float64" }), tensor([[Infinity], [1]], { dtype: "float64" }));
    expect(c.item()).toBeNaN(); // 0·∞ = NaN, as PyTorch
  });

  it("errors name both shapes", () => {
    expect(() => matmul(tensor([[1, 2, 3]]), tensor([[1, 2]]))).toThrow(
      "matmul: shapes [1, 3] and [1, 2] are incompatible (inner dims 3 and 1 differ)",
    );
    expect(() => matmul(tensor(1), tensor([1]))).toThrow(
      "matmul: both arguments must be at least 1-D, got shapes [] and [1]",
    );
    expect(() => matmul(arange(12).reshape([2, 3, 2]), arange(12).reshape([3, 2, 2]))).toThrow(
      "matmul: batch dims of [2, 3, 2] and [3, 2, 2] cannot be broadcast together",
    );
  });
});

describe("linear", () => {
  it("equals x·Wᵀ + b and rejects mismatched weights", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const w = tensor([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(linear(x, w, tensor([0.5, 0, -1])).toArray()).toEqual([
      [1.5, 2, 2],
      [3.5, 4, 6],
    ]);
    expect(x.linear(w).toArray()).toEqual(matmul(x, w.T).toArray());
    expect(() => linear(x, tensor([[1, 2, 3]]))).toThrow(
      "linear: input [2, 2] and weight [1, 3] are incompatible (expected input [..., in] and weight [out, in])",
    );
    expect(() => linear(x, w, tensor([1, 2]))).toThrow(
      "linear: bias [2] must have shape [3] for weight [3, 2]",
    );
  });
});

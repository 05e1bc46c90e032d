import { describe, expect, it } from "vitest";
import { setBackend } from "../backend/index.js";
import { referenceBackend } from "../backend/reference.js";
import { createWasmBackend } from "../backend/wasm.js";
import { expectClose, TOL } from "../close.testutil.js";
import { arange, randn, tensor } from "../creation.js";
import { Generator } from "../random.js";
import { Tensor } from "../tensor.js";
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

describe("mixed dtypes (a deliberate difference: PyTorch raises, here float32 ∘ float64 → float64)", () => {
  it("matmul(float32, float64) promotes; values are the float64 product of the float32-rounded inputs", () => {
    const a = tensor([[0.1, 0.2, 0.3]], { requiresGrad: true }); // float32
    const b = tensor(new Float64Array([0.7, -1.3, 2.9]), { shape: [3, 1], requiresGrad: true });
    const y = matmul(a, b);
    expect(y.dtype).toBe("float64");
    const ref = Math.fround(0.1) * 0.7 + Math.fround(0.2) * -1.3 + Math.fround(0.3) * 2.9;
    expectClose(y, [[ref]], { rtol: TOL.f64 });
    y.backward([[1]]);
    // Gradients come back in each input's own dtype: dA = dC·Bᵀ (rounded to float32), dB = Aᵀ·dC.
    expect(a.grad!.dtype).toBe("float32");
    expect(Array.from(a.grad!.data)).toEqual([0.7, -1.3, 2.9].map(Math.fround));
    expect(b.grad!.dtype).toBe("float64");
    expect(Array.from(b.grad!.data)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    expect(matmul(b.detach().reshape([1, 3]), a.detach().reshape([3, 1])).dtype).toBe("float64");
  });
});

describe("linear with zero input features (PyTorch: the output is the bias)", () => {
  it("x [2, 0], W [3, 0], b [3] → [2, 3] filled with b; dW has shape [3, 0]", () => {
    const x = tensor([], { shape: [2, 0], dtype: "float64" });
    const w = tensor([], { shape: [3, 0], dtype: "float64", requiresGrad: true });
    const b = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const y = linear(x, w, b);
    expect(y.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    y.sum().backward();
    expect(w.grad!.shape).toEqual([3, 0]);
    expect(b.grad!.toArray()).toEqual([2, 2, 2]);
  });
});

describe("the backend never changes a result", () => {
  /** Same bits (NaN payloads aside). */
  const bits = (t: { data: ArrayLike<number> } | null) =>
    Array.from(t!.data, (v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : v));

  /** Forward value and every gradient of `f` under the reference and the WASM backend. */
  function underBoth(f: () => Tensor[]): void {
    const wasm = createWasmBackend();
    expect(wasm).not.toBeNull();
    const runs = [referenceBackend, wasm!].map((be) => {
      const prev = setBackend(be);
      try {
        return f().map(bits);
      } finally {
        setBackend(prev);
      }
    });
    expect(runs[1]).toEqual(runs[0]);
  }

  it("batched matmul and linear, forward and gradients, with values near the float32 range", () => {
    /** Mostly normal values, some near √3.4e38 (their products overflow float32) and some of 3e38. */
    const draw = (g: Generator, shape: number[]) => {
      const t = randn(shape, { generator: g });
      for (let i = 0; i < t.size; i++) {
        const u = g.random();
        if (u < 0.05) t.data[i] = Math.sign(t.data[i]) * 1.9e19;
        else if (u < 0.07) t.data[i] = Math.sign(t.data[i]) * 3e38;
      }
      return new Tensor(t.data, shape, { requiresGrad: true });
    };
    for (const [batch, m, k, n] of [
      [2, 3, 5, 4],
      [1, 17, 257, 9],
      [3, 8, 16, 2],
      [1, 130, 20, 33],
    ]) {
      underBoth(() => {
        const g = new Generator(batch * m * k * n);
        const a = draw(g, [batch, m, k]);
        const b = draw(g, [k, n]);
        const y = matmul(a, b);
        y.backward(randn(y.shape, { generator: g }));
        return [y, a.grad!, b.grad!];
      });
      underBoth(() => {
        const g = new Generator(m * k * n);
        const x = draw(g, [m, k]);
        const w = draw(g, [n, k]);
        const bias = draw(g, [n]);
        const y = linear(x, w, bias);
        y.backward(randn(y.shape, { generator: g }));
        return [y, x.grad!, w.grad!, bias.grad!];
      });
    }
  });
});

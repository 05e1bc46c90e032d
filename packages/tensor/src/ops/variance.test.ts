import { describe, expect, it } from "vitest";
import { expectClose, TOL } from "../close.testutil.js";
import { tensor } from "../creation.js";
import { var as var_ } from "../index.js";
import { std, variance } from "./variance.js";

describe("var / std", () => {
  // x = [1, 2, 4, 7]: mean 3.5, Σ(x − x̄)² = 6.25 + 2.25 + 0.25 + 12.25 = 21
  const x = () => tensor([1, 2, 4, 7], { dtype: "float64", requiresGrad: true });
  it("hand-computed values for each correction", () => {
    expect(variance(x()).item()).toBe(7); // 21/3
    expect(x().var({ correction: 0 }).item()).toBe(5.25); // 21/4
    expect(x().var({ correction: 2 }).item()).toBe(10.5);
    expect(var_(x(), { correction: 2 }).item()).toBe(10.5); // the package also exports `var`
    expectClose(std(x()), [Math.sqrt(7)], { rtol: TOL.f64 });
    const m = tensor(
      [
        [1, 2, 4, 7],
        [0, 0, 0, 0],
      ],
      { dtype: "float64" },
    );
    expect(m.var({ dim: 1 }).toArray()).toEqual([7, 0]);
    expect(m.var({ dim: -1, keepdim: true }).shape).toEqual([2, 1]);
    expect(m.var({ dim: [0, 1], correction: 0 }).shape).toEqual([]);
  });
  it("gradient 2(x − x̄)/(n − correction); std's is zero for a constant input", () => {
    const a = x();
    a.var().backward();
    expectClose(a.grad ?? [], [-5 / 3, -1, 1 / 3, 7 / 3], { rtol: TOL.f64 });
    const c = tensor([2, 2, 2], { dtype: "float64", requiresGrad: true });
    c.std().backward();
    expect(Array.from(c.grad?.data ?? [])).toEqual([0, 0, 0]);
  });
  it("n ≤ correction: inf or NaN forward; PyTorch 2.x's backward", () => {
    // forward: Σ/max(0, n − c): 21/0 = inf, 0/0 = NaN
    expect(x().var({ correction: 4 }).item()).toBe(Number.POSITIVE_INFINITY);
    expect(x().var({ correction: 9 }).item()).toBe(Number.POSITIVE_INFINITY);
    expect(tensor([3]).var().item()).toBeNaN();
    // no dim: g·(NaN where x = x̄, else +inf)
    const a = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    a.var({ correction: 3 }).backward();
    expect(Array.from(a.grad?.data ?? [])).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]);
    // with a dim: 2/(n − c) used as is: n = 3, c = 4 → −2·(x − x̄)
    const b = tensor([[1, 2, 3]], { dtype: "float64", requiresGrad: true });
    b.var({ dim: 1, correction: 4 }).sum().backward();
    expect(Array.from(b.grad?.data ?? [])).toEqual([2, -0, -2]);
  });
  it("options are checked by name, with a suggestion", () => {
    expect(() => x().var({ unbiased: false } as never)).toThrow(
      /var: unknown option "unbiased"; known options: dim, correction, keepdim/,
    );
    expect(() => x().std({ keepDim: true } as never)).toThrow(/did you mean "keepdim"\?/);
    expect(() => x().var({ correction: -1 })).toThrow(
      "var: correction must be a non-negative finite number, got -1",
    );
    expect(() => x().var({ dim: 1 })).toThrow(/var: dim 1 out of range for a 1-D tensor/);
  });
});

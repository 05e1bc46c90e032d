import { describe, expect, it } from "vitest";
import { tensor } from "../creation.js";
import { add, div, eq, ge, gt, le, lt, maximum, minimum, mul, ne, sub, where } from "./binary.js";

describe("binary ops", () => {
  it("accept numbers on either side without promoting", () => {
    const x = tensor([1, 2, 4]);
    expect(sub(10, x).toArray()).toEqual([9, 8, 6]);
    expect(div(1, x).toArray()).toEqual([1, 0.5, 0.25]);
    expect(x.mul(0.1).data[0]).toBe(Math.fround(Math.fround(0.1) * 1));
    expect(add(x, 1).dtype).toBe("float32");
    expect(mul(2, 3).item()).toBe(6);
    expect(() => add(x, "1" as never)).toThrow(
      `add: argument 'other' must be a Tensor or a number, got string "1"`,
    );
  });

  it("maximum / minimum split the gradient on ties, as PyTorch", () => {
    const a = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const b = tensor([2, 2, 1], { dtype: "float64", requiresGrad: true });
    maximum(a, b).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([0, 0.5, 1]);
    expect(Array.from(b.grad!.data)).toEqual([1, 0.5, 0]);
    a.grad = null;
    minimum(a, b).sum().backward();
    expect(Array.from(a.grad!.data)).toEqual([1, 0.5, 0]);
    expect(Array.from(tensor([Number.NaN, 1]).maximum(tensor([0, Number.NaN])).data)).toEqual([
      Number.NaN,
      Number.NaN,
    ]);
  });

  it("division by zero follows IEEE", () => {
    expect(Array.from(tensor([1, -1, 0], { dtype: "float64" }).div(0).data)).toEqual([
      Infinity,
      -Infinity,
      Number.NaN,
    ]);
  });

  it("comparisons give 1/0 without gradient; where routes gradients", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    expect(gt(x, 2).toArray()).toEqual([0, 0, 1]);
    expect(ge(x, 2).toArray()).toEqual([0, 1, 1]);
    expect(lt(x, 2).toArray()).toEqual([1, 0, 0]);
    expect(le(x, 2).toArray()).toEqual([1, 1, 0]);
    expect(eq(x, 2).toArray()).toEqual([0, 1, 0]);
    expect(ne(x, 2).toArray()).toEqual([1, 0, 1]);
    expect(gt(x, 2).requiresGrad).toBe(false);
    const y = tensor([10, 20, 30], { requiresGrad: true });
    const w = where(gt(x, 1), x, y);
    expect(w.toArray()).toEqual([10, 2, 3]);
    w.sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 1]);
    expect(y.grad!.toArray()).toEqual([1, 0, 0]);
    expect(where(tensor([[1], [0]]), 5, tensor([7, 8])).toArray()).toEqual([
      [5, 5],
      [7, 8],
    ]);
  });
  it("where accepts boolean-like conditions: booleans and nested arrays of them", () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const y = where([true, false, true], a, tensor([10, 20, 30]));
    expect(y.toArray()).toEqual([1, 20, 3]);
    y.sum().backward();
    expect(a.grad?.toArray()).toEqual([1, 0, 1]);
    expect(where(false, a, 0).toArray()).toEqual([0, 0, 0]);
    expect(where([[true], [0]], 5, tensor([7, 8])).toArray()).toEqual([
      [5, 5],
      [7, 8],
    ]);
    expect(where(tensor([Number.NaN, 0]), 1, 2).toArray()).toEqual([1, 2]); // NaN is true, as bool(NaN)
    expect(() => where("yes" as never, 1, 2)).toThrow(
      /where: argument 'condition' must be a Tensor or a number/,
    );
  });
});

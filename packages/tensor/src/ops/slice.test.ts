import { describe, expect, it } from "vitest";
import { arange, tensor } from "../creation.js";
import { narrow, slice } from "./slice.js";

describe("slice / narrow", () => {
  const x = arange(0, 12, 1, { dtype: "float64" }).reshape([3, 4]);
  it("clamps and wraps indices like Python slicing", () => {
    expect(x.slice(1, 1, 3).toArray()).toEqual([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    expect(x.slice(1, -3, undefined, 2).toArray()).toEqual([
      [1, 3],
      [5, 7],
      [9, 11],
    ]);
    expect(x.slice(0, -100, 100, 2).toArray()).toEqual([
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ]);
    expect(x.slice(0, 2, 1).shape).toEqual([0, 4]); // empty range
    expect(x.slice(1, 4).shape).toEqual([3, 0]);
    expect(slice(x, -1, 3, null).toArray()).toEqual([[3], [7], [11]]);
  });
  it("narrow takes a window, negative start from the end", () => {
    expect(narrow(x, 1, -2, 2).toArray()).toEqual([
      [2, 3],
      [6, 7],
      [10, 11],
    ]);
    expect(x.narrow(0, 3, 0).shape).toEqual([0, 4]);
  });
  it("routes the gradient back into the sliced entries", () => {
    const a = tensor([1, 2, 3, 4, 5], { requiresGrad: true });
    a.slice(0, 1, 5, 2)
      .mul(tensor([10, 20]))
      .sum()
      .backward();
    expect(Array.from(a.grad?.data ?? [])).toEqual([0, 10, 0, 20, 0]);
  });
  it("errors name the value, the dim and the shape", () => {
    expect(() => x.slice(1, 0, 4, 0)).toThrow("slice: step must be positive, got 0");
    expect(() => x.slice(1, 0, 4, -1)).toThrow("slice: step must be positive, got -1");
    expect(() => x.slice(2, 0)).toThrow(/slice: dim 2 out of range for a 2-D tensor/);
    expect(() => x.slice(0, 0.5)).toThrow("slice: start must be an integer, got 0.5");
    expect(() => tensor(1).slice(0, 0)).toThrow("slice: cannot slice a 0-d tensor");
    expect(() => x.narrow(1, 3, 2)).toThrow("narrow: start 3 + length 2 exceeds dim 1 of size 4 in [3, 4]");
    expect(() => x.narrow(1, -5, 1)).toThrow(
      "narrow: start -5 out of range for dim 1 of size 4 in [3, 4] (expected an integer in [-4, 4])",
    );
    expect(() => x.narrow(1, 0, -1)).toThrow(/length -1 exceeds/);
  });
});

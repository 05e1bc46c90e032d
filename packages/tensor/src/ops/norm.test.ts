import { describe, expect, it } from "vitest";
import { expectClose, TOL } from "../close.testutil.js";
import { tensor } from "../creation.js";
import { batchNorm, layerNorm } from "./norm.js";

describe("layerNorm", () => {
  it("hand-computed: [1, 2, 3, 6] → mean 3, biased variance 3.5", () => {
    const y = layerNorm(tensor([1, 2, 3, 6], { dtype: "float64" }), [4], null, null, 0);
    const s = Math.sqrt(3.5);
    expectClose(y, [-2 / s, -1 / s, 0, 3 / s], { rtol: TOL.f64 });
  });
  it("errors name the shapes", () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => layerNorm(x, [2])).toThrow(
      "layerNorm: normalizedShape [2] does not match the trailing dims of input [2, 3] (expected input of shape [*, 2])",
    );
    expect(() => layerNorm(x, [3], tensor([1, 2]))).toThrow(
      "layerNorm: weight of shape [2] must have normalizedShape [3]",
    );
    expect(() => layerNorm(x, [3], null, null, -1)).toThrow(
      "layerNorm: eps must be a non-negative finite number, got -1",
    );
  });
});

describe("batchNorm", () => {
  // channel 0: [1, 3] → mean 2, biased var 1, unbiased 2; channel 1: [2, 6] → mean 4, var 4, unbiased 8
  const x = () =>
    tensor(
      [
        [1, 2],
        [3, 6],
      ],
      { dtype: "float64", requiresGrad: true },
    );
  it("training: batch statistics, running stats updated in place with the unbiased variance", () => {
    const rm = tensor([0, 1], { dtype: "float64" });
    const rv = tensor([1, 1], { dtype: "float64" });
    const v0 = rm.version;
    const y = batchNorm(x(), rm, rv, null, null, { training: true, momentum: 0.5, eps: 0 });
    expectClose(y, [-1, -1, 1, 1], { rtol: TOL.f64 });
    expect(Array.from(rm.data)).toEqual([1, 2.5]); // ½·0 + ½·2, ½·1 + ½·4
    expect(Array.from(rv.data)).toEqual([1.5, 4.5]); // ½·1 + ½·2, ½·1 + ½·8
    expect(rm.version).toBeGreaterThan(v0);
    expect(rm.requiresGrad).toBe(false);
  });
  it("eval: running statistics, nothing updated", () => {
    const rm = tensor([2, 4], { dtype: "float64" });
    const rv = tensor([1, 4], { dtype: "float64" });
    const y = batchNorm(
      x(),
      rm,
      rv,
      tensor([2, 1], { dtype: "float64" }),
      tensor([0, 10], { dtype: "float64" }),
      {
        eps: 0,
      },
    );
    expectClose(y, [-2, 9, 2, 11], { rtol: TOL.f64 });
    expect(Array.from(rm.data)).toEqual([2, 4]);
  });
  it("errors name options and shapes", () => {
    expect(() => batchNorm(x(), null, null, null, null, { trainng: true } as never)).toThrow(
      /batchNorm: unknown option "trainng" \(did you mean "training"\?\)/,
    );
    expect(() => batchNorm(x(), null, null)).toThrow(
      "batchNorm: runningMean and runningVar are required when not training",
    );
    expect(() => batchNorm(tensor([[1, 2]]), null, null, null, null, { training: true })).toThrow(
      "batchNorm: expected more than 1 value per channel when training, got input of shape [1, 2]",
    );
    expect(() => batchNorm(x(), tensor([0, 0, 0]), tensor([1, 1]))).toThrow(
      "batchNorm: runningMean must have shape [2] for input [2, 2] (C = 2), got [3]",
    );
    expect(() => batchNorm(tensor([1, 2]), null, null)).toThrow(/at least 2-D\), got shape \[2\]/);
  });
});

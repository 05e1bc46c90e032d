import { describe, expect, it } from "vitest";
import { arange, ones, tensor } from "../creation.js";
import { conv2d } from "./conv.js";

describe("conv2d", () => {
  it("hand-computed: a 2×2 box filter over a 3×3 ramp, with padding and stride", () => {
    const x = arange(0, 9, 1, { dtype: "float64" }).reshape([1, 1, 3, 3]);
    const w = ones([1, 1, 2, 2], { dtype: "float64" });
    expect(conv2d(x, w).toArray()).toEqual([
      [
        [
          [8, 12],
          [20, 24],
        ],
      ],
    ]);
    // padding 1, stride 2: windows at rows/cols −1 and 1
    expect(conv2d(x, w, tensor([1], { dtype: "float64" }), { stride: 2, padding: 1 }).toArray()).toEqual([
      [
        [
          [1, 4], // (0, 1): x[0][1] + x[0][2] + 1
          [10, 25],
        ],
      ],
    ]);
    // dilation 2: corners only
    expect(conv2d(x, w, null, { dilation: 2 }).toArray()).toEqual([[[[0 + 2 + 6 + 8]]]]);
  });
  it("weight gradient = Σ input windows; input gradient = Σ of the filters covering it", () => {
    const x = arange(0, 9, 1, { dtype: "float64", requiresGrad: true }).reshape([1, 1, 3, 3]);
    const w = ones([1, 1, 2, 2], { dtype: "float64", requiresGrad: true });
    conv2d(x, w).sum().backward();
    expect(w.grad?.toArray()).toEqual([
      [
        [
          [8, 12],
          [20, 24],
        ],
      ],
    ]);
  });
  it("errors name the shapes and options", () => {
    const x = ones([1, 2, 4, 4]);
    expect(() => conv2d(x, ones([3, 1, 2, 2]))).toThrow(
      "conv2d: weight [3, 1, 2, 2] expects input with 1 channels (groups 1), but input [1, 2, 4, 4] has 2",
    );
    expect(() => conv2d(x, ones([3, 1, 2, 2]), null, { groups: 2 })).toThrow(
      "conv2d: input channels 2 and output channels 3 must both be divisible by groups 2",
    );
    expect(() => conv2d(x, ones([1, 2, 5, 5]))).toThrow(
      "conv2d: input [1, 2, 4, 4] is too small for kernel [5, 5] with padding [0, 0] and dilation [1, 1] (output would be 0×0)",
    );
    expect(() => conv2d(x, ones([1, 2, 2, 2]), null, { strides: 2 } as never)).toThrow(
      /conv2d: unknown option "strides" \(did you mean "stride"\?\)/,
    );
    expect(() => conv2d(x, ones([1, 2, 2, 2]), null, { stride: 0 })).toThrow(
      "conv2d: stride must be an integer ≥ 1 or a pair of them, got 0",
    );
    expect(() => conv2d(x, ones([1, 2, 2, 2]), null, { padding: [1, -1] })).toThrow(
      "conv2d: padding must be an integer ≥ 0 or a pair of them, got [1, -1]",
    );
    expect(() => conv2d(ones([2, 4, 4]), ones([1, 2, 2, 2]))).toThrow(
      "conv2d: input must be 4-D [N, Cin, H, W], got shape [2, 4, 4]",
    );
    expect(() => conv2d(x, ones([1, 2, 2, 2]), ones([2]))).toThrow(
      "conv2d: bias must have shape [1] for weight [1, 2, 2, 2], got [2]",
    );
  });
});

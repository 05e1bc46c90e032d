import { describe, expect, it } from "vitest";
import { tensor } from "../creation.js";
import { avgPool2d, maxPool2d } from "./pool.js";

const img = () =>
  tensor(
    [
      [
        [
          [1, 3, 3, 0],
          [3, 2, 1, 3],
          [0, 0, 5, 5],
          [0, -1, 5, 5],
        ],
      ],
    ],
    { dtype: "float64", requiresGrad: true },
  );

describe("maxPool2d", () => {
  it("takes window maxima; ties send the gradient to the first maximum", () => {
    const x = img();
    const y = maxPool2d(x, 2);
    expect(y.toArray()).toEqual([
      [
        [
          [3, 3],
          [0, 5],
        ],
      ],
    ]);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([
      [
        [
          [0, 1, 1, 0],
          [0, 0, 0, 0],
          [1, 0, 1, 0],
          [0, 0, 0, 0],
        ],
      ],
    ]);
  });
  it("pads with −∞ (a window of negatives is not raised to 0) and propagates NaN", () => {
    const neg = tensor([
      [
        [
          [-5, -6],
          [-7, -8],
        ],
      ],
    ]);
    expect(maxPool2d(neg, 2, { stride: 1, padding: 1 }).toArray()).toEqual([
      [
        [
          [-5, -5, -6],
          [-5, -5, -6],
          [-7, -7, -8],
        ],
      ],
    ]);
    expect(
      maxPool2d(
        tensor([
          [
            [
              [1, Number.NaN],
              [3, 2],
            ],
          ],
        ]),
        2,
      ).item(),
    ).toBeNaN();
  });
  it("errors name the sizes", () => {
    expect(() => maxPool2d(img(), 2, { padding: 2 })).toThrow(
      "maxPool2d: padding [2, 2] must be at most half of the kernel size [2, 2]",
    );
    expect(() => maxPool2d(img(), 5)).toThrow(
      /maxPool2d: input \[1, 1, 4, 4\] is too small for kernel \[5, 5\]/,
    );
    expect(() => maxPool2d(tensor([1, 2]), 2)).toThrow(
      "maxPool2d: input must be 4-D [N, C, H, W], got shape [2]",
    );
    expect(() => maxPool2d(img(), 2, { strid: 1 } as never)).toThrow(/did you mean "stride"\?/);
    expect(() => maxPool2d(img(), 0)).toThrow(
      "maxPool2d: kernelSize must be an integer ≥ 1 or a pair of them, got 0",
    );
  });
});

describe("avgPool2d", () => {
  it("divides by the full window with padding by default, by the in-image part otherwise", () => {
    const x = tensor(
      [
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ],
      { dtype: "float64" },
    );
    // k 2, stride 1, padding 1: the corner window holds one pixel
    expect(avgPool2d(x, 2, { stride: 1, padding: 1 }).toArray()).toEqual([
      [
        [
          [0.25, 0.75, 0.5],
          [1, 2.5, 1.5],
          [0.75, 1.75, 1],
        ],
      ],
    ]);
    expect(avgPool2d(x, 2, { stride: 1, padding: 1, countIncludePad: false }).toArray()).toEqual([
      [
        [
          [1, 1.5, 2],
          [2, 2.5, 3],
          [3, 3.5, 4],
        ],
      ],
    ]);
  });
  it("spreads g/divisor over each window", () => {
    const x = img();
    avgPool2d(x, 2).sum().backward();
    expect(Array.from(x.grad?.data ?? [])).toEqual(new Array(16).fill(0.25));
    expect(() => avgPool2d(x, 2, { countIncludePad: 1 } as never)).toThrow(
      "avgPool2d: countIncludePad must be a boolean, got number 1",
    );
  });
});

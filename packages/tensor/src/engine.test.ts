import { describe, expect, it } from "vitest";
import { tensor } from "./creation.js";
import { detectAnomaly, isGradEnabled, noGrad, setDetectAnomaly } from "./engine.js";

describe("anomaly mode", () => {
  it("names the first op whose forward output is non-finite, with its input shapes", () => {
    const x = tensor([[1, -1]], { requiresGrad: true });
    expect(() => detectAnomaly(() => x.log().sum())).toThrow(
      "anomaly: forward of 'log' (inputs [1, 2]) produced NaN at flat index 1 of its output [1, 2]",
    );
    // Outside anomaly mode the NaN flows silently, as in PyTorch.
    expect(x.log().sum().item()).toBeNaN();
  });

  it("names the op whose backward produced a non-finite gradient", () => {
    const x = tensor([0, 4], { dtype: "float64", requiresGrad: true });
    const y = x.sqrt().sum(); // forward finite, d√x/dx = ∞ at 0
    expect(() => detectAnomaly(() => y.backward())).toThrow(
      "anomaly: backward of 'sqrt' (inputs [2]) produced Infinity in the gradient of input 0 (shape [2]) at flat index 0",
    );
  });

  it("can be switched on globally", () => {
    const prev = setDetectAnomaly(true);
    try {
      expect(() => tensor([1e30]).mul(1e30)).toThrow(
        /forward of 'mul' \(inputs \[1\], \[\]\) produced Infinity/,
      );
    } finally {
      setDetectAnomaly(prev);
    }
    expect(tensor([1e30]).mul(1e30).item()).toBe(Infinity);
  });
});

describe("grad mode", () => {
  it("noGrad restores the previous mode even when fn throws", () => {
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
  });
  it("requiresGrad cannot be switched off on a non-leaf", () => {
    const x = tensor([1], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(/only be changed on leaf tensors/);
    expect(y.isLeaf).toBe(false);
    expect(y.grad).toBeNull();
  });
});

describe("what backward reads (PyTorch's saved tensors)", () => {
  it("an input of add, sub or neg may change before backward; an input of mul or div may not", () => {
    const w = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const x = tensor([3, 4], { dtype: "float64", requiresGrad: true });
    const y = w.add(x).sub(x.neg()).sum();
    w.data[0] = 100; // add, sub and neg do not need their inputs' values for gradients
    y.backward();
    expect(w.grad?.toArray()).toEqual([1, 1]);
    expect(x.grad?.toArray()).toEqual([2, 2]);
    const z = w.mul(x).sum();
    x.data[1] = 7;
    expect(() => z.backward()).toThrow(/modified by an inplace operation|is at version/);
    const q = w.div(x).sum();
    x.data[0] = 9;
    expect(() => q.backward()).toThrow(/is at version/);
  });
});

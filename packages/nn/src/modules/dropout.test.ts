import { Generator, ones, tensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import { Dropout } from "./dropout.js";

describe("Dropout", () => {
  it("is the identity in eval mode and for p = 0", () => {
    const x = tensor([1, 2, 3]);
    const d = new Dropout(0.5, { generator: new Generator(0) });
    expect(d.eval().forward(x)).toBe(x);
    expect(new Dropout(0).forward(x)).toBe(x);
  });

  it("keeps element i iff the i-th draw u < 1 − p, scaled by 1/(1 − p); gradient is the mask", () => {
    const p = 0.3;
    const x = tensor([1, -2, 3, 4, 5, 6, 7, 8], { dtype: "float64", requiresGrad: true });
    const y = new Dropout(p, { generator: new Generator(42) }).forward(x);
    const g = new Generator(42);
    const mask = Array.from({ length: 8 }, () => (g.random() < 1 - p ? 1 / (1 - p) : 0));
    expect([...y.data]).toEqual(mask.map((m, i) => x.data[i] * m));
    y.sum().backward();
    expect([...x.grad!.data]).toEqual(mask);
  });

  it("keeps a fraction 1 − p and preserves the mean (n = 100 000, 5 standard errors)", () => {
    const n = 100_000;
    const p = 0.5;
    const y = new Dropout(p, { generator: new Generator(3) }).forward(ones([n]));
    let kept = 0;
    let other = 0;
    let sum = 0;
    for (const v of y.data) {
      if (v === 2) kept++;
      else if (v !== 0) other++;
      sum += v;
    }
    expect(other).toBe(0); // every element is 0 or 1/(1 − p) = 2
    const se = Math.sqrt((p * (1 - p)) / n); // of the kept fraction
    expect(Math.abs(kept / n - (1 - p))).toBeLessThan(5 * se);
    expect(Math.abs(sum / n - 1)).toBeLessThan((5 * se) / (1 - p));
  });

  it("p = 1 zeroes everything; p outside [0, 1] is an error", () => {
    expect([...new Dropout(1).forward(tensor([1, 2])).data]).toEqual([0, 0]);
    expect(() => new Dropout(1.5)).toThrow(/between 0 and 1, but got 1.5/);
    expect(() => new Dropout(-0.1)).toThrow(/between 0 and 1/);
  });
});

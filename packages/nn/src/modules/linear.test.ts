import { Generator, tensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import { Linear } from "./linear.js";

/** Float64 forward reference: y[i][o] = Σ_k x[i][k]·W[o][k] + b[o], computed by hand here. */
function reference(
  x: number[][],
  w: Float64Array,
  b: Float64Array | null,
  inF: number,
  outF: number,
): number[][] {
  return x.map((row) =>
    Array.from({ length: outF }, (_, o) => {
      let s = b ? b[o] : 0;
      for (let k = 0; k < inF; k++) s += row[k] * w[o * inF + k];
      return s;
    }),
  );
}

const TOL = 1e-12; // float64, a 3-term dot product: a few ulps

describe("Linear", () => {
  it("layout [out, in], y = x·Wᵀ + b in float64", () => {
    const lin = new Linear(3, 2, { dtype: "float64", generator: new Generator(1) });
    expect(lin.weight.shape).toEqual([2, 3]);
    expect(lin.bias!.shape).toEqual([2]);
    lin.weight.data.set([1, 2, 3, -1, 0.5, 0.25]);
    lin.bias!.data.set([0.1, -0.2]);
    const x = [
      [1, 0, -1],
      [0.5, 2, 4],
    ];
    const y = lin.forward(tensor(x, { dtype: "float64" }));
    expect(y.shape).toEqual([2, 2]);
    // By hand: row 0 → [1 − 3 + 0.1, −1 − 0.25 − 0.2] = [−1.9, −1.45]; row 1 → [0.5+4+12+0.1, −0.5+1+1−0.2] = [16.6, 1.3]
    const expected = [-1.9, -1.45, 16.6, 1.3];
    for (let i = 0; i < 4; i++) expect(Math.abs(y.data[i] - expected[i])).toBeLessThan(TOL);
    const ref = reference(x, lin.weight.data as Float64Array, lin.bias!.data as Float64Array, 3, 2).flat();
    for (let i = 0; i < 4; i++) expect(Math.abs(y.data[i] - ref[i])).toBeLessThan(TOL);
  });

  it("PyTorch's default init: W and b within ±1/√in, weight drawn before bias", () => {
    const lin = new Linear(16, 300, { dtype: "float64", generator: new Generator(7) });
    const bound = 1 / Math.sqrt(16);
    for (const v of lin.weight.data) expect(Math.abs(v)).toBeLessThan(bound);
    for (const v of lin.bias!.data) expect(Math.abs(v)).toBeLessThan(bound);
    // The exact stream: weight = −b + 2b·u for the first 16·300 draws, then the bias. The weight
    // bound is PyTorch's kaiming_uniform_ arithmetic (a = √5): √3 · √(2/(1+a²)) / √fanIn, which
    // differs from 1/√16 in the last bit.
    const wBound = (Math.sqrt(3) * Math.sqrt(2 / (1 + Math.sqrt(5) ** 2))) / Math.sqrt(16);
    expect(Math.abs(wBound - bound)).toBeLessThan(1e-16);
    const g = new Generator(7);
    const w = Float64Array.from({ length: lin.weight.size }, () => -wBound + 2 * wBound * g.random());
    const b = Float64Array.from({ length: 300 }, () => -bound + 2 * bound * g.random());
    expect(lin.weight.data).toEqual(w);
    expect(lin.bias!.data).toEqual(b);
  });

  it("no bias; batched leading dims; gradient of the weight", () => {
    const lin = new Linear(2, 1, { bias: false, dtype: "float64", generator: new Generator(0) });
    expect(lin.bias).toBeNull();
    expect(lin.namedParameters().map(([n]) => n)).toEqual(["weight"]);
    lin.weight.data.set([2, -3]);
    const x = tensor([[[1, 2]], [[3, 4]]], { dtype: "float64" });
    const y = lin.forward(x);
    expect(y.shape).toEqual([2, 1, 1]);
    expect([...y.data]).toEqual([2 - 6, 6 - 12]);
    y.sum().backward();
    // d(Σ y)/dW = Σ over rows of x = [4, 6]
    expect([...lin.weight.grad!.data]).toEqual([4, 6]);
  });

  it("names the mismatch for a wrong input size and bad constructor arguments", () => {
    const lin = new Linear(3, 2);
    expect(() => lin.forward(tensor([[1, 2]]))).toThrow(
      /Linear\(3 → 2\): expected input \[\.\.\., 3\], got \[1, 2\]/,
    );
    expect(() => new Linear(-1, 2)).toThrow(/inFeatures must be a non-negative integer/);
    expect(() => new Linear(2, 2, { dtype: "int8" as never })).toThrow(/unsupported dtype "int8"/);
  });

  it("toString is PyTorch-like", () => {
    expect(new Linear(3, 2).toString()).toBe("Linear(in_features=3, out_features=2, bias=true)");
  });
});

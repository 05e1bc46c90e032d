import { Generator, tensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import { ReLU, Tanh } from "./activation.js";
import { Linear } from "./linear.js";
import { Sequential } from "./sequential.js";

describe("Sequential", () => {
  it("feeds each output to the next module", () => {
    const lin = new Linear(2, 2, { dtype: "float64", generator: new Generator(0) });
    lin.weight.data.set([1, -1, -2, 0.5]);
    lin.bias!.data.set([0, 1]);
    const seq = new Sequential(lin, new ReLU(), new Tanh());
    const y = seq.forward(tensor([[3, 1]], { dtype: "float64" }));
    // lin: [3 − 1, −6 + 0.5 + 1] = [2, −4.5]; relu: [2, 0]; tanh: [tanh 2, 0]
    expect([...y.data]).toEqual([Math.tanh(2), 0]);
  });

  it("append, length, at (negative from the end), iteration and index errors", () => {
    const a = new ReLU();
    const b = new Tanh();
    const seq = new Sequential(a).append(b);
    expect(seq.length).toBe(2);
    expect(seq.at(0)).toBe(a);
    expect(seq.at(-1)).toBe(b);
    expect([...seq]).toEqual([a, b]);
    expect(seq.namedChildren().map(([n]) => n)).toEqual(["0", "1"]);
    expect(() => seq.at(2)).toThrow(/index 2 is out of range for 2 modules/);
  });

  it("an empty Sequential is the identity", () => {
    const x = tensor([1, 2]);
    expect(new Sequential().forward(x)).toBe(x);
  });
});

import { Generator, manualSeed, tensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import type { Module } from "../module.js";
import { GELU, LeakyReLU, ReLU, Tanh } from "./activation.js";
import type { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { MLP } from "./mlp.js";
import { Sequential } from "./sequential.js";

function bits(m: Module): number[] {
  return m
    .parameters()
    .flatMap((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);
}

describe("MLP", () => {
  it("is Linear, act, Linear, act, Linear with PyTorch's Sequential keys", () => {
    const mlp = new MLP([4, 8, 6, 3], { generator: new Generator(0) });
    expect(mlp.children().map((m) => m.constructor.name)).toEqual([
      "Linear",
      "ReLU",
      "Linear",
      "ReLU",
      "Linear",
    ]);
    expect(Object.keys(mlp.stateDict())).toEqual([
      "0.weight",
      "0.bias",
      "2.weight",
      "2.bias",
      "4.weight",
      "4.bias",
    ]);
    expect(mlp.stateDict()["2.weight"].shape).toEqual([6, 8]);
    expect(mlp.forward(tensor([[1, 2, 3, 4]])).shape).toEqual([1, 3]);
  });

  it("dropout after each hidden activation; activation by name or factory", () => {
    const a = new MLP([2, 4, 1], { activation: "tanh", dropout: 0.1 });
    expect(a.children().map((m) => m.constructor.name)).toEqual(["Linear", "Tanh", "Dropout", "Linear"]);
    expect((a.at(2) as Dropout).p).toBe(0.1);
    expect(new MLP([2, 4, 1], { activation: "gelu" }).at(1)).toBeInstanceOf(GELU);
    expect(new MLP([2, 4, 1], { activation: "leakyRelu" }).at(1)).toBeInstanceOf(LeakyReLU);
    expect(new MLP([2, 4, 1], { activation: () => new Tanh() }).at(1)).toBeInstanceOf(Tanh);
    expect(new MLP([2, 1]).children().map((m) => m.constructor.name)).toEqual(["Linear"]);
  });

  it("the same seed builds a bit-identical model; another seed does not", () => {
    const a = new MLP([5, 7, 3], { generator: new Generator(123) });
    const b = new MLP([5, 7, 3], { generator: new Generator(123) });
    const c = new MLP([5, 7, 3], { generator: new Generator(124) });
    expect(bits(a)).toEqual(bits(b));
    expect(bits(a)).not.toEqual(bits(c));
    // The default generator, reseeded, too.
    manualSeed(9);
    const d = new MLP([5, 7, 3]);
    manualSeed(9);
    const e = new MLP([5, 7, 3]);
    expect(bits(d)).toEqual(bits(e));
  });

  it("equals the Sequential of Linears built from the same generator stream", () => {
    const mlp = new MLP([3, 4, 2], { dtype: "float64", generator: new Generator(5) });
    const g = new Generator(5);
    const seq = new Sequential(
      new Linear(3, 4, { dtype: "float64", generator: g }),
      new ReLU(),
      new Linear(4, 2, { dtype: "float64", generator: g }),
    );
    expect(bits(mlp)).toEqual(bits(seq));
    expect(mlp.parameters()[0].dtype).toBe("float64");
  });

  it("bad sizes, activation or dropout are named", () => {
    expect(() => new MLP([3])).toThrow(/at least an input and an output size/);
    expect(() => new MLP([3, 0, 1])).toThrow(/positive integer, got \[3,0,1\]/);
    expect(() => new MLP([3, 1], { activation: "swish" as never })).toThrow(
      /unknown activation "swish" \(expected one of relu, tanh, sigmoid, gelu, leakyRelu/,
    );
    expect(() => new MLP([3, 2, 1], { dropout: 1 })).toThrow(/dropout must be in \[0, 1\), got 1/);
  });
});

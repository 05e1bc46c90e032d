import { Generator, type Tensor, tensor, zeros } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import { Module } from "./module.js";
import { ReLU } from "./modules/activation.js";
import { Dropout } from "./modules/dropout.js";
import { Linear } from "./modules/linear.js";
import { Sequential } from "./modules/sequential.js";

/** A user-defined model holding a Sequential as `layers` and a head, as one writes in PyTorch. */
class Net extends Module {
  readonly layers: Sequential;
  readonly head: Linear;
  readonly scale: Tensor;
  constructor(g: Generator) {
    super();
    this.scale = zeros([1], { requiresGrad: true });
    this.registerParameter("scale", this.scale);
    this.layers = new Sequential(
      new Linear(2, 3, { generator: g }),
      new ReLU(),
      new Dropout(0.5),
      new Linear(3, 3, { generator: g }),
    );
    this.registerModule("layers", this.layers);
    this.head = new Linear(3, 1, { bias: false, generator: g });
    this.registerModule("head", this.head);
  }
  forward(x: Tensor): Tensor {
    return this.head.forward(this.layers.forward(x)).mul(this.scale);
  }
}

const NAMES = [
  "scale",
  "layers.0.weight",
  "layers.0.bias",
  "layers.3.weight",
  "layers.3.bias",
  "head.weight",
];

describe("Module naming", () => {
  it("namedParameters uses PyTorch's dotted names and order", () => {
    const net = new Net(new Generator(0));
    expect(net.namedParameters().map(([n]) => n)).toEqual(NAMES);
    expect(net.parameters()).toHaveLength(6);
    expect(net.numParameters()).toBe(1 + 6 + 3 + 9 + 3 + 3);
    expect(net.namedChildren().map(([n]) => n)).toEqual(["layers", "head"]);
    expect(net.namedModules().map(([n]) => n)).toEqual([
      "",
      "layers",
      "layers.0",
      "layers.1",
      "layers.2",
      "layers.3",
      "head",
    ]);
  });

  it("a shared parameter is listed once by namedParameters, under each name in stateDict", () => {
    const a = new Linear(2, 2);
    const seq = new Sequential(a, a);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias"]);
    expect(Object.keys(seq.stateDict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
  });

  it("rejects bad names", () => {
    const net = new Net(new Generator(0));
    expect(() => net.registerParameter("a.b", null)).toThrow(/without "\."/);
    expect(() => net.registerParameter("head", null)).toThrow(/"head" is already used by a module/);
    expect(() => net.registerModule("scale", new ReLU())).toThrow(/"scale" is already used by a parameter/);
  });

  it("toString shows the tree", () => {
    expect(new Sequential(new Linear(2, 3), new ReLU()).toString()).toBe(
      "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=true)\n  (1): ReLU()\n)",
    );
  });
});

describe("train / eval / zeroGrad", () => {
  it("train() and eval() reach every descendant", () => {
    const net = new Net(new Generator(0));
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.layers.at(2).training).toBe(true);
  });

  it("zeroGrad sets grads to null (default) or fills them with 0", () => {
    const net = new Net(new Generator(0));
    net.scale.data[0] = 1;
    net.eval();
    net
      .forward(tensor([[1, 2]]))
      .sum()
      .backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad({ setToNone: false });
    expect(net.parameters().every((p) => p.grad!.data.every((v) => v === 0))).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });
});

describe("stateDict / loadStateDict", () => {
  it("round trip: a model with another seed becomes bit-identical", () => {
    const a = new Net(new Generator(1));
    const b = new Net(new Generator(2));
    expect(a.layers.at(0).parameters()[0].data).not.toEqual(b.layers.at(0).parameters()[0].data);
    const sd = a.stateDict();
    expect(Object.keys(sd)).toEqual(NAMES);
    expect(b.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [name, p] of b.namedParameters()) expect(p.data).toEqual(sd[name].data);
  });

  it("the state dict is a snapshot, not a view", () => {
    const a = new Net(new Generator(1));
    const sd = a.stateDict();
    const before = sd["head.weight"].data[0];
    a.head.weight.data[0] += 1;
    expect(sd["head.weight"].data[0]).toBe(before);
    expect(sd["head.weight"].requiresGrad).toBe(false);
  });

  it("keepVars returns the live parameters under the same keys (PyTorch's keep_vars=True)", () => {
    const a = new Net(new Generator(1));
    const live = a.stateDict({ keepVars: true });
    expect(Object.keys(live)).toEqual(NAMES);
    expect(live["head.weight"]).toBe(a.head.weight);
    a.head.weight.data[0] += 1;
    expect(live["head.weight"].data[0]).toBe(a.head.weight.data[0]);
  });

  it("converts float64 values into float32 parameters; accepts plain { shape, data }", () => {
    const lin = new Linear(2, 1);
    lin.loadStateDict({
      weight: { shape: [1, 2], data: new Float64Array([0.1, 2]) },
      bias: { shape: [1], data: [-3] },
    });
    expect([...lin.weight.data]).toEqual([Math.fround(0.1), 2]);
    expect([...lin.bias!.data]).toEqual([-3]);
  });

  it("strict: missing and unexpected keys are errors that list them; nothing is written", () => {
    const lin = new Linear(2, 1);
    const before = lin.weight.data.slice();
    expect(() =>
      lin.loadStateDict({ weight: { shape: [1, 2], data: [5, 5] }, "head.bias": { shape: [1], data: [0] } }),
    ).toThrow(
      /Linear:\n {2}missing key\(s\) in state dict: "bias"\n {2}unexpected key\(s\) in state dict: "head\.bias"/,
    );
    expect(lin.weight.data).toEqual(before);
  });

  it("non-strict: reports the keys and loads the rest", () => {
    const lin = new Linear(2, 1);
    const r = lin.loadStateDict(
      { weight: { shape: [1, 2], data: [5, 6] }, extra: { shape: [1], data: [0] } },
      { strict: false },
    );
    expect(r).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    expect([...lin.weight.data]).toEqual([5, 6]);
  });

  it("shape mismatches are errors even when not strict, naming the key and both shapes", () => {
    const lin = new Linear(2, 1);
    const before = lin.bias!.data.slice();
    expect(() =>
      lin.loadStateDict(
        { weight: { shape: [2, 1], data: [1, 2] }, bias: { shape: [1], data: [9] } },
        { strict: false },
      ),
    ).toThrow(/weight: shape \[2, 1\] in the state dict does not match \[1, 2\] in the model/);
    expect(lin.bias!.data).toEqual(before);
    expect(() =>
      lin.loadStateDict({ weight: { shape: [1, 2], data: [1] }, bias: { shape: [1], data: [0] } }),
    ).toThrow(/weight: data has 1 elements, shape needs 2/);
    expect(() =>
      lin.loadStateDict({
        weight: { shape: [1, 2], data: ["a", 1] as never },
        bias: { shape: [1], data: [0] },
      }),
    ).toThrow(/weight: data element 0 is not a number/);
  });
});

import { Generator, tensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import { Linear } from "./modules/linear.js";
import { MLP } from "./modules/mlp.js";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "./safetensors.js";
import { loadSafetensors, saveSafetensors } from "./serialization.js";

describe("saveSafetensors / loadSafetensors", () => {
  it("round trip into a differently seeded model gives identical weights and outputs", () => {
    const a = new MLP([3, 5, 2], { generator: new Generator(1) });
    const b = new MLP([3, 5, 2], { generator: new Generator(2) });
    const bytes = saveSafetensors(a, { metadata: { epoch: "3" } });
    const r = loadSafetensors(b, bytes);
    expect(r).toEqual({ missingKeys: [], unexpectedKeys: [], metadata: { epoch: "3", format: "pt" } });
    for (const [[na, pa], [nb, pb]] of a
      .namedParameters()
      .map((e, i) => [e, b.namedParameters()[i]] as const)) {
      expect(nb).toBe(na);
      expect(pb.data).toEqual(pa.data);
    }
    const x = tensor([[0.5, -1, 2]]);
    expect(b.forward(x).data).toEqual(a.forward(x).data);
  });

  it("writes PyTorch state_dict keys, F32 for float32 and F64 for float64 models", () => {
    const f = decodeSafetensors(saveSafetensors(new MLP([2, 3, 1])));
    expect(Object.keys(f.tensors).sort()).toEqual(["0.bias", "0.weight", "2.bias", "2.weight"]);
    expect(f.tensors["0.weight"]).toMatchObject({ dtype: "F32", shape: [3, 2] });
    expect(f.metadata).toEqual({ format: "pt" });
    const g = decodeSafetensors(saveSafetensors(new Linear(2, 2, { dtype: "float64" })));
    expect(g.tensors.weight.dtype).toBe("F64");
  });

  it("loads F16 / F64 files into float32 parameters (as a PyTorch half checkpoint would)", () => {
    const lin = new Linear(2, 1);
    loadSafetensors(
      lin,
      encodeSafetensors({
        weight: { dtype: "F16", shape: [1, 2], data: [0.5, -0.25] },
        bias: { dtype: "F64", shape: [1], data: [0.1] },
      }),
    );
    expect([...lin.weight.data]).toEqual([0.5, -0.25]);
    expect([...lin.bias!.data]).toEqual([Math.fround(0.1)]);
  });

  it("errors: wrong architecture, integer tensors, corrupt bytes; the model is left unchanged", () => {
    const lin = new Linear(2, 1, { generator: new Generator(0) });
    const before = lin.weight.data.slice();
    const other = saveSafetensors(new Linear(3, 1));
    expect(() => loadSafetensors(lin, other)).toThrow(
      /weight: shape \[1, 3\] in the state dict does not match \[1, 2\]/,
    );
    const ints = encodeSafetensors({
      weight: { dtype: "I32", shape: [1, 2], data: [1, 2] },
      bias: { dtype: "F32", shape: [1], data: [0] },
    });
    expect(() => loadSafetensors(lin, ints)).toThrow(SafetensorsError);
    expect(() => loadSafetensors(lin, ints)).toThrow(
      /"weight": dtype I32 cannot load into a float parameter/,
    );
    const good = saveSafetensors(new Linear(2, 1));
    expect(() => loadSafetensors(lin, good.subarray(0, good.length - 1))).toThrow(SafetensorsError);
    expect(lin.weight.data).toEqual(before);
  });
});

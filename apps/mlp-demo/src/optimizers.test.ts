import { AdamW, type Param, SGD } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { buildOptimizer, describeParams, hasModes, PairedOptimizer, partsLabel } from "./optimizers.js";
import { parseSettings } from "./rule-values.js";

const param = (shape: number[], fill = 0.5): Param & { shape: number[] } => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: new Float32Array(n).fill(fill), grad: { data: new Float32Array(n).fill(0.25) }, shape };
};

describe("buildOptimizer", () => {
  it("builds a catalog rule over every parameter with the values the settings give", () => {
    const params = [param([2, 3]), param([2])];
    const built = buildOptimizer("adamw", params, { settings: parseSettings(["beta1=0.8"]) });
    expect(built.optimizer).toBeInstanceOf(AdamW);
    expect(built.parts.map((p) => [p.id, p.params.length, p.values.beta1])).toEqual([["adamw", 2, 0.8]]);
    expect(partsLabel(built.parts)).toBe("AdamW");
    expect(hasModes(built.optimizer)).toBe(false);
  });

  it("a rule the class refuses to build with these values is a usage error naming the rule", () => {
    const settings = parseSettings(["nesterov=true", "dampening=0.5"]);
    expect(() => buildOptimizer("momentum", [param([2])], { settings })).toThrow(
      new UsageError(
        "SGD + momentum (momentum) cannot be built: Nesterov momentum requires a momentum and zero dampening",
      ),
    );
  });

  it("describes parameters by rank", () => {
    expect(describeParams([param([2, 3]), param([4, 2])])).toBe("2-D weights");
    expect(describeParams([param([2]), param([3, 1, 1])])).toBe("3-D parameters and biases");
  });
});

describe("PairedOptimizer", () => {
  const pair = () => {
    const w = [param([2, 3]), param([3, 2])];
    const b = [param([2]), param([3])];
    return {
      w,
      b,
      opt: new PairedOptimizer(new SGD(w, { lr: 0.1, momentum: 0.9 }), new AdamW(b, { lr: 0.01 })),
    };
  };

  it("steps both, exposes both groups live, and saves one state dict in their order", () => {
    const { w, b, opt } = pair();
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.01]);
    opt.paramGroups[1].lr = 0.02; // as a schedule writes it
    opt.step();
    expect(w[0].data[0]).toBeCloseTo(0.5 - 0.1 * 0.25, 6);
    expect(b[0].data[0]).not.toBe(0.5);
    const sd = opt.stateDict();
    expect(sd.kind).toBe("SGD+AdamW");
    expect(sd.paramGroups.map((g) => [g.lr, g.params])).toEqual([
      [0.1, [0, 1]],
      [0.02, [2, 3]],
    ]);
    expect(Object.keys(sd.state)).toEqual(["0", "1", "2", "3"]);
    expect(Object.keys(sd.state["2"])).toEqual(["step", "expAvg", "expAvgSq"]);
    opt.zeroGrad();
    expect([...w, ...b].every((p) => p.grad === null)).toBe(true);
  });

  it("loads its state dict back exactly, and refuses a foreign one without changing anything", () => {
    const a = pair();
    a.opt.step();
    a.opt.step();
    const saved = JSON.parse(JSON.stringify(a.opt.stateDict()));
    const b = pair();
    b.opt.loadStateDict(saved);
    expect(b.opt.stateDict()).toEqual(saved);
    const c = pair();
    const before = c.opt.stateDict();
    expect(() => c.opt.loadStateDict({ ...saved, kind: "SGD" })).toThrow(
      /expected a state dict of kind "SGD\+AdamW"/,
    );
    // The second part is refused (a buffer of the wrong length) after the first was loaded: the
    // first part gets its state back.
    const torn = JSON.parse(JSON.stringify(saved));
    torn.state["3"].expAvg.values.pop();
    expect(() => c.opt.loadStateDict(torn)).toThrow();
    expect(c.opt.stateDict()).toEqual(before);
    expect(() => c.opt.step(() => 0)).toThrow(/takes no closure/);
  });
});

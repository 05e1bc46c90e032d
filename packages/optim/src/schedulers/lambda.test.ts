import { describe, expect, it } from "vitest";
import { LambdaLR } from "./lambda.js";

describe("LambdaLR", () => {
  it("sets η0·λ(t), one function for all groups (exact: one multiplication)", () => {
    const opt = { paramGroups: [{ lr: 0.1 }, { lr: 3 }] };
    const lambda = (epoch: number) => 0.95 ** epoch;
    const sched = new LambdaLR(opt, { lrLambda: lambda });
    for (let t = 0; t <= 30; t++) {
      if (t > 0) sched.step();
      expect(sched.getLastLr()).toEqual([0.1 * 0.95 ** t, 3 * 0.95 ** t]);
    }
  });

  it("uses one function per group (PyTorch's two-lambda example)", () => {
    const opt = { paramGroups: [{ lr: 0.5 }, { lr: 0.5 }] };
    const sched = new LambdaLR(opt, { lrLambda: [(e) => Math.floor(e / 30), (e) => 0.95 ** e] });
    for (let t = 1; t <= 61; t++) sched.step();
    expect(sched.getLastLr()).toEqual([0.5 * 2, 0.5 * 0.95 ** 61]);
  });

  it("is not chainable: an edited lr is overwritten, and the functions are not in the state", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const sched = new LambdaLR(opt, { lrLambda: (e) => 1 / (e + 1) });
    opt.paramGroups[0].lr = 100;
    sched.step();
    expect(sched.getLastLr()).toEqual([0.5]);
    const state = sched.stateDict();
    expect(Object.values(state).some((v) => typeof v === "function")).toBe(false);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it("checks the number and type of the functions", () => {
    const opt = { paramGroups: [{ lr: 1 }, { lr: 2 }] };
    expect(() => new LambdaLR(opt, { lrLambda: [(e) => e] })).toThrow(
      "LambdaLR: expected 2 lrLambdas, but got 1",
    );
    expect(() => new LambdaLR(opt, { lrLambda: 3 as never })).toThrow(
      "LambdaLR: lrLambda should be a function, but got 3",
    );
  });
});

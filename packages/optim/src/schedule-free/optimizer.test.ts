import { describe, expect, it } from "vitest";
import { Adam } from "../adam.js";
import { createOptimizer } from "../catalog-values.js";
import type { Param } from "../param.js";
import { StepLR } from "../schedulers/index.js";
import type { OptimizerStateDict } from "../state-dict.js";
import { hasTrainEvalModes } from "../train-eval.js";
import { ScheduleFreeAdamW } from "./adamw.js";
import { lerpInPlace } from "./optimizer.js";
import { ScheduleFreeSGD } from "./sgd.js";

const params = (): Param[] => [
  { data: Float64Array.from([1, -2, 0.5]), grad: null },
  { data: Float64Array.from([0.3, 0.7]), grad: null },
];

function grads(ps: Param[], t: number): void {
  ps.forEach((p, k) => {
    p.grad = { data: p.data.map((x, i) => 0.5 * x + Math.sin(t + i + 3 * k)) };
  });
}

describe("training and evaluation modes", () => {
  it("a new optimizer is in evaluation mode, and step() there is an error, before the closure runs", () => {
    const ps = params();
    const opt = new ScheduleFreeAdamW(ps);
    expect(opt.trainMode).toBe(false);
    grads(ps, 1);
    let called = false;
    expect(() =>
      opt.step(() => {
        called = true;
        return 0;
      }),
    ).toThrow("ScheduleFreeAdamW.step: the optimizer is in evaluation mode (param group 0); call train()");
    expect(called).toBe(false);
    expect(opt.state.size).toBe(0);
  });

  it("train() and eval() move the parameters by lerp with 1 − β and 1 − 1/β, and are idempotent", () => {
    const ps = params();
    const opt = new ScheduleFreeSGD(ps, { lr: 0.1, momentum: 0.8 });
    opt.train();
    for (let t = 1; t <= 4; t++) {
      grads(ps, t);
      opt.step();
    }
    const y = ps.map((p) => p.data.slice());
    const z = ps.map((p) => Float64Array.from(opt.state.get(p)?.z ?? []));
    opt.eval();
    opt.eval();
    expect(opt.trainMode).toBe(false);
    ps.forEach((p, k) => {
      const x = y[k].slice();
      lerpInPlace(x, z[k], 1 - 1 / 0.8);
      expect([...p.data]).toEqual([...x]);
      // x = (y − (1 − β)·z)/β, up to rounding
      p.data.forEach((xi, i) => {
        expect(xi).toBeCloseTo((y[k][i] - 0.2 * z[k][i]) / 0.8, 12);
      });
    });
    const x = ps.map((p) => p.data.slice());
    opt.train();
    opt.train();
    ps.forEach((p, k) => {
      const back = x[k].slice();
      lerpInPlace(back, z[k], 0.2);
      expect([...p.data]).toEqual([...back]);
    });
  });

  it("parameters that never had a gradient (no z) do not move", () => {
    const ps = params();
    const opt = new ScheduleFreeAdamW(ps, { lr: 0.1 });
    opt.train();
    ps[0].grad = { data: Float64Array.from([1, 1, 1]) };
    opt.step();
    const before = ps[1].data.slice();
    opt.eval();
    expect(ps[1].data).toEqual(before);
    expect(opt.state.has(ps[1])).toBe(false);
  });

  it("is a TrainEvalOptimizer; other rules are not", () => {
    expect(hasTrainEvalModes(new ScheduleFreeAdamW(params()))).toBe(true);
    expect(hasTrainEvalModes(new ScheduleFreeSGD(params()))).toBe(true);
    expect(hasTrainEvalModes(new Adam(params()))).toBe(false);
    expect(hasTrainEvalModes(null)).toBe(false);
    expect(hasTrainEvalModes({ train() {}, eval() {} })).toBe(false);
  });

  it("float32 parameters move in float32 arithmetic", () => {
    const p = Float32Array.from([1.1, -0.3]);
    const z = Float32Array.from([0.7, 0.2]);
    lerpInPlace(p, z, 1 - 1 / 0.9);
    const w = Math.fround(1 - 1 / 0.9);
    const f = Math.fround;
    expect([...p]).toEqual([f(f(1.1) + f(w * f(f(0.7) - f(1.1)))), f(f(-0.3) + f(w * f(f(0.2) - f(-0.3))))]);
  });
});

describe("group state", () => {
  it("k counts every applied step of the group, with gradients or not; state appears at a parameter's first gradient", () => {
    const ps = params();
    const opt = new ScheduleFreeAdamW([{ params: [ps[0]] }, { params: [ps[1]], lr: 0.01 }]);
    opt.train();
    ps[0].grad = { data: Float64Array.from([1, 1, 1]) };
    opt.step();
    opt.step();
    expect(opt.paramGroups.map((g) => g.k)).toEqual([2, 2]);
    expect(opt.state.has(ps[1])).toBe(false);
    expect(opt.paramGroups[1]).toMatchObject({ lrMax: 0.01, scheduledLr: 0.01, weightSum: 2 * 0.01 ** 2 });
  });

  it("a step skipped for a non-finite gradient (policy skip) advances nothing", () => {
    const skipping = new ScheduleFreeSGD(params(), { lr: 0.1, nonFinite: "skip" });
    skipping.train();
    for (const p of skipping.paramGroups[0].params)
      p.grad = { data: new Float64Array(p.data.length).fill(Number.NaN) };
    skipping.step();
    expect(skipping.skippedSteps).toBe(1);
    expect(skipping.paramGroups[0]).toMatchObject({ k: 0, weightSum: 0, lrMax: -1 });
    expect(skipping.state.size).toBe(0);
  });

  it("an added group starts at k = 0 in the current mode; group state cannot be given as an option", () => {
    const ps = params();
    const opt = new ScheduleFreeAdamW([ps[0]]);
    opt.train();
    opt.addParamGroup({ params: [ps[1]] });
    expect(opt.paramGroups[1]).toMatchObject({
      k: 0,
      weightSum: 0,
      lrMax: -1,
      scheduledLr: 0,
      trainMode: true,
    });
    expect(() => opt.addParamGroup({ params: [{ data: new Float64Array(1), grad: null }], k: 5 })).toThrow(
      "ScheduleFreeAdamW: k is kept by the optimizer (group state, not an option) and cannot be given in a param group",
    );
  });

  it("an invalid group state written by hand is caught at the next step", () => {
    const opt = new ScheduleFreeSGD(params());
    opt.train();
    (opt.paramGroups[0] as Record<string, unknown>).k = -1;
    expect(() => opt.step()).toThrow(
      "ScheduleFreeSGD.step: param group 0: k is -1, expected the group's step count (a non-negative integer)",
    );
  });

  it("an LR scheduler's writes are read at every step, as in the reference", () => {
    const ps = params();
    const opt = new ScheduleFreeSGD(ps, { lr: 0.1 });
    const sched = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    opt.train();
    const lrs: number[] = [];
    for (let t = 1; t <= 3; t++) {
      grads(ps, t);
      opt.step();
      lrs.push(opt.paramGroups[0].scheduledLr as number);
      sched.step();
    }
    expect(lrs).toEqual([0.1, 0.05, 0.025]);
    expect(opt.paramGroups[0].lrMax).toBe(0.1);
  });
});

describe("stateDict and loadStateDict", () => {
  function trained() {
    const ps = params();
    const opt = new ScheduleFreeAdamW(ps, { lr: 0.05, warmupSteps: 3 });
    opt.train();
    for (let t = 1; t <= 5; t++) {
      grads(ps, t);
      opt.step();
    }
    return { ps, opt };
  }

  it("save in eval mode, load, train(): continues exactly as the original", () => {
    const { ps, opt } = trained();
    opt.eval();
    const saved = JSON.parse(JSON.stringify(opt.stateDict())) as OptimizerStateDict;
    expect(saved.paramGroups[0]).toMatchObject({ k: 5, trainMode: false });
    const qs = ps.map((p) => ({ data: p.data.slice(), grad: null }) as Param);
    const copy = new ScheduleFreeAdamW(qs, { lr: 0.05, warmupSteps: 3 });
    copy.loadStateDict(saved);
    expect(copy.trainMode).toBe(false);
    opt.train();
    copy.train();
    for (let t = 6; t <= 9; t++) {
      grads(ps, t);
      grads(qs, t);
      opt.step();
      copy.step();
    }
    qs.forEach((q, k) => {
      expect([...q.data]).toEqual([...ps[k].data]);
    });
    expect(copy.stateDict()).toEqual(opt.stateDict());
  });

  it.each([
    ["k", 2.5, "param group 0: k is 2.5, expected the group's step count"],
    ["weightSum", -1, "param group 0: weightSum is -1, expected a finite number ≥ 0"],
    ["lrMax", { $number: "Infinity" }, "param group 0: lrMax is"],
    ["trainMode", "yes", 'param group 0: trainMode is "yes", expected true or false'],
    ["trainMode", undefined, "param group 0: trainMode is undefined"],
  ])("a saved group with %s = %j is rejected, and nothing changes", (key, value, message) => {
    const { opt } = trained();
    const saved = JSON.parse(JSON.stringify(opt.stateDict())) as OptimizerStateDict;
    const before = JSON.stringify(opt.stateDict());
    const group = saved.paramGroups[0] as Record<string, unknown>;
    if (value === undefined) delete group[key];
    else group[key] = value;
    expect(() => opt.loadStateDict(saved)).toThrow(`ScheduleFreeAdamW.loadStateDict: ${message}`);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  it("another rule's state dict is refused by the base checks", () => {
    const { opt } = trained();
    const other = new ScheduleFreeSGD(params());
    expect(() => opt.loadStateDict(other.stateDict())).toThrow('the state dict is for "ScheduleFreeSGD"');
  });
});

describe("the catalog", () => {
  it("builds a Schedule-Free optimizer in training mode that steps at once", () => {
    const ps = params();
    const opt = createOptimizer("schedule-free-adamw", ps, { lr: 0.01, warmupSteps: 10 });
    expect(hasTrainEvalModes(opt) && opt.trainMode).toBe(true);
    grads(ps, 1);
    opt.step();
    expect(opt.paramGroups[0]).toMatchObject({ k: 1, scheduledLr: 0.001 });
  });
});

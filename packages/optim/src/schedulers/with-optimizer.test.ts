import { describe, expect, it } from "vitest";
import { Adam } from "../adam.js";
import type { Param } from "../param.js";
import { SGD } from "../sgd.js";
import { CosineAnnealingLR } from "./cosine.js";
import { LinearLR } from "./linear.js";
import { OneCycleLR } from "./one-cycle.js";
import { ReduceLROnPlateau } from "./plateau.js";
import { SequentialLR } from "./sequential.js";
import { StepLR } from "./step.js";

/** Plain SGD with a scheduled lr against the hand recursion p ← p − lr_t·g: a few ulps. */
const TRAJECTORY_RTOL = 1e-13;

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

function param(values: number[]): Param & { grad: { data: Float64Array } } {
  return { data: Float64Array.from(values), grad: { data: new Float64Array(values.length) } };
}

describe("schedulers on the real optimizers", () => {
  it("StepLR drives SGD: p_{t+1} = p_t − lr_t·g with lr_t = 0.1·0.5^⌊t/2⌋", () => {
    const w = param([1, -2]);
    const opt = new SGD([w], { lr: 0.1 });
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const ref = [1, -2];
    for (let t = 0; t < 9; t++) {
      const g = [0.3 * w.data[0], 0.7 - w.data[1]];
      w.grad.data.set(g);
      opt.step();
      const lr = 0.1 * 0.5 ** Math.floor(t / 2);
      ref[0] -= lr * (0.3 * ref[0]);
      ref[1] -= lr * (0.7 - ref[1]);
      expectRel(w.data[0], ref[0], TRAJECTORY_RTOL);
      expectRel(w.data[1], ref[1], TRAJECTORY_RTOL);
      sched.step();
    }
    expect(opt.paramGroups[0].initialLr).toBe(0.1);
  });

  it("OneCycleLR cycles SGD's momentum and Adam's betas[0]", () => {
    const sgd = new SGD([param([1])], { lr: 0.1, momentum: 0.9 });
    const a = new OneCycleLR(sgd, { maxLr: 1, totalSteps: 10 });
    expect(sgd.paramGroups[0].momentum).toBe(0.95);
    a.step();
    a.step();
    expect(sgd.paramGroups[0]).toMatchObject({ lr: 1, momentum: 0.85 });

    const adam = new Adam([param([1])], { lr: 1e-3, betas: [0.9, 0.99] });
    const b = new OneCycleLR(adam, { maxLr: 0.01, totalSteps: 10 });
    expect(b.useBeta1).toBe(true);
    b.step();
    b.step();
    expect(adam.paramGroups[0].betas).toEqual([0.85, 0.99]);
    expect(adam.paramGroups[0].lr).toBe(0.01);
  });

  it("warmup → cosine with SGD: optimizer + scheduler state round trip continues bit-identically", () => {
    const run = (resumeAt: number | null) => {
      const w = param([0.5, 1.5, -1]);
      const make = (opt: SGD) =>
        new SequentialLR(opt, {
          schedulers: [
            new LinearLR(opt, { startFactor: 0.25, totalIters: 3 }),
            new CosineAnnealingLR(opt, { tMax: 8 }),
          ],
          milestones: [3],
        });
      let opt = new SGD([w], { lr: 0.05, momentum: 0.9 });
      let sched = make(opt);
      const lrs: number[] = [];
      for (let t = 0; t < 12; t++) {
        if (t === resumeAt) {
          const optState = JSON.parse(JSON.stringify(opt.stateDict()));
          const schedState = JSON.parse(JSON.stringify(sched.stateDict()));
          opt = new SGD([w], { lr: 0.05, momentum: 0.9 });
          sched = make(opt);
          opt.loadStateDict(optState);
          sched.loadStateDict(schedState);
        }
        w.grad.data.set(Array.from(w.data, (x) => x * x - 0.1));
        opt.step();
        sched.step();
        lrs.push(sched.getLastLr()[0]);
      }
      return { params: Array.from(w.data), lrs };
    };
    const straight = run(null);
    for (const at of [2, 3, 7]) expect(run(at)).toEqual(straight);
  });

  it("ReduceLROnPlateau lowers SGD's lr", () => {
    const opt = new SGD([param([1])], { lr: 0.1 });
    const sched = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
    for (const loss of [1, 1, 1]) sched.step(loss);
    expect(opt.paramGroups[0].lr).toBe(0.05);
  });
});

describe("schedules that end at lr 0", () => {
  it("step with PyTorch's floating-point residue (LinearLR 1/3 → 0 leaves lr = −1.85e-18)", () => {
    const p = { data: new Float64Array([1, 2]), grad: { data: new Float64Array([0.5, -0.5]) } };
    const opt = new SGD([p], { lr: 0.1 });
    // PyTorch 1.13 and 2.x give the same value: 0.1·(1/3) ... recursion → −1.8503717077085946e-18.
    const sched = new LinearLR(opt, { startFactor: 1 / 3, endFactor: 0, totalIters: 4 });
    for (let i = 0; i < 4; i++) {
      opt.step();
      sched.step();
    }
    const lr = opt.paramGroups[0].lr;
    expect(lr).toBe(-1.8503717077085946e-18); // the residue this test is about
    expect(() => opt.step()).not.toThrow();
    // A deliberately negative lr is still an error, at the write and at construction.
    expect(() => {
      opt.paramGroups[0].lr = -1e-3;
    }).toThrow("Invalid learning rate: -0.001 (param group 0)");
    expect(() => new SGD([p], { lr: -1e-18 })).toThrow("Invalid learning rate: -1e-18");
  });
});

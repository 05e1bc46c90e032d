import { describe, expect, it } from "vitest";
import { Adam } from "../adam.js";
import { SGD } from "../sgd.js";
import { CyclicLR, cyclicSchedule } from "./cyclic.js";
import { StepLR } from "./step.js";

/** Against hand values of the documented triangle wave: agreement to rounding. */
const LR_RTOL = 1e-12;

function expectRel(actual: number | undefined, expected: number, rtol = LR_RTOL): void {
  expect(typeof actual).toBe("number");
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

function sgd(...lrs: number[]) {
  return { defaults: { lr: lrs[0], momentum: 0.9 }, paramGroups: lrs.map((lr) => ({ lr, momentum: 0.9 })) };
}

/** lr and momentum after construction and each of `steps` steps. */
function run(sched: CyclicLR, opt: ReturnType<typeof sgd>, steps: number): [number, number | undefined][] {
  const out: [number, number | undefined][] = [];
  for (let t = 0; t <= steps; t++) {
    if (t > 0) sched.step();
    out.push([opt.paramGroups[0].lr, opt.paramGroups[0].momentum]);
  }
  return out;
}

describe("CyclicLR", () => {
  it("triangular: the hand values of a 2-up, 2-down cycle, with the momentum going the other way", () => {
    const opt = sgd(0.5);
    const sched = new CyclicLR(opt, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2 });
    const expected = [
      [0.1, 0.9],
      [0.55, 0.85],
      [1, 0.8],
      [0.55, 0.85],
      [0.1, 0.9],
      [0.55, 0.85],
    ];
    run(sched, opt, 5).forEach(([lr, m], t) => {
      expectRel(lr, expected[t][0]);
      expectRel(m, expected[t][1]);
    });
    expect(opt.paramGroups[0]).toMatchObject({ maxMomentum: 0.9, baseMomentum: 0.8, initialLr: 0.1 });
  });

  it("triangular2 halves the amplitude every cycle; exp_range scales it by gamma^t", () => {
    const a = sgd(0.5);
    const tri2 = new CyclicLR(a, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, mode: "triangular2" });
    const peaks = run(tri2, a, 14).filter((_, t) => t % 4 === 2);
    [1, 0.55, 0.325, 0.2125].forEach((lr, i) => {
      expectRel(peaks[i][0], lr);
    });
    const b = sgd(0.5);
    const exp = new CyclicLR(b, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, mode: "exp_range", gamma: 0.5 });
    expect(exp.scaleMode).toBe("iterations");
    // t = 2: 0.1 + 0.9·1·0.5² ; t = 3: 0.1 + 0.9·0.5·0.5³
    const lrs = run(exp, b, 3);
    expectRel(lrs[2][0], 0.1 + 0.9 * 0.25);
    expectRel(lrs[3][0], 0.1 + 0.9 * 0.5 * 0.125);
  });

  it("stepSizeDown shapes the cycle: 1 up, 3 down", () => {
    const opt = sgd(0.5);
    const sched = new CyclicLR(opt, {
      baseLr: 0,
      maxLr: 1,
      stepSizeUp: 1,
      stepSizeDown: 3,
      cycleMomentum: false,
    });
    [0, 1, 2 / 3, 1 / 3, 0, 1].forEach((lr, t) => {
      if (t > 0) sched.step();
      if (lr === 0) expect(Math.abs(sched.getLastLr()[0])).toBeLessThanOrEqual(1e-16);
      else expectRel(sched.getLastLr()[0], lr);
    });
    expect(opt.paramGroups[0].momentum).toBe(0.9); // untouched without cycleMomentum
  });

  it("overwrites the groups' lr with baseLr, but (PyTorch's quirk) starts from an existing initialLr", () => {
    const fresh = sgd(0.5, 0.5);
    new CyclicLR(fresh, { baseLr: [0.01, 0.02], maxLr: 0.1, stepSizeUp: 3 });
    expect(fresh.paramGroups.map((g) => g.lr)).toEqual([0.01, 0.02]);
    const opt = sgd(0.3);
    new StepLR(opt, { stepSize: 2 }); // records initialLr 0.3
    const sched = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3 });
    expect(sched.getLastLr()).toEqual([0.3]);
    expect(sched.baseLrs).toEqual([0.01]);
    sched.step();
    expectRel(sched.getLastLr()[0], 0.04);
  });

  it("cycles betas[0] of Adam, keeping betas[1]", () => {
    const p = { data: new Float64Array(1), grad: null };
    const opt = new Adam([{ params: [p], betas: [0.9, 0.99] }], { lr: 1e-3 });
    const sched = new CyclicLR(opt, {
      baseLr: 0.001,
      maxLr: 0.01,
      stepSizeUp: 2,
      baseMomentum: 0.85,
      maxMomentum: 0.95,
    });
    expect(sched.useBeta1).toBe(true);
    expect(opt.paramGroups[0].betas).toEqual([0.95, 0.99]);
    sched.step();
    sched.step();
    expectRel(opt.paramGroups[0].betas[0], 0.85);
    expect(opt.paramGroups[0].betas[1]).toBe(0.99);
    expect(() => new CyclicLR(opt, { baseLr: 0.001, maxLr: 0.01, maxMomentum: 1 })).toThrow(
      "CyclicLR: maxMomentum (cycled on betas[0]) must be a number in [0, 1), got 1",
    );
  });

  it("needs momentum or betas to cycle momentum (PyTorch's error), unless cycleMomentum is false", () => {
    const plain = { paramGroups: [{ lr: 0.1 }] };
    expect(() => new CyclicLR(plain, { baseLr: 0.1, maxLr: 1 })).toThrow(
      "CyclicLR: optimizer must support momentum or beta1 with `cycleMomentum` option enabled",
    );
    expect(plain.paramGroups[0]).toEqual({ lr: 0.1 }); // nothing written
    const sched = new CyclicLR(plain, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, cycleMomentum: false });
    sched.step();
    expectRel(sched.getLastLr()[0], 0.55);
  });

  it("a custom scaleFn replaces the mode, evaluated per cycle or per iteration", () => {
    const opt = sgd(0.5);
    const calls: number[] = [];
    const scaleFn = (x: number) => {
      calls.push(x);
      return 1 / x;
    };
    const sched = new CyclicLR(opt, { baseLr: 0, maxLr: 1, stepSizeUp: 1, scaleFn, mode: "exp_range" });
    expect(sched.scaleMode).toBe("cycle");
    for (let t = 1; t <= 3; t++) sched.step();
    expectRel(sched.getLastLr()[0], 0.5); // t = 3: cycle 2, at the peak, scaled by 1/2
    expect(calls.every((x) => Number.isInteger(x) && x >= 1)).toBe(true);
  });

  it("a scaleFn returning a non-number is an error at that step, and nothing changes", () => {
    const opt = sgd(0.5);
    const sched = new CyclicLR(opt, {
      baseLr: 0.1,
      maxLr: 1,
      stepSizeUp: 2,
      scaleFn: (x) => (x >= 3 ? (Number.NaN as number) : 1),
      scaleMode: "iterations",
    });
    sched.step();
    sched.step();
    const before = JSON.stringify([sched.stateDict(), opt.paramGroups]);
    expect(() => sched.step()).toThrow("CyclicLR: scaleFn(3) returned NaN (expected a finite number)");
    expect(JSON.stringify([sched.stateDict(), opt.paramGroups])).toBe(before);
  });

  it("validates its options, naming the option and the value", () => {
    const opt = () => sgd(0.5, 0.2);
    expect(() => new CyclicLR(opt(), { baseLr: 0.1 } as never)).toThrow(
      "CyclicLR: missing required option maxLr",
    );
    expect(() => new CyclicLR(opt(), { baseLr: [0.1], maxLr: 1 })).toThrow(
      "CyclicLR: baseLr must have the same length as optimizer.paramGroups. baseLr has 1 values, paramGroups has 2.",
    );
    expect(() => new CyclicLR(opt(), { baseLr: 0.1, maxLr: [1, Number.NaN] })).toThrow(
      "CyclicLR: maxLr[1] must be a finite number, got NaN",
    );
    expect(() => new CyclicLR(opt(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 0 })).toThrow(
      "CyclicLR: stepSizeUp must be a positive number, got 0",
    );
    expect(() => new CyclicLR(opt(), { baseLr: 0.1, maxLr: 1, mode: "tri" as never })).toThrow(
      'CyclicLR: mode must be one of "triangular", "triangular2", "exp_range", got "tri"',
    );
    expect(() => new CyclicLR(opt(), { baseLr: 0.1, maxLr: 1, step_size_up: 4 } as never)).toThrow(
      'CyclicLR: unknown option "step_size_up" (did you mean stepSizeUp?)',
    );
    expect(() => new CyclicLR(opt(), { baseLr: 0.1, maxLr: 1, scaleFn: 2 as never })).toThrow(
      "CyclicLR: scaleFn must be a function, got 2",
    );
  });

  it("stateDict → JSON → loadStateDict continues identically; a custom scaleFn must be supplied again", () => {
    const make = (scaleFn?: (x: number) => number) => {
      const opt = sgd(0.5, 0.2);
      return {
        opt,
        sched: new CyclicLR(opt, {
          baseLr: [0.01, 0.02],
          maxLr: 0.1,
          stepSizeUp: 3,
          mode: "triangular2",
          scaleFn,
        }),
      };
    };
    const a = make();
    for (let t = 0; t < 7; t++) a.sched.step();
    const saved = JSON.parse(JSON.stringify(a.sched.stateDict()));
    const b = make();
    b.opt.paramGroups.forEach((g, i) => {
      Object.assign(g, JSON.parse(JSON.stringify(a.opt.paramGroups[i])));
    });
    b.sched.loadStateDict(saved);
    for (let t = 0; t < 10; t++) {
      a.sched.step();
      b.sched.step();
      expect(b.opt.paramGroups).toEqual(a.opt.paramGroups);
    }
    const half = (x: number) => 1 / x;
    const custom = make(half);
    const state = custom.sched.stateDict();
    expect(state.hasCustomScaleFn).toBe(true);
    expect(() => make().sched.loadStateDict(state)).toThrow("the state was saved with a custom scaleFn");
    make(half).sched.loadStateDict(state);
  });

  it("cyclicSchedule is the lr of the class, as a pure function", () => {
    const f = cyclicSchedule({
      baseLr: 0.01,
      maxLr: 0.1,
      stepSizeUp: 3,
      stepSizeDown: 5,
      mode: "triangular2",
    });
    const opt = sgd(0.5);
    const sched = new CyclicLR(opt, {
      baseLr: 0.01,
      maxLr: 0.1,
      stepSizeUp: 3,
      stepSizeDown: 5,
      mode: "triangular2",
    });
    for (let t = 0; t < 40; t++) {
      if (t > 0) sched.step();
      expect(f(t)).toBe(sched.getLastLr()[0]);
    }
    expect(() => f(Number.NaN)).toThrow("cyclicSchedule: the step must be a finite number >= 0, got NaN");
  });

  it("works on the real SGD: p ← p − lr_t·g with the cycled lr", () => {
    const p = { data: Float64Array.of(1), grad: { data: Float64Array.of(1) } };
    const opt = new SGD([p], { lr: 0.5 });
    const sched = new CyclicLR(opt, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, cycleMomentum: false });
    let ref = 1;
    for (let t = 0; t < 6; t++) {
      opt.step();
      ref -= [0.1, 0.55, 1, 0.55][t % 4];
      expectRel(p.data[0], ref, 1e-14);
      sched.step();
    }
  });
});

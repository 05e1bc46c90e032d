import { describe, expect, it } from "vitest";
import { ExponentialLR } from "./exponential.js";
import { LinearLR } from "./linear.js";
import type { SchedulerParamGroup } from "./scheduler.js";
import { SequentialLR } from "./sequential.js";
import { SWALR, swaSchedule } from "./swa.js";

/** Against hand values and the closed form: agreement to rounding. */
const LR_RTOL = 1e-12;

function expectRel(actual: number, expected: number, rtol = LR_RTOL): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

function lrs(sched: SWALR, steps: number): number[] {
  const out = [sched.getLastLr()[0]];
  for (let t = 1; t <= steps; t++) {
    sched.step();
    out.push(sched.getLastLr()[0]);
  }
  return out;
}

describe("SWALR", () => {
  it("linear: the hand values 0.1 → 0.05 over 4 epochs, then constant", () => {
    const opt: { paramGroups: SchedulerParamGroup[] } = { paramGroups: [{ lr: 0.1 }] };
    const sched = new SWALR(opt, { swaLr: 0.05, annealEpochs: 4, annealStrategy: "linear" });
    expect(opt.paramGroups[0].swaLr).toBe(0.05);
    const got = lrs(sched, 6);
    [0.1, 0.0875, 0.075, 0.0625, 0.05, 0.05, 0.05].forEach((lr, t) => {
      expectRel(got[t], lr);
    });
    expect(got[6]).toBe(0.05);
  });

  it("cos: follows (1 − cos(πt))/2 from the lr it started with; annealEpochs 0 jumps at once", () => {
    const sched = new SWALR({ paramGroups: [{ lr: 1 }] }, { swaLr: 0, annealEpochs: 4 });
    const got = lrs(sched, 5);
    // α = (1 − cos(π·t/4))/2 → lr = 1 − α: 1, 0.853…, 0.5, 0.146…, 0, 0
    [1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2].forEach((lr, t) => {
      expectRel(got[t], lr);
    });
    expect(Math.abs(got[4])).toBeLessThanOrEqual(1e-16);
    const jump = new SWALR({ paramGroups: [{ lr: 1 }] }, { swaLr: 0.25, annealEpochs: 0 });
    expect(lrs(jump, 3)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it("is chainable: an lr changed mid-anneal is annealed from, as PyTorch's prev_t trick recovers it", () => {
    const opt = { paramGroups: [{ lr: 0.1 }] };
    const sched = new SWALR(opt, { swaLr: 0.02, annealEpochs: 4, annealStrategy: "linear" });
    sched.step(); // α = 1/4: 0.08
    opt.paramGroups[0].lr = 0.16; // as if the annealing had started from 0.18
    sched.step(); // α = 2/4 from start (0.16 − 0.25·0.02)/0.75 = 0.2066…
    const start = (0.16 - 0.25 * 0.02) / 0.75;
    expectRel(sched.getLastLr()[0], 0.02 * 0.5 + start * 0.5);
  });

  it("swaSchedule is the class's schedule when nothing else touches the lr", () => {
    for (const annealStrategy of ["cos", "linear"] as const) {
      for (const annealEpochs of [0, 1, 3, 10]) {
        const f = swaSchedule({ baseLr: 0.3, swaLr: 0.01, annealEpochs, annealStrategy });
        const sched = new SWALR(
          { paramGroups: [{ lr: 0.3 }] },
          { swaLr: 0.01, annealEpochs, annealStrategy },
        );
        lrs(sched, annealEpochs + 3).forEach((lr, t) => {
          expectRel(lr, f(t), 1e-14);
        });
      }
    }
  });

  it("takes over from another scheduler (PyTorch's SWA recipe) and inside a SequentialLR", () => {
    const opt = { paramGroups: [{ lr: 1 }] };
    const decay = new ExponentialLR(opt, { gamma: 0.5 });
    decay.step();
    decay.step(); // lr 0.25
    const swa = new SWALR(opt, { swaLr: 0.05, annealEpochs: 2, annealStrategy: "linear" });
    const annealed = lrs(swa, 3);
    [0.25, 0.15, 0.05, 0.05].forEach((lr, t) => {
      expectRel(annealed[t], lr);
    });
    const opt2 = { paramGroups: [{ lr: 1 }] };
    const seq = new SequentialLR(opt2, {
      schedulers: [
        new LinearLR(opt2, { startFactor: 0.5, totalIters: 2 }),
        new SWALR(opt2, { swaLr: 0.1, annealEpochs: 2, annealStrategy: "linear" }),
      ],
      milestones: [2],
    });
    const seen = [seq.getLastLr()[0]];
    for (let t = 1; t <= 5; t++) {
      seq.step();
      seen.push(seq.getLastLr()[0]);
    }
    // warmup 0.5, 0.75; at the milestone SWALR keeps the current lr (0.75: current PyTorch restarts it
    // with _update_lr(0), which leaves its step count at 1; 1.13 called step(0) and annealed one
    // epoch earlier: 0.5, 0.75, 0.425, 0.1), then anneals
    [0.5, 0.75, 0.75, 0.425, 0.1, 0.1].forEach((lr, t) => {
      expectRel(seen[t], lr);
    });
  });

  it("validates its options", () => {
    const opt = () => ({ paramGroups: [{ lr: 0.1 }, { lr: 0.2 }] });
    expect(() => new SWALR(opt(), {} as never)).toThrow("SWALR: missing required option swaLr");
    expect(() => new SWALR(opt(), { swaLr: [0.1] })).toThrow(
      "SWALR: swaLr must have the same length as optimizer.paramGroups. swaLr has 1 values, paramGroups has 2.",
    );
    expect(() => new SWALR(opt(), { swaLr: -1 })).toThrow("SWALR: swaLr must be a number >= 0, got -1");
    expect(() => new SWALR(opt(), { swaLr: 0.1, annealEpochs: 1.5 })).toThrow(
      "SWALR: annealEpochs must be equal or greater than 0, got 1.5",
    );
    expect(() => new SWALR(opt(), { swaLr: 0.1, annealStrategy: "exp" as never })).toThrow(
      `SWALR: annealStrategy must be one of 'cos' or 'linear', instead got "exp"`,
    );
    expect(() => new SWALR(opt(), { swa_lr: 0.1 } as never)).toThrow(
      'SWALR: unknown option "swa_lr" (did you mean swaLr?)',
    );
    const o = opt();
    expect(() => new SWALR(o, { swaLr: 0.1, annealEpochs: -1 })).toThrow("annealEpochs");
    expect(o.paramGroups).toEqual([{ lr: 0.1 }, { lr: 0.2 }]); // nothing written
  });

  it("a group added after the scheduler is an error naming its missing swaLr", () => {
    const opt = { paramGroups: [{ lr: 0.1 }] as { lr: number; swaLr?: number }[] };
    const sched = new SWALR(opt, { swaLr: 0.05 });
    opt.paramGroups.push({ lr: 0.3 });
    expect(() => sched.step()).toThrow("SWALR: paramGroups[1].swaLr is missing");
    expect(sched.lastEpoch).toBe(0);
  });
});

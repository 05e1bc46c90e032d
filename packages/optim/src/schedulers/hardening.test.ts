import { describe, expect, it } from "vitest";
import { CosineAnnealingLR } from "./cosine.js";
import { ExponentialLR } from "./exponential.js";
import { LambdaLR } from "./lambda.js";
import { didYouMean } from "./options.js";
import { PolynomialLR } from "./polynomial.js";
import { StepLR, stepSchedule } from "./step.js";

function opt(...lrs: number[]) {
  return { paramGroups: lrs.map((lr) => ({ lr })) };
}

/** The scheduler's state and the groups, for "nothing changed" checks. */
function snapshot(sched: { stateDict(): unknown }, o: { paramGroups: unknown[] }): string {
  return JSON.stringify([sched.stateDict(), o.paramGroups]);
}

describe("no schedule reaches the groups as NaN or ±Infinity", () => {
  it("ExponentialLR with a huge gamma: the step that overflows throws, naming group and value", () => {
    const o = opt(1);
    const sched = new ExponentialLR(o, { gamma: 1e300 });
    sched.step();
    const before = snapshot(sched, o);
    expect(() => sched.step()).toThrow(
      "ExponentialLR: at epoch 2, the new lr of paramGroups[0] would be Infinity (its lr is 1e+300); nothing was changed",
    );
    expect(snapshot(sched, o)).toBe(before);
    expect(sched.lastEpoch).toBe(1);
  });

  it("PolynomialLR with a negative power is rejected at construction", () => {
    expect(() => new PolynomialLR(opt(1), { power: -1 })).toThrow(
      "PolynomialLR: power must be a number >= 0, got -1",
    );
  });

  it("updateLr takes only an integer epoch >= 0", () => {
    const sched = new StepLR(opt(1), { stepSize: 2 });
    expect(() => sched.updateLr(Number.NaN)).toThrow(
      "StepLR.updateLr: epoch must be an integer >= 0, got NaN",
    );
    expect(() => sched.updateLr(1.5)).toThrow("StepLR.updateLr: epoch must be an integer >= 0, got 1.5");
    expect(sched.lastEpoch).toBe(0);
  });

  it("a LambdaLR returning a string (even a numeric one) is an error, at construction or at a step", () => {
    const o = opt(0.1);
    expect(() => new LambdaLR(o, { lrLambda: () => "0.5" as never })).toThrow(
      'LambdaLR: lrLambda of paramGroups[0] returned "0.5" at epoch 0 (expected a finite number); nothing was changed',
    );
    expect(o.paramGroups[0]).toEqual({ lr: 0.1 }); // not even initialLr was left behind
    const sched = new LambdaLR(o, { lrLambda: (e) => (e === 2 ? (undefined as never) : 1) });
    sched.step();
    expect(() => sched.step()).toThrow("LambdaLR: lrLambda of paramGroups[0] returned undefined at epoch 2");
    expect(sched.lastEpoch).toBe(1);
  });

  it("an lr set to NaN by hand is caught at the next chainable step, naming the group", () => {
    const o = opt(0.1, 0.2);
    const sched = new CosineAnnealingLR(o, { tMax: 10 });
    o.paramGroups[1].lr = Number.NaN;
    expect(() => sched.step()).toThrow(
      "CosineAnnealingLR: at epoch 1, the new lr of paramGroups[1] would be NaN (its lr is NaN); nothing was changed",
    );
    expect(o.paramGroups[0].lr).toBe(0.1);
  });

  it("an optimizer whose lr is not a finite number is rejected", () => {
    expect(() => new StepLR(opt(Number.NaN), { stepSize: 1 })).toThrow(
      "StepLR: paramGroups[0].lr must be a finite number, got NaN",
    );
  });
});

describe("options: missing, unknown and misspelled", () => {
  it("a missing required option says which and shows the call", () => {
    expect(() => new StepLR(opt(1), undefined as never)).toThrow(
      "StepLR: missing required option stepSize, as in StepLR(optimizer, { stepSize, gamma, lastEpoch })",
    );
    expect(() => stepSchedule({ baseLr: 0.1 } as never)).toThrow(
      "stepSchedule: missing required option stepSize",
    );
  });

  it("unknown options get a did-you-mean (PyTorch's snake_case names, typos), or the list", () => {
    expect(() => new StepLR(opt(1), { step_size: 2 } as never)).toThrow(
      'StepLR: unknown option "step_size" (did you mean stepSize?)',
    );
    expect(() => new CosineAnnealingLR(opt(1), { T_max: 2 } as never)).toThrow("(did you mean tMax?)");
    expect(() => new StepLR(opt(1), { stepSize: 2, gama: 0.5 } as never)).toThrow("(did you mean gamma?)");
    expect(() => new StepLR(opt(1), { stepSize: 2, verbose: true } as never)).toThrow(
      'StepLR: unknown option "verbose" (the options are stepSize, gamma, lastEpoch)',
    );
    expect(didYouMean("last_epoch", ["lastEpoch"])).toBe("lastEpoch");
    expect(didYouMean("T_0", ["t0", "tMult"])).toBe("t0");
    expect(didYouMean("xyz", ["gamma"])).toBeUndefined();
  });

  it("options that are not an object (e.g. PyTorch's positional style) are an error", () => {
    expect(() => new StepLR(opt(1), 30 as never)).toThrow(
      "StepLR: options must be an object, as in StepLR(optimizer, { stepSize, gamma, lastEpoch }); got 30",
    );
    expect(() => new StepLR(opt(1), null as never)).toThrow("StepLR: options must be an object");
  });
});

describe("loadStateDict validates everything, then applies all or nothing", () => {
  const make = () => {
    const o = opt(1, 0.5);
    const sched = new StepLR(o, { stepSize: 2, gamma: 0.5 });
    sched.step();
    return { o, sched };
  };
  const good = () => {
    const { sched } = make();
    sched.step();
    sched.step();
    return JSON.parse(JSON.stringify(sched.stateDict()));
  };

  for (const [what, change, message] of [
    [
      "a fractional lastEpoch",
      { lastEpoch: 2.5 },
      "StepLR.loadStateDict: 'lastEpoch' must be an integer >= -1, got 2.5",
    ],
    ["a negative lastEpoch", { lastEpoch: -3 }, "'lastEpoch' must be an integer >= -1, got -3"],
    ["an infinite stepCount", { stepCount: "Infinity" }, "'stepCount' must be a number, got \"Infinity\""],
    ["a huge stepCount", { stepCount: 1e300 }, "'stepCount' must be an integer >= 0, got 1e+300"],
    ["a NaN base lr", { baseLrs: [1, null] }, "'baseLrs'[1] must be a number, got null"],
    [
      "a bad option after good counters",
      { gamma: "0.5" },
      'StepLR.loadStateDict: gamma must be a number, got "0.5"',
    ],
    ["an unknown key", { gama: 0.5 }, 'StepLR.loadStateDict: unknown key "gama" in the state'],
  ] as const) {
    it(`rejects ${what} and changes nothing`, () => {
      const { o, sched } = make();
      const before = snapshot(sched, o);
      expect(() => sched.loadStateDict({ ...good(), ...change })).toThrow(message);
      expect(snapshot(sched, o)).toBe(before);
    });
  }

  it("rejects a state with a key missing", () => {
    const { sched } = make();
    const { gamma: _, ...state } = good();
    expect(() => sched.loadStateDict(state)).toThrow('StepLR.loadStateDict: the state has no "gamma"');
  });
});

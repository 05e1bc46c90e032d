import { afterAll, describe, expect, it } from "vitest";
import {
  AdEMAMix,
  type AdEMAMixHyperparameters,
  type AdEMAMixOptions,
  ademamixAlpha,
  ademamixBeta3,
  ademamixStep,
} from "./ademamix.js";
import { HAND_TOL, maxDeviation, runHand } from "./reference.testutil.js";
import {
  type AnyOptimizer,
  type Case,
  describeReferenceCases,
  FLOAT32_REL_TOL,
  FLOAT64_REL_TOL,
  load,
  type Make,
  run,
} from "./reference-fixtures.testutil.js";
import { describeKernelBackends, describeRuleContract, kernelArrays } from "./rule-contract.testutil.js";

const make: Make = (groups, options) =>
  new AdEMAMix(groups as never, options as never) as unknown as AnyOptimizer;
/** The reference's names for AdEMAMix's own options and state. */
const NAMES = {
  options: { beta3_warmup: "beta3Warmup", alpha_warmup: "alphaWarmup" },
  state: { exp_avg_fast: "expAvgFast", exp_avg_slow: "expAvgSlow" },
};

const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("ademamix", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

describe("AdEMAMix hand-computed values (Python float64 of the reference's step)", () => {
  // p₀ = [1, −2]; gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1].
  const hand = (options: AdEMAMixOptions) => runHand((ps) => new AdEMAMix(ps, options));
  const expectClose = (actual: number[][], expected: number[][]) =>
    expect(maxDeviation(actual, expected)).toBeLessThanOrEqual(HAND_TOL);

  it("lr 0.1: the first step is Adam's plus α·(1 − β3)·g/|g| = 2e-4 of it", () => {
    expectClose(hand({ lr: 0.1 }), [
      [0.8999800020004, -1.8999800010002],
      [0.8041921788673865, -1.848855203632649],
      [0.7793139048872005, -1.815758239966247],
    ]);
  });

  it("α 5, maximize, weight decay 0.1 (added to the normalized step, then scaled by lr)", () => {
    expectClose(hand({ lr: 0.1, alpha: 5, weightDecay: 0.1, maximize: true }), [
      [1.090049997999, -2.0800499989995],
      [1.1749955329148578, -2.110407581914124],
      [1.1881532385345877, -2.1224359738596688],
    ]);
  });

  it("β1 = 0 (the gradient for m1), β3 warmup over 2 steps, α warmup over 4", () => {
    expectClose(hand({ lr: 0.1, betas: [0, 0.99, 0.999], beta3Warmup: 2, alphaWarmup: 4 }), [
      [0.8999000584238481, -1.8999000574228486],
      [0.826737898757459, -1.927449855649475],
      [0.9244759233099741, -1.9440016442894765],
    ]);
  });
});

describe("AdEMAMix warmup schedules", () => {
  it("α rises linearly from 0 and holds from the warmup's last step on", () => {
    expect([1, 2, 3, 4, 5].map((t) => ademamixAlpha(t, 2, 4))).toEqual([0.5, 1, 1.5, 2, 2]);
    expect(ademamixAlpha(1, 2, null)).toBe(2);
    expect(ademamixAlpha(1, 2, 0)).toBe(2);
  });

  it("β3 moves linearly in half-life from β1 (Python: linear_hl_warmup_scheduler)", () => {
    // Python float64: linear_hl_warmup_scheduler(1, 0.9999, 0.9, 2) = 0.9998002195855972.
    expect(Math.abs(ademamixBeta3(1, 0.9, 0.9999, 2) - 0.9998002195855972)).toBeLessThanOrEqual(2e-16);
    expect(ademamixBeta3(2, 0.9, 0.9999, 2)).toBe(0.9999);
    // Halfway in half-life: h(β1) = ln½/ln0.9 − 1, h(β3) = ln½/ln0.9999 − 1; β3(t) = ½^(1/(h + 1)).
    const h = (b: number) => Math.log(0.5) / Math.log(b + 1e-8) - 1;
    const mid = 0.5 ** (1 / (0.5 * h(0.9) + 0.5 * h(0.9999) + 1));
    expect(ademamixBeta3(50, 0.9, 0.9999, 100)).toBe(mid);
    expect(ademamixBeta3(7, 0.9, 0.9999, null)).toBe(0.9999);
  });
});

describe("ademamixStep", () => {
  const h: AdEMAMixHyperparameters = {
    lr: 0.1,
    betas: [0.9, 0.999, 0.9999],
    alpha: 2,
    beta3Warmup: null,
    alphaWarmup: null,
    eps: 1e-8,
    weightDecay: 0,
    maximize: false,
  };

  it("adds λ·θ even for λ = 0, as the reference's update.add_(p, alpha=0): an infinite θ becomes NaN", () => {
    for (const Arr of [Float64Array, Float32Array]) {
      const p = Arr.from([Number.POSITIVE_INFINITY, 1]);
      const a = () => new Arr(2);
      ademamixStep(p, Arr.from([0.5, 0.5]), a(), a(), a(), 1, h);
      expect(p[0]).toBeNaN();
      expect(Number.isFinite(p[1])).toBe(true);
    }
  });

  it("needs m1 unless β1 = 0, and checks lengths", () => {
    const a = () => new Float64Array(3);
    expect(() => ademamixStep(a(), a(), null, a(), a(), 1, h)).toThrow("needs an exp_avg_fast (m1) buffer");
    expect(() =>
      ademamixStep(a(), a(), null, a(), a(), 1, { ...h, betas: [0, 0.999, 0.9999] }),
    ).not.toThrow();
    expect(() => ademamixStep(a(), a(), a(), new Float64Array(2), a(), 1, h)).toThrow(
      "ademamixStep: exp_avg_slow (m2) has 2 elements, but the parameter has 3",
    );
  });
});

describe("AdEMAMix validation (the reference's messages) and defaults", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ eps: -1e-8 }, "Invalid epsilon value: -1e-8"],
    [{ betas: [1, 0.999, 0.9999] }, "Invalid beta parameter at index 0: 1"],
    [{ betas: [0.9, 0.999, 1] }, "Invalid beta parameter at index 2: 1"],
    [{ betas: [0.9, 0.999] }, "Invalid betas value: [0.9, 0.999] (expected three: [beta1, beta2, beta3])"],
    [{ weightDecay: -0.1 }, "Invalid weightDecay value: -0.1 (PyTorch: Invalid weight_decay value: -0.1)"],
    [{ alpha: -1 }, "Invalid alpha value: -1"],
    [{ alpha: Number.POSITIVE_INFINITY }, "Invalid alpha value: Infinity"],
    [
      { beta3Warmup: -5 },
      "Invalid beta3Warmup value: -5 (expected null or a non-negative whole number of steps)",
    ],
    [{ alphaWarmup: 2.5 }, "Invalid alphaWarmup value: 2.5"],
    [{ maximize: 1 }, "Invalid maximize value: 1 (expected a boolean)"],
    [{ beta3_warmup: 10 }, 'AdEMAMix: unknown option "beta3_warmup" (did you mean beta3Warmup?)'],
  ])("%j → %s", (options, message) => {
    expect(() => new AdEMAMix([p()], options as never)).toThrow(message);
  });

  it("defaults are the reference's", () => {
    expect(new AdEMAMix([p()]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999, 0.9999],
      alpha: 2,
      beta3Warmup: null,
      alphaWarmup: null,
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
    });
  });

  it("keeps no fast average while β1 = 0, and starts one at 0 when β1 is raised", () => {
    const w = { data: new Float64Array([1]), grad: { data: new Float64Array([0.5]) } };
    const opt = new AdEMAMix([w], { betas: [0, 0.999, 0.9999] });
    opt.step();
    expect(Object.keys(opt.stateDict().state["0"]).sort()).toEqual(["expAvgSlow", "expAvgSq", "step"]);
    opt.paramGroups[0].betas = [0.5, 0.999, 0.9999];
    opt.step();
    expect([...(opt.state.get(w)?.expAvgFast ?? [])]).toEqual([0.25]);
  });
});

describeRuleContract(
  "AdEMAMix",
  (ps, o) => new AdEMAMix(ps as never, o),
  [
    { lr: 0.01 },
    { lr: 0.01, weightDecay: 0.1, alpha: 5, beta3Warmup: 6, alphaWarmup: 8 },
    { lr: 0.01, betas: [0, 0.99, 0.999] },
  ],
  { lr: 0.004, betas: [0.5, 0.95, 0.999], eps: 1e-5, alpha: 3 },
);

describeKernelBackends<AdEMAMixHyperparameters>(
  "AdEMAMix",
  [
    {
      lr: 1e-3,
      betas: [0.9, 0.999, 0.9999],
      alpha: 2,
      beta3Warmup: null,
      alphaWarmup: null,
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
    },
    {
      lr: 0.05,
      betas: [0.3, 0.9, 0.99],
      alpha: 8,
      beta3Warmup: 2,
      alphaWarmup: 3,
      eps: 1e-6,
      weightDecay: 0.1,
      maximize: true,
    },
    {
      lr: 0.01,
      betas: [0, 0.99, 0.999],
      alpha: 0.5,
      beta3Warmup: null,
      alphaWarmup: 2,
      eps: 1e-3,
      weightDecay: 0.05,
      maximize: false,
    },
  ],
  (k) => kernelArrays(3, k === 1),
  ([p, g, m1, m2, nu], t, h) => {
    ademamixStep(p, g, h.betas[0] === 0 ? null : m1, m2, nu, t, h);
  },
  3,
);

describe("the AdEMAMix reference comparison detects small departures", () => {
  const cases = new Map(load("ademamix").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name);
    if (c === undefined) throw new Error(`no case ${name}`);
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  const departures: [string, Case, number][] = [
    ["α off by 1e-9 (relative)", variant("ademamix/long", { alpha: 2 * (1 + 1e-9) }), FLOAT64_REL_TOL],
    ["β3 warmup one step longer", variant("ademamix/warmups", { beta3_warmup: 51 }), FLOAT64_REL_TOL],
    ["α warmup one step longer", variant("ademamix/warmups", { alpha_warmup: 41 }), FLOAT64_REL_TOL],
    ["no weight decay", variant("ademamix/weight-decay", { weight_decay: 0 }), FLOAT64_REL_TOL],
    [
      "float32: lr off by 1e-6 (relative)",
      variant("ademamix/float32-defaults", { lr: 1e-3 * (1 + 1e-6) }),
      FLOAT32_REL_TOL,
    ],
  ];
  for (const [what, c, tol] of departures) {
    it(`${what} (${c.name}) is detected`, () => {
      expect(run(c, make, NAMES, false).deviation).toBeGreaterThan(tol);
    });
  }
});

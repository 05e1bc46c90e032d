import { afterAll, describe, expect, it } from "vitest";
import { NAdam, type NAdamHyperparameters, type NAdamOptions, nadamStep } from "./nadam.js";
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
import {
  describeKernelBackends,
  describeRuleContract,
  itAppliesTinyWeightDecay,
  kernelArrays,
} from "./rule-contract.testutil.js";

const make: Make = (groups, options) =>
  new NAdam(groups as never, options as never) as unknown as AnyOptimizer;
/** torch.optim's names for NAdam's own options and state. */
const NAMES = {
  options: { momentum_decay: "momentumDecay", decoupled_weight_decay: "decoupledWeightDecay" },
  state: { mu_product: "muProduct" },
};

const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("nadam", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

describe("NAdam hand-computed values (Python float64 of PyTorch's algorithm box, ∏μ in float32)", () => {
  // p₀ = [1, −2]; gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1]; betas (0.9, 0.999), eps 1e-8.
  const hand = (options: NAdamOptions) => runHand((ps) => new NAdam(ps, options));
  const expectClose = (actual: number[][], expected: number[][]) =>
    expect(maxDeviation(actual, expected)).toBeLessThanOrEqual(HAND_TOL);

  it("lr 0.1: μ₁ ≈ 0.45, so the first step is 0.1·(1 + μ₂·0.1/(1 − μ₁μ₂))·sign(g) ≈ 0.1056", () => {
    expectClose(hand({ lr: 0.1 }), [
      [0.8943548229794245, -1.8943548219229727],
      [0.8351636672390113, -1.9086739317733228],
      [0.8912793718096752, -1.9146956687033934],
    ]);
  });

  it("coupled weight decay 0.1, momentumDecay 0.1", () => {
    expectClose(hand({ lr: 0.1, weightDecay: 0.1, momentumDecay: 0.1 }), [
      [0.8942937547210914, -1.894293753840206],
      [0.8321456045652699, -1.888817002577178],
      [0.8687810312423959, -1.8738970979705059],
    ]);
  });

  it("decoupled weight decay 0.1: θ·(1 − 0.01) first, then the same step", () => {
    expectClose(hand({ lr: 0.1, weightDecay: 0.1, decoupledWeightDecay: true }), [
      [0.8843548229794245, -1.8743548219229726],
      [0.816320119009217, -1.869930383554093],
      [0.8642726223897887, -1.8572528166486226],
    ]);
  });

  it("the running product ∏μ is float32, as PyTorch's mu_product: the exact float64 product is 1e-9 away", () => {
    // The same box with ∏μ kept in float64 (Python): what a port that ignored the float32 state gets.
    const exactProduct = [
      [0.8943548242773647, -1.8943548232209129],
      [0.8351636687310674, -1.9086739330090279],
      [0.8912793735002986, -1.9146956699680098],
    ];
    expect(maxDeviation(hand({ lr: 0.1 }), exactProduct)).toBeGreaterThan(1e-9);
  });
});

describe("nadamStep", () => {
  const h: NAdamHyperparameters = {
    lr: 0.1,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    momentumDecay: 4e-3,
    decoupledWeightDecay: false,
    maximize: false,
  };

  it("returns the running product of μ, rounded to float32 at every step", () => {
    const a = () => new Float64Array(2);
    const mu = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3));
    let product = 1;
    let expected = 1;
    for (let t = 1; t <= 5; t++) {
      product = nadamStep(a(), new Float64Array([0.5, -1]), a(), a(), product, t, h);
      expected = Math.fround(expected * Math.fround(mu(t)));
      expect(product).toBe(expected);
    }
    expect(product).not.toBe(mu(1) * mu(2) * mu(3) * mu(4) * mu(5));
  });

  it("rejects arrays of the wrong length", () => {
    const a = () => new Float64Array(3);
    expect(() => nadamStep(a(), a(), a(), new Float64Array(2), 1, 1, h)).toThrow(
      "nadamStep: exp_avg_sq (v) has 2 elements, but the parameter has 3",
    );
  });
});

describe("NAdam validation (PyTorch's messages) and defaults", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ eps: -1e-8 }, "Invalid epsilon value: -1e-8"],
    [{ betas: [1, 0.999] }, "Invalid beta parameter at index 0: 1"],
    [{ betas: [0.9, -0.5] }, "Invalid beta parameter at index 1: -0.5"],
    [{ weightDecay: -0.1 }, "Invalid weightDecay value: -0.1 (PyTorch: Invalid weight_decay value: -0.1)"],
    [{ momentumDecay: -1 }, "Invalid momentumDecay value: -1 (PyTorch: Invalid momentum_decay value: -1)"],
    [{ momentumDecay: Number.NaN }, "Invalid momentumDecay value: NaN"],
    [{ decoupledWeightDecay: 1 }, "Invalid decoupledWeightDecay value: 1 (expected a boolean)"],
    [{ maximize: "yes" }, 'Invalid maximize value: "yes" (expected a boolean)'],
    [{ momentum_decay: 0.01 }, 'NAdam: unknown option "momentum_decay" (did you mean momentumDecay?)'],
  ])("%j → %s", (options, message) => {
    expect(() => new NAdam([p()], options as never)).toThrow(message);
  });

  it("defaults are PyTorch's (lr 2e-3, momentumDecay 4e-3)", () => {
    expect(new NAdam([p()]).defaults).toEqual({
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      decoupledWeightDecay: false,
      maximize: false,
    });
  });

  it("keeps muProduct in its state and saves it as a number", () => {
    const w = { data: new Float64Array([1]), grad: { data: new Float64Array([0.5]) } };
    const opt = new NAdam([w]);
    opt.step();
    const saved = opt.stateDict().state["0"];
    expect(Object.keys(saved).sort()).toEqual(["expAvg", "expAvgSq", "muProduct", "step"]);
    expect(saved.muProduct).toBe(Math.fround(0.9 * (1 - 0.5 * 0.96 ** 4e-3)));
    const { muProduct: _, ...withoutProduct } = saved;
    const broken = { ...opt.stateDict(), state: { "0": withoutProduct } };
    expect(() => new NAdam([w]).loadStateDict(broken)).toThrow("has no muProduct");
  });
});

describeRuleContract("NAdam", (ps, o) => new NAdam(ps as never, o), [
  { lr: 0.01 },
  { lr: 0.01, weightDecay: 0.1, momentumDecay: 0.05 },
  { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true },
]);

describeKernelBackends<NAdamHyperparameters>(
  "NAdam",
  [
    {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      decoupledWeightDecay: false,
      maximize: false,
    },
    {
      lr: 0.05,
      betas: [0.3, 0.9],
      eps: 1e-6,
      weightDecay: 0.1,
      momentumDecay: 0.1,
      decoupledWeightDecay: false,
      maximize: true,
    },
    {
      lr: 0.01,
      betas: [0.95, 0.99],
      eps: 1e-3,
      weightDecay: 0.05,
      momentumDecay: 4e-3,
      decoupledWeightDecay: true,
      maximize: false,
    },
  ],
  (k) => kernelArrays(2, k === 2),
  ([p, g, m, v], t, h) => {
    // Π through step t − 1 of the default schedule, as the class would hold it.
    nadamStep(p, g, m, v, 0.5 ** (t - 1), t, h);
  },
);

itAppliesTinyWeightDecay("nadamStep", (p, g, m, v) => {
  const h = {
    lr: 0.01,
    betas: [0.9, 0.999] as [number, number],
    eps: 1e-8,
    momentumDecay: 4e-3,
    maximize: false,
  };
  nadamStep(p, g, m, v, 1, 1, { ...h, weightDecay: 1e-50, decoupledWeightDecay: false });
});

describe("torch.optim reference: the NAdam comparison detects small departures", () => {
  const cases = new Map(load("nadam").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name);
    if (c === undefined) throw new Error(`no case ${name}`);
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  const departures: [string, Case, number][] = [
    [
      "momentum_decay off by 1e-9 (relative)",
      variant("nadam/long", { momentum_decay: 4e-3 * (1 + 1e-9) }),
      0,
    ],
    [
      "coupled instead of decoupled decay",
      variant("nadam/decoupled-weight-decay", { decoupled_weight_decay: false }),
      0,
    ],
    [
      "float32: lr off by 1e-6 (relative)",
      variant("nadam/float32-wd-small-beta1", { lr: 0.01 * (1 + 1e-6) }),
      1,
    ],
  ];
  for (const [what, c, float32] of departures) {
    it(`${what} (${c.name}) is detected`, () => {
      expect(run(c, make, NAMES, false).deviation).toBeGreaterThan(
        float32 ? FLOAT32_REL_TOL : FLOAT64_REL_TOL,
      );
    });
  }
});

import { afterAll, describe, expect, it } from "vitest";
import { Adamax, type AdamaxHyperparameters, type AdamaxOptions, adamaxStep } from "./adamax.js";
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
  new Adamax(groups as never, options as never) as unknown as AnyOptimizer;
/** torch.optim's names for Adamax's own state. */
const NAMES = { state: { exp_inf: "expInf" } };

const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("adamax", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

describe("Adamax hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  // p₀ = [1, −2]; gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1]; betas (0.9, 0.999).
  const hand = (options: AdamaxOptions) => runHand((ps) => new Adamax(ps, options));
  const expectClose = (actual: number[][], expected: number[][]) =>
    expect(maxDeviation(actual, expected)).toBeLessThanOrEqual(HAND_TOL);

  it("lr 0.1: the first step is lr·g/(|g| + ε) ≈ lr", () => {
    expectClose(hand({ lr: 0.1 }), [
      [0.900000002, -1.900000001],
      [0.8209736087646593, -1.8631210171213846],
      [0.8006377548465515, -1.8435246486043353],
    ]);
  });

  it("maximize, weight decay 0.1, eps 1e-3 (ε inside the running maximum)", () => {
    expectClose(hand({ lr: 0.1, weightDecay: 0.1, maximize: true, eps: 1e-3 }), [
      [1.0997506234413965, -2.099875156054931],
      [1.17201411119163, -2.1202656421053754],
      [1.1704347791842176, -2.118741649582643],
    ]);
  });
});

describe("adamaxStep", () => {
  const h: AdamaxHyperparameters = { lr: 0.1, betas: [0.9, 0.5], eps: 0.01, weightDecay: 0, maximize: false };

  it("keeps a decaying maximum of |g| + ε, not a mean", () => {
    const u = new Float64Array(1);
    const step = (g: number, t: number) =>
      adamaxStep(new Float64Array(1), new Float64Array([g]), new Float64Array(1), u, t, h);
    step(-4, 1);
    expect(u[0]).toBe(4.01);
    step(1, 2); // max(0.5·4.01, 1.01)
    expect(u[0]).toBe(2.005);
    step(3, 3); // max(1.0025, 3.01)
    expect(u[0]).toBe(3.01);
  });

  it("ε sits inside the maximum: after a zero gradient u = max(β2·u, ε) (TF.js and Keras would keep β2·u)", () => {
    // g = 0.001, then 0, with ε = 0.01: u₁ = 0.011, u₂ = max(0.5·0.011, 0 + 0.01) = 0.01. TF.js's
    // u ← max(β2·u, |g|) (ε added only in the denominator) would hold 0.001, then 0.0005.
    const p = new Float64Array([0]);
    const m = new Float64Array(1);
    const u = new Float64Array(1);
    adamaxStep(p, new Float64Array([0.001]), m, u, 1, h);
    expect(u[0]).toBe(0.011);
    adamaxStep(p, new Float64Array([0]), m, u, 2, h);
    expect(u[0]).toBe(0.01);
  });

  it("rejects arrays of the wrong length", () => {
    const a = () => new Float64Array(3);
    expect(() => adamaxStep(a(), a(), a(), new Float64Array(1), 1, h)).toThrow(
      "adamaxStep: exp_inf (u) has 1 elements, but the parameter has 3",
    );
  });
});

describe("Adamax validation (PyTorch's messages) and defaults", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ lr: Number.NaN }, "Invalid learning rate: NaN"],
    [{ eps: -1e-8 }, "Invalid epsilon value: -1e-8"],
    [{ betas: [1, 0.999] }, "Invalid beta parameter at index 0: 1"],
    [{ betas: [0.9, 1.5] }, "Invalid beta parameter at index 1: 1.5"],
    [{ weightDecay: -0.1 }, "Invalid weightDecay value: -0.1 (PyTorch: Invalid weight_decay value: -0.1)"],
    [{ maximize: 0 }, "Invalid maximize value: 0 (expected a boolean)"],
    [{ decoupledWeightDecay: true }, 'Adamax: unknown option "decoupledWeightDecay"'],
  ])("%j → %s", (options, message) => {
    expect(() => new Adamax([p()], options as never)).toThrow(message);
  });

  it("defaults are PyTorch's (lr 2e-3)", () => {
    expect(new Adamax([p()]).defaults).toEqual({
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
    });
  });

  it("rejects a loaded infinity norm that is negative", () => {
    const w = { data: new Float64Array([1]), grad: { data: new Float64Array([0.5]) } };
    const opt = new Adamax([w]);
    opt.step();
    const sd = JSON.parse(JSON.stringify(opt.stateDict()));
    sd.state["0"].expInf.values[0] = -1;
    expect(() => new Adamax([w]).loadStateDict(sd)).toThrow("expInf must not be negative, but value 0 is -1");
  });
});

describeRuleContract("Adamax", (ps, o) => new Adamax(ps as never, o), [
  { lr: 0.01 },
  { lr: 0.01, weightDecay: 0.1, eps: 0.05 },
]);

describeKernelBackends<AdamaxHyperparameters>(
  "Adamax",
  [
    { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
    { lr: 0.05, betas: [0.3, 0.9], eps: 0.1, weightDecay: 0.1, maximize: true },
    { lr: 0.01, betas: [0.95, 0.5], eps: 1e-3, weightDecay: 0.05, maximize: false },
  ],
  (k) => kernelArrays(2, k === 2),
  ([p, g, m, u], t, h) => adamaxStep(p, g, m, u, t, h),
);

itAppliesTinyWeightDecay("adamaxStep", (p, g, m, u) => {
  adamaxStep(p, g, m, u, 1, {
    lr: 0.01,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 1e-50,
    maximize: false,
  });
});

describe("torch.optim reference: the Adamax comparison detects small departures", () => {
  const cases = new Map(load("adamax").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name);
    if (c === undefined) throw new Error(`no case ${name}`);
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  const departures: [string, Case, number][] = [
    ["eps off by 1e-6 (relative)", variant("adamax/large-eps", { eps: 0.05 * (1 + 1e-6) }), FLOAT64_REL_TOL],
    ["beta2 off by 1e-9", variant("adamax/long", { betas: [0.9, 0.999 + 1e-9] }), FLOAT64_REL_TOL],
    [
      "float32: lr off by 1e-6 (relative)",
      variant("adamax/float32-wd-small-beta1-eps", { lr: 0.01 * (1 + 1e-6) }),
      FLOAT32_REL_TOL,
    ],
  ];
  for (const [what, c, tol] of departures) {
    it(`${what} (${c.name}) is detected`, () => {
      expect(run(c, make, NAMES, false).deviation).toBeGreaterThan(tol);
    });
  }
});

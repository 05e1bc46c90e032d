import { afterAll, describe, expect, it } from "vitest";
import { RAdam, type RAdamHyperparameters, type RAdamOptions, radamRho, radamStep } from "./radam.js";
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
  new RAdam(groups as never, options as never) as unknown as AnyOptimizer;
/** torch.optim's names for RAdam's own options. */
const NAMES = { options: { decoupled_weight_decay: "decoupledWeightDecay" } };

const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("radam", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

describe("radamRho: when RAdam rectifies", () => {
  it("ρ₁ = 1 for every β2, and with β2 = 0.999 the first rectified step is the sixth", () => {
    for (const beta2 of [0.5, 0.9, 0.999]) expect(radamRho(beta2, 1).rhoT).toBeCloseTo(1, 12);
    const rectified = Array.from({ length: 8 }, (_, t) => radamRho(0.999, t + 1).rectified);
    expect(rectified).toEqual([false, false, false, false, false, true, true, true]);
    // Python float64: rho_5 = 4.995998000395048, rho_6 = 5.994163751655833
    expect(radamRho(0.999, 5).rhoT).toBeCloseTo(4.995998000395048, 12);
    expect(radamRho(0.999, 6).rhoT).toBeCloseTo(5.994163751655833, 12);
  });

  it("never rectifies when β2 ≤ 2/3 (ρ_∞ ≤ 5)", () => {
    expect(radamRho(0.6, 1).rhoInf).toBeCloseTo(4, 14);
    for (let t = 1; t <= 10000; t *= 10) expect(radamRho(0.6, t).rectified).toBe(false);
    expect(radamRho(0.7, 1000).rectified).toBe(true);
  });
});

describe("RAdam hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  // p₀ = [1, −2]; gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1]; betas (0.9, 0.999), eps 1e-8.
  const hand = (options: RAdamOptions) => runHand((ps) => new RAdam(ps, options));
  const expectClose = (actual: number[][], expected: number[][]) =>
    expect(maxDeviation(actual, expected)).toBeLessThanOrEqual(HAND_TOL);

  it("lr 0.1: un-rectified steps (ρ_t ≤ 5), θ ← θ − γ·m̂", () => {
    expectClose(hand({ lr: 0.1 }), [
      [0.95, -1.9],
      [0.9105263157894736, -1.8631578947368421],
      [0.9003787143134588, -1.8436006991648863],
    ]);
  });

  it("decoupled weight decay 0.1: θ·(1 − 0.01), then the step", () => {
    expectClose(hand({ lr: 0.1, weightDecay: 0.1, decoupledWeightDecay: true }), [
      [0.94, -1.88],
      [0.8911263157894737, -1.824357894736842],
      [0.8720674511555642, -1.7865571202175177],
    ]);
  });

  it("a constant gradient 0.5: five steps of γ·g = 0.05, then rectified steps of γ·r_t·g·√(1 − β2^t)/(√v + ε)", () => {
    const w = { data: new Float64Array([1]), grad: null as { data: Float64Array } | null };
    const opt = new RAdam([w], { lr: 0.1 });
    const trajectory: number[][] = [];
    for (let t = 1; t <= 8; t++) {
      w.grad = { data: new Float64Array([0.5]) };
      opt.step();
      trajectory.push([w.data[0]]);
    }
    expectClose(trajectory, [
      [0.95],
      [0.8999999999999999],
      [0.8499999999999999],
      [0.7999999999999998],
      [0.7499999999999998],
      [0.7474178893873459],
      [0.7441440087301312],
      [0.740270181895879],
    ]);
  });
});

describe("radamStep", () => {
  const h: RAdamHyperparameters = {
    lr: 0.1,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    decoupledWeightDecay: false,
    maximize: false,
  };

  it("updates v at un-rectified steps too", () => {
    const v = new Float64Array(1);
    radamStep(new Float64Array(1), new Float64Array([2]), new Float64Array(1), v, 1, h);
    expect(v[0]).toBeCloseTo(0.004, 17);
  });

  it("rejects arrays of the wrong length", () => {
    const a = () => new Float64Array(3);
    expect(() => radamStep(a(), new Float64Array(4), a(), a(), 1, h)).toThrow(
      "radamStep: grad has 4 elements, but the parameter has 3",
    );
  });
});

describe("RAdam validation (PyTorch's messages) and defaults", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ eps: -1e-8 }, "Invalid epsilon value: -1e-8"],
    [{ betas: [1, 0.999] }, "Invalid beta parameter at index 0: 1"],
    [{ betas: [0.9, 1] }, "Invalid beta parameter at index 1: 1"],
    [{ weightDecay: -0.1 }, "Invalid weightDecay value: -0.1 (PyTorch: Invalid weight_decay value: -0.1)"],
    [{ weightDecay: Number.POSITIVE_INFINITY }, "Invalid weightDecay value: Infinity"],
    [{ decoupledWeightDecay: "no" }, 'Invalid decoupledWeightDecay value: "no" (expected a boolean)'],
    [{ decoupled_weight_decay: true }, 'RAdam: unknown option "decoupled_weight_decay"'],
  ])("%j → %s", (options, message) => {
    expect(() => new RAdam([p()], options as never)).toThrow(message);
  });

  it("defaults are PyTorch's", () => {
    expect(new RAdam([p()]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      decoupledWeightDecay: false,
      maximize: false,
    });
  });
});

describeRuleContract("RAdam", (ps, o) => new RAdam(ps as never, o), [
  { lr: 0.01 },
  { lr: 0.01, weightDecay: 0.1, betas: [0.9, 0.6] },
  { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true },
]);

describeKernelBackends<RAdamHyperparameters>(
  "RAdam",
  [
    {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      decoupledWeightDecay: false,
      maximize: false,
    },
    { lr: 0.05, betas: [0.3, 0.9], eps: 1e-6, weightDecay: 0.1, decoupledWeightDecay: false, maximize: true },
    {
      lr: 0.01,
      betas: [0.95, 0.99],
      eps: 1e-3,
      weightDecay: 0.05,
      decoupledWeightDecay: true,
      maximize: false,
    },
  ],
  (k) => kernelArrays(2, k === 2),
  // Steps 4 to 9: the switch from un-rectified to rectified steps (β2 = 0.999: at t = 6).
  ([p, g, m, v], t, h) => {
    for (let s = 0; s < 2; s++) radamStep(p, g, m, v, 2 * t + s + 2, h);
  },
);

itAppliesTinyWeightDecay("radamStep", (p, g, m, v) => {
  const h = { lr: 0.01, betas: [0.9, 0.999] as [number, number], eps: 1e-8, maximize: false };
  radamStep(p, g, m, v, 1, { ...h, weightDecay: 1e-50, decoupledWeightDecay: false });
});

describe("torch.optim reference: the RAdam comparison detects small departures", () => {
  const cases = new Map(load("radam").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name);
    if (c === undefined) throw new Error(`no case ${name}`);
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  const departures: [string, Case, number][] = [
    ["eps off by 1e-6 (relative)", variant("radam/betas-eps", { eps: 1e-6 * (1 + 1e-6) }), FLOAT64_REL_TOL],
    ["beta2 off by 1e-9", variant("radam/defaults", { betas: [0.9, 0.999 + 1e-9] }), FLOAT64_REL_TOL],
    [
      "coupled instead of decoupled decay",
      variant("radam/decoupled-weight-decay", { decoupled_weight_decay: false }),
      FLOAT64_REL_TOL,
    ],
    [
      "float32: lr off by 1e-6 (relative)",
      variant("radam/float32-wd-small-beta1", { lr: 0.01 * (1 + 1e-6) }),
      FLOAT32_REL_TOL,
    ],
  ];
  for (const [what, c, tol] of departures) {
    it(`${what} (${c.name}) is detected`, () => {
      expect(run(c, make, NAMES, false).deviation).toBeGreaterThan(tol);
    });
  }
});

import { afterAll, describe, expect, it } from "vitest";
import { optimizerEntry } from "./catalog-values.js";
import { LARS, LARS_CATALOG_LR, type LARSHyperparameters, type LARSOptions, larsStep } from "./lars.js";
import { HAND_TOL, maxDeviation } from "./reference.testutil.js";
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
import { describeRuleContract } from "./rule-contract.testutil.js";

const make: Make = (groups, options) =>
  new LARS(groups as never, options as never) as unknown as AnyOptimizer;
/** The fixtures' names for LARS's own option (Optax's `trust_coefficient`); `trace` is momentum_buffer. */
const NAMES = { options: { trust_coefficient: "trustCoefficient" } };

const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("lars", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

/** Steps a LARS over gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1] from `p0`; θ after every step. */
function hand(options: LARSOptions, p0 = [1, -2]): number[][] {
  const p = { data: Float64Array.from(p0), grad: null as { data: Float64Array } | null };
  const opt = new LARS([p], options);
  return [
    [0.5, -1],
    [0.3, 0.2],
    [-0.4, 0.1],
  ].map((g) => {
    p.grad = { data: Float64Array.from(g) };
    opt.step();
    return [...p.data];
  });
}

describe("LARS hand-computed values (Python float64 of Optax's chain)", () => {
  const expectClose = (actual: number[][], expected: number[][]) =>
    expect(maxDeviation(actual, expected)).toBeLessThanOrEqual(HAND_TOL);

  it("lr 1: r = 0.001·‖θ‖/‖g‖ = 0.002, so the first step is −0.002·g; then momentum 0.9", () => {
    expectClose(hand({ lr: 1 }), [
      [0.999, -1.998],
      [0.9962413395021807, -1.9974391069985462],
      [0.9959239978214065, -1.9974756664890536],
    ]);
  });

  it("Nesterov, weight decay 0.1, η 0.01, ε 0.5, maximize, lr 10", () => {
    expectClose(
      hand({ lr: 10, nesterov: true, weightDecay: 0.1, trustCoefficient: 0.01, eps: 0.5, maximize: true }),
      [
        [1.1218716670091053, -2.2437433340182107],
        [1.2666803750965765, -2.1378483008212044],
        [1.129623381509773, -2.0088237252458874],
      ],
    );
  });

  it("a parameter at zero has ‖θ‖ = 0: r = 1, a full −lr·g step, then the ratio takes over", () => {
    expectClose(hand({ lr: 0.1 }, [0, 0]), [
      [-0.05, 0.1],
      [-0.0950093026050942, 0.18999379826327056],
      [-0.13549706669069267, 0.2709830646354675],
    ]);
  });

  it("reproduces Optax's documented example: lars(learning_rate=0.003) on Σx² stays at 1.40E+01", () => {
    // optax/_src/alias.py, lars's docstring (float32): 1.40E+01 five times.
    const x = { data: new Float32Array([1, 2, 3]), grad: null as { data: Float32Array } | null };
    const opt = new LARS([x], { lr: 0.003 });
    const printed: string[] = [];
    for (let t = 0; t < 5; t++) {
      x.grad = { data: x.data.map((v) => 2 * v) };
      opt.step();
      printed.push(x.data.reduce((s, v) => s + v * v, 0).toExponential(2));
    }
    expect(printed).toEqual(["1.40e+1", "1.40e+1", "1.40e+1", "1.40e+1", "1.40e+1"]);
    expect(x.data[0]).toBeLessThan(1);
  });
});

describe("larsStep", () => {
  const h: LARSHyperparameters = {
    lr: 1,
    momentum: 0.9,
    nesterov: false,
    weightDecay: 0,
    trustCoefficient: 0.001,
    eps: 0,
    maximize: false,
  };

  it("a zero gradient is a zero update (r = 1), but the momentum trace still moves the parameter", () => {
    for (const Arr of [Float64Array, Float32Array]) {
      const p = Arr.from([1, -2]);
      const b = Arr.from([0.5, 0.25]);
      larsStep(p, new Arr(2), b, h);
      const mu = Arr === Float64Array ? 0.9 : Math.fround(0.9);
      expect([...b]).toEqual([mu * 0.5, mu * 0.25]);
      expect([...p]).toEqual([...Arr.from([1 + b[0], -2 + b[1]])]);
    }
  });

  it("the momentum trace holds lr-scaled steps: changing lr does not rescale it", () => {
    const p = Float64Array.from([3, -4]);
    const b = new Float64Array(2);
    larsStep(p, Float64Array.from([0.5, -1]), b, { ...h, lr: 1 });
    const kept = [...b];
    larsStep(p, new Float64Array(2), b, { ...h, lr: 100 });
    expect([...b]).toEqual(kept.map((x) => 0.9 * x));
  });

  it("rejects arrays of the wrong length", () => {
    const a = () => new Float64Array(3);
    expect(() => larsStep(a(), a(), new Float64Array(2), h)).toThrow(
      "larsStep: momentum_buffer (trace) has 2 elements, but the parameter has 3",
    );
  });
});

describe("LARS validation, the required lr and the defaults", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{}, "LARS: the option lr is required"],
    [undefined, "LARS: the option lr is required"],
    [
      { momentum: 0.5 },
      "LARS: the option lr is required (LARS has no default learning rate, as in Optax's lars)",
    ],
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ lr: 1, momentum: -0.5 }, "Invalid momentum value: -0.5"],
    [{ lr: 1, nesterov: "no" }, 'Invalid nesterov value: "no" (expected a boolean)'],
    [
      { lr: 1, weightDecay: -0.1 },
      "Invalid weightDecay value: -0.1 (PyTorch: Invalid weight_decay value: -0.1)",
    ],
    [
      { lr: 1, trustCoefficient: -1 },
      "Invalid trustCoefficient value: -1 (PyTorch: Invalid trust_coefficient value: -1)",
    ],
    [{ lr: 1, eps: -1 }, "Invalid epsilon value: -1"],
    [
      { lr: 1, trust_coefficient: 0.01 },
      'LARS: unknown option "trust_coefficient" (did you mean trustCoefficient?)',
    ],
  ])("%j → %s", (options, message) => {
    expect(() => new LARS([p()], options as never)).toThrow(message);
  });

  it("defaults are Optax's, with the given lr", () => {
    expect(new LARS([p()], { lr: 0.5 }).defaults).toEqual({
      lr: 0.5,
      momentum: 0.9,
      nesterov: false,
      weightDecay: 0,
      trustCoefficient: 0.001,
      eps: 0,
      maximize: false,
    });
  });

  it("a param group without lr takes the constructor's", () => {
    const opt = new LARS([{ params: [p()] }, { params: [p()], lr: 2 }], { lr: 0.5 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.5, 2]);
  });

  it("the catalog builds it with lr 1 unless told otherwise", () => {
    expect(LARS_CATALOG_LR).toBe(1);
    const entry = optimizerEntry("lars");
    expect(entry.create([p()], {}).defaults.lr).toBe(1);
    expect(entry.create([p()], { lr: 3 }).defaults.lr).toBe(3);
  });
});

describe("LARS: which weight decay runs is decided on the float64 option, as Optax's `weight_decay == 0.0`", () => {
  // θ = [∞, 1]: without the term, r = ∞ and θ₁ goes to −∞; with it (0·∞ = NaN in float32, where
  // 1e-50 is 0), ‖u‖ is NaN and so is every element.
  const step = (weightDecay: number) => {
    const p = Float32Array.from([Number.POSITIVE_INFINITY, 1]);
    larsStep(p, Float32Array.from([0.5, 0.5]), new Float32Array(2), {
      lr: 1,
      momentum: 0.9,
      nesterov: false,
      weightDecay,
      trustCoefficient: 0.001,
      eps: 0,
      maximize: false,
    });
    return p[1];
  };
  it("weightDecay 0 skips the term; 1e-50 (0 in float32) runs it", () => {
    expect(step(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(step(1e-50)).toBeNaN();
  });
});

describeRuleContract(
  "LARS",
  (ps, o) => new LARS(ps as never, o as never),
  [{ lr: 1 }, { lr: 5, weightDecay: 0.1, nesterov: true, trustCoefficient: 0.01, eps: 1e-3 }],
  { lr: 0.5, momentum: 0.5, trustCoefficient: 0.02 },
);

describe("the LARS reference comparison detects small departures", () => {
  const cases = new Map(load("lars").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name);
    if (c === undefined) throw new Error(`no case ${name}`);
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  const departures: [string, Case, number][] = [
    [
      "trust coefficient off by 1e-9 (relative)",
      variant("lars/long", { trust_coefficient: 0.001 * (1 + 1e-9) }),
      FLOAT64_REL_TOL,
    ],
    ["eps off by 1e-6 (relative)", variant("lars/trust-eps", { eps: 1e-3 * (1 + 1e-6) }), FLOAT64_REL_TOL],
    ["plain momentum for Nesterov", variant("lars/nesterov", { nesterov: false }), FLOAT64_REL_TOL],
    [
      "float32: lr off by 1e-5 (relative)",
      variant("lars/float32-lr-only", { lr: 1 + 1e-5 }),
      FLOAT32_REL_TOL,
    ],
  ];
  for (const [what, c, tol] of departures) {
    it(`${what} (${c.name}) is detected`, () => {
      expect(run(c, make, NAMES, false).deviation).toBeGreaterThan(tol);
    });
  }
});

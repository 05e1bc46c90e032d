import { afterAll, describe, expect, it } from "vitest";
import { LAMB, type LAMBHyperparameters, type LAMBOptions, lambStep } from "./lamb.js";
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
  new LAMB(groups as never, options as never) as unknown as AnyOptimizer;

const summary: { name: string; deviation: number; where: string }[] = [];
// The fixtures name Optax's mu and nu exp_avg and exp_avg_sq.
describeReferenceCases("lamb", make, {}, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

/** Steps a LAMB over gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1] from `p0`; θ after every step. */
function hand(options: LAMBOptions, p0 = [1, -2]): number[][] {
  const p = { data: Float64Array.from(p0), grad: null as { data: Float64Array } | null };
  const opt = new LAMB([p], options);
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

describe("LAMB hand-computed values (Python float64 of Optax's chain)", () => {
  const expectClose = (actual: number[][], expected: number[][]) =>
    expect(maxDeviation(actual, expected)).toBeLessThanOrEqual(HAND_TOL);

  it("lr 0.1: the step's norm is 0.1·‖θ‖ (u ≈ sign(g) at step 1, r = ‖θ‖/‖u‖ = √5/√2)", () => {
    expectClose(hand({ lr: 0.1 }), [
      [0.8418861960484237, -1.841886037934778],
      [0.6632229615042632, -1.7465308384930178],
      [0.5509748356868363, -1.5971899368109561],
    ]);
  });

  it("weight decay 0.1 joins u before the trust ratio; maximize; eps 1e-3", () => {
    expectClose(hand({ lr: 0.1, weightDecay: 0.1, maximize: true, eps: 1e-3 }), [
      [1.167054175022195, -2.1486368144426335],
      [1.3976684694122785, -2.229899372248262],
      [1.5846447617002972, -2.4150996684943804],
    ]);
  });

  it("a parameter at zero has ‖θ‖ = 0: r = 1, a plain −lr·u step, then the ratio takes over", () => {
    expectClose(hand({ lr: 0.1 }, [0, 0]), [
      [-0.0999998000004, 0.0999999000001],
      [-0.11247615988716134, 0.10665871701046398],
      [-0.12178941015631163, 0.11904956258277974],
    ]);
  });

  it("reproduces Optax's documented example: lamb(learning_rate=0.003) on Σx², printed to 3 digits", () => {
    // optax/_src/alias.py, lamb's docstring (float32): 1.39E+01, 1.38E+01, 1.38E+01, 1.37E+01, 1.36E+01.
    const x = { data: new Float32Array([1, 2, 3]), grad: null as { data: Float32Array } | null };
    const opt = new LAMB([x], { lr: 0.003 });
    const printed: string[] = [];
    for (let t = 0; t < 5; t++) {
      x.grad = { data: x.data.map((v) => 2 * v) };
      opt.step();
      printed.push(x.data.reduce((s, v) => s + v * v, 0).toExponential(2));
    }
    expect(printed).toEqual(["1.39e+1", "1.38e+1", "1.38e+1", "1.37e+1", "1.36e+1"]);
  });
});

describe("lambStep", () => {
  const h: LAMBHyperparameters = { lr: 0.1, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0, maximize: false };

  it("a zero gradient without decay is a zero update (r = 1): the parameter stays", () => {
    for (const Arr of [Float64Array, Float32Array]) {
      const p = Arr.from([1, -2, 3]);
      lambStep(p, new Arr(3), new Arr(3), new Arr(3), 1, h);
      expect([...p]).toEqual([1, -2, 3]);
    }
  });

  it("a zero gradient with decay λ: u = λ·θ, so r = 1/λ and θ shrinks by lr·‖θ‖ in norm", () => {
    const p = Float64Array.from([3, -4]);
    lambStep(p, new Float64Array(2), new Float64Array(2), new Float64Array(2), 1, { ...h, weightDecay: 0.1 });
    // u = 0.1·θ, r = 5/0.5 = 10: θ ← θ − 0.1·(0.1·θ·10) = 0.9·θ (up to rounding).
    expect(maxDeviation([[...p]], [[2.7, -3.6]])).toBeLessThanOrEqual(HAND_TOL);
  });

  it("one trust ratio per parameter: scaling the gradient leaves the step unchanged", () => {
    const step = (scale: number) => {
      const p = Float64Array.from([1, -2, 0.5]);
      const a = () => new Float64Array(3);
      lambStep(p, Float64Array.from([0.5, -1, 0.25].map((g) => g * scale)), a(), a(), 1, { ...h, eps: 0 });
      return [...p];
    };
    expect(maxDeviation([step(1000)], [step(1)])).toBeLessThanOrEqual(HAND_TOL);
  });

  it("rejects arrays of the wrong length", () => {
    const a = () => new Float64Array(3);
    expect(() => lambStep(a(), a(), a(), new Float64Array(2), 1, h)).toThrow(
      "lambStep: exp_avg_sq (v) has 2 elements, but the parameter has 3",
    );
  });
});

describe("LAMB validation and defaults", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ eps: -1e-6 }, "Invalid epsilon value: -0.000001"],
    [{ betas: [1, 0.999] }, "Invalid beta parameter at index 0: 1"],
    [{ betas: [0.9, Number.NaN] }, "Invalid beta parameter at index 1: NaN"],
    [{ weightDecay: -0.1 }, "Invalid weightDecay value: -0.1 (PyTorch: Invalid weight_decay value: -0.1)"],
    [{ maximize: 0 }, "Invalid maximize value: 0 (expected a boolean)"],
    [{ weight_decay: 0.1 }, 'LAMB: unknown option "weight_decay" (did you mean weightDecay?)'],
    [{ trustCoefficient: 0.1 }, 'LAMB: unknown option "trustCoefficient"'],
  ])("%j → %s", (options, message) => {
    expect(() => new LAMB([p()], options as never)).toThrow(message);
  });

  it("defaults are Optax's (eps 1e-6, no decay), lr 1e-3", () => {
    expect(new LAMB([p()]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-6,
      weightDecay: 0,
      maximize: false,
    });
  });
});

describeRuleContract("LAMB", (ps, o) => new LAMB(ps as never, o), [
  { lr: 0.01 },
  { lr: 0.01, weightDecay: 0.1, betas: [0.5, 0.9], eps: 1e-3 },
]);

describe("LAMB: which weight decay runs is decided on the float64 option, as Optax's `weight_decay == 0.0`", () => {
  // θ = [∞, 1]: without the term, r = ∞ and θ₁ goes to −∞; with it (0·∞ = NaN in float32, where
  // 1e-50 is 0), ‖u‖ is NaN and so is every element.
  const step = (weightDecay: number) => {
    const p = Float32Array.from([Number.POSITIVE_INFINITY, 1]);
    const a = () => new Float32Array(2);
    lambStep(p, Float32Array.from([0.5, 0.5]), a(), a(), 1, {
      lr: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-6,
      weightDecay,
      maximize: false,
    });
    return p[1];
  };
  it("weightDecay 0 skips the term; 1e-50 (0 in float32) runs it", () => {
    expect(step(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(step(1e-50)).toBeNaN();
  });
});

describe("the LAMB reference comparison detects small departures", () => {
  const cases = new Map(load("lamb").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name);
    if (c === undefined) throw new Error(`no case ${name}`);
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  const departures: [string, Case, number][] = [
    ["eps off by 1e-6 (relative)", variant("lamb/betas-eps", { eps: 1e-4 * (1 + 1e-6) }), FLOAT64_REL_TOL],
    [
      "weight decay off by 1e-9 (relative)",
      variant("lamb/weight-decay", { weight_decay: 0.1 * (1 + 1e-9) }),
      FLOAT64_REL_TOL,
    ],
    ["β1 off by 1e-9", variant("lamb/long", { betas: [0.9 + 1e-9, 0.999] }), FLOAT64_REL_TOL],
    [
      "float32: lr off by 1e-5 (relative)",
      variant("lamb/float32-defaults", { lr: 1e-3 * (1 + 1e-5) }),
      FLOAT32_REL_TOL,
    ],
  ];
  for (const [what, c, tol] of departures) {
    it(`${what} (${c.name}) is detected`, () => {
      expect(run(c, make, {}, false).deviation).toBeGreaterThan(tol);
    });
  }
});

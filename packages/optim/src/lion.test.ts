import { afterAll, describe, expect, it } from "vitest";
import { Lion, type LionHyperparameters, type LionOptions, lionStep } from "./lion.js";
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
  new Lion(groups as never, options as never) as unknown as AnyOptimizer;
/** The fixtures name Lion's momentum (Optax's `mu`) `exp_avg`, as lion-pytorch does. */
const NAMES = {};

const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("lion", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

describe("Lion hand-computed values (Python float64 of Optax's update)", () => {
  // p₀ = [1, −2]; gradients [0.5, −1], [0.3, 0.2], [−0.4, 0.1].
  const hand = (options: LionOptions) => runHand((ps) => new Lion(ps, options));
  const expectClose = (actual: number[][], expected: number[][]) =>
    expect(maxDeviation(actual, expected)).toBeLessThanOrEqual(HAND_TOL);

  it("lr 0.1: every coordinate moves by exactly 0.1 against the sign of c = 0.1·g + 0.9·m", () => {
    // Step 2, coordinate 1: c = 0.1·0.2 + 0.9·(−0.01) = 0.011 > 0; step 3: c = 0.01 + 0.9·(−0.0079) > 0.
    expectClose(hand({ lr: 0.1 }), [
      [0.9, -1.9],
      [0.8, -2.0],
      [0.9, -2.1],
    ]);
  });

  it("weight decay 0.5 is scaled by lr: θ ← θ − 0.1·(sign(c) + 0.5·θ)", () => {
    expectClose(hand({ lr: 0.1, weightDecay: 0.5 }), [
      [0.85, -1.8],
      [0.7075, -1.81],
      [0.7721250000000001, -1.8195000000000001],
    ]);
  });

  it("β1 = 0 steps by sign(g); maximize flips it", () => {
    expectClose(hand({ lr: 0.1, betas: [0, 0.5], maximize: true }), [
      [1.1, -2.1],
      [1.2000000000000002, -2.0],
      [1.1, -1.9],
    ]);
  });

  it("reproduces Optax's documented example: lion(learning_rate=0.003) on Σx², printed to 3 digits", () => {
    // optax/_src/alias.py, lion's docstring (weight_decay 1e-3, float32): 1.40E+01, 1.39E+01,
    // 1.39E+01, 1.39E+01, 1.38E+01.
    const x = { data: new Float32Array([1, 2, 3]), grad: null as { data: Float32Array } | null };
    const opt = new Lion([x], { lr: 0.003, weightDecay: 1e-3 });
    const printed: string[] = [];
    for (let t = 0; t < 5; t++) {
      x.grad = { data: x.data.map((v) => 2 * v) };
      opt.step();
      printed.push(x.data.reduce((s, v) => s + v * v, 0).toExponential(2));
    }
    expect(printed).toEqual(["1.40e+1", "1.39e+1", "1.39e+1", "1.39e+1", "1.38e+1"]);
  });
});

describe("lionStep", () => {
  const h: LionHyperparameters = { lr: 0.5, betas: [0.9, 0.99], weightDecay: 0, maximize: false };

  it("sign(0) is 0: a zero gradient into a zero momentum leaves the coordinate where it is", () => {
    for (const Arr of [Float64Array, Float32Array]) {
      const p = Arr.from([1, -2, 3]);
      const m = new Arr(3);
      lionStep(p, Arr.from([0, 0.25, -0]), m, h);
      expect([...p]).toEqual([1, -2.5, 3]);
      expect(Object.is(m[2], 0)).toBe(true); // 0.01·(−0) + 0.99·0 = +0
    }
  });

  it("a NaN gradient gives a NaN step (jnp.sign(NaN) is NaN)", () => {
    const p = Float64Array.from([1, 2]);
    lionStep(p, Float64Array.from([Number.NaN, 1]), new Float64Array(2), h);
    expect(p[0]).toBeNaN();
    expect(p[1]).toBe(1.5);
  });

  it("rejects arrays of the wrong length", () => {
    const a = () => new Float64Array(3);
    expect(() => lionStep(a(), a(), new Float64Array(2), h)).toThrow(
      "lionStep: exp_avg (m) has 2 elements, but the parameter has 3",
    );
  });
});

describe("Lion validation and defaults", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ lr: Number.NaN }, "Invalid learning rate: NaN"],
    [{ betas: [1, 0.99] }, "Invalid beta parameter at index 0: 1"],
    [{ betas: [0.9, -0.5] }, "Invalid beta parameter at index 1: -0.5"],
    [{ betas: [0.9] }, "Invalid betas value: [0.9] (expected a pair [beta1, beta2])"],
    [{ weightDecay: -0.1 }, "Invalid weightDecay value: -0.1 (PyTorch: Invalid weight_decay value: -0.1)"],
    [{ maximize: "yes" }, 'Invalid maximize value: "yes" (expected a boolean)'],
    [{ weight_decay: 0.1 }, 'Lion: unknown option "weight_decay" (did you mean weightDecay?)'],
    [{ eps: 1e-8 }, 'Lion: unknown option "eps"'],
  ])("%j → %s", (options, message) => {
    expect(() => new Lion([p()], options as never)).toThrow(message);
  });

  it("defaults are lr 1e-4, betas [0.9, 0.99], weightDecay 0", () => {
    expect(new Lion([p()]).defaults).toEqual({
      lr: 1e-4,
      betas: [0.9, 0.99],
      weightDecay: 0,
      maximize: false,
    });
  });

  it("keeps one buffer, the momentum", () => {
    const w = { data: new Float64Array([1]), grad: { data: new Float64Array([0.5]) } };
    const opt = new Lion([w]);
    opt.step();
    expect(Object.keys(opt.stateDict().state["0"]).sort()).toEqual(["expAvg", "step"]);
  });
});

describeRuleContract(
  "Lion",
  (ps, o) => new Lion(ps as never, o),
  [{ lr: 0.01 }, { lr: 0.01, weightDecay: 0.1, betas: [0.5, 0.9] }],
  { lr: 0.004, betas: [0.5, 0.95], weightDecay: 0.3 },
);

describeKernelBackends<LionHyperparameters>(
  "Lion",
  [
    { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0, maximize: false },
    { lr: 0.05, betas: [0.3, 0.9], weightDecay: 0.1, maximize: true },
    { lr: 0.01, betas: [0, 0], weightDecay: 1, maximize: false },
  ],
  (k) => kernelArrays(1, k === 1),
  ([p, g, m], _t, h) => {
    lionStep(p, g, m, h);
  },
);

itAppliesTinyWeightDecay("lionStep", (p, g, m) => {
  lionStep(p, g, m, { lr: 0.01, betas: [0.9, 0.99], weightDecay: 1e-50, maximize: false });
});

describe("the Lion reference comparison detects small departures", () => {
  const cases = new Map(load("lion").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name);
    if (c === undefined) throw new Error(`no case ${name}`);
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  const departures: [string, Case, number][] = [
    ["lr off by 1e-9 (relative)", variant("lion/long", { lr: 0.001 * (1 + 1e-9) }), FLOAT64_REL_TOL],
    [
      "weight decay off by 1e-9 (relative)",
      variant("lion/weight-decay", { weight_decay: 0.1 * (1 + 1e-9) }),
      FLOAT64_REL_TOL,
    ],
    [
      "float32: lr off by 1e-5 (relative)",
      variant("lion/float32-maximize-wd", { lr: 0.002 * (1 + 1e-5) }),
      FLOAT32_REL_TOL,
    ],
    ["β2 swapped for β1", variant("lion/lr-betas", { betas: [0.98, 0.95] }), FLOAT64_REL_TOL],
  ];
  for (const [what, c, tol] of departures) {
    it(`${what} (${c.name}) is detected`, () => {
      expect(run(c, make, NAMES, false).deviation).toBeGreaterThan(tol);
    });
  }
});

import { afterAll, describe, expect, it } from "vitest";
import {
  Adafactor,
  type AdafactorHyperparameters,
  type AdafactorOptions,
  adafactorBufferLengths,
  adafactorStep,
  machineEpsilon,
} from "./adafactor.js";
import type { Param } from "./param.js";
import { type AnyOptimizer, describeReferenceCases, type Make } from "./reference-fixtures.testutil.js";
import { describeRuleContract } from "./rule-contract.testutil.js";
import type { OptimizerStateDict } from "./state-dict.js";

const make: Make = (groups, options) =>
  new Adafactor(groups as never, options as never) as unknown as AnyOptimizer;
/** torch.optim's names for Adafactor's own options and state. */
const NAMES = {
  options: { beta2_decay: "beta2Decay", d: "d" },
  state: { row_var: "rowVar", col_var: "colVar", variance: "variance" },
};

const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("adafactor", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

describeRuleContract(
  "Adafactor",
  (params, options) => new Adafactor(params as never, options),
  [{ lr: 0.05 }, { lr: 0.2, weightDecay: 0.1, beta2Decay: -0.5, d: 1.1, eps: [1e-3, 0.01] }],
  { lr: 0.004, beta2Decay: -0.6, eps: [null, 1e-2] },
  [[2, 3], [2, 2, 2], [3]],
);

function expectClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1);
    expect(d, `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

/** Hand values: Python float64 of PyTorch's algorithm box with NumPy's means (other roundings). */
const HAND_TOL = 1e-13;

describe("Adafactor hand-computed values (NumPy float64 of PyTorch's algorithm box)", () => {
  // W = [[0.5, −1, 2], [0.3, 1.5, −0.7]] (factored), b = [0.1, −0.2] (unfactored); three steps.
  const GRADS = [
    [
      [0.1, 0.2, -0.3, 0.4, -0.5, 0.6],
      [1, -1],
    ],
    [
      [-0.2, 0.1, 0.05, 0.3, 0.3, -0.1],
      [0.5, 2],
    ],
    [
      [0.7, -0.1, 0.2, -0.4, 0.2, 0.9],
      [-0.3, 0.1],
    ],
  ];
  const run = (options: AdafactorOptions): number[][][] => {
    const w: Param = { data: Float64Array.from([0.5, -1, 2, 0.3, 1.5, -0.7]), grad: null, shape: [2, 3] };
    const b: Param = { data: Float64Array.from([0.1, -0.2]), grad: null, shape: [2] };
    const opt = new Adafactor([w, b], options);
    return GRADS.map(([gw, gb]) => {
      w.grad = { data: Float64Array.from(gw) };
      b.grad = { data: Float64Array.from(gb) };
      opt.step();
      return [[...w.data], [...b.data]];
    });
  };
  const check = (options: AdafactorOptions, expected: number[][][]) => {
    run(options).forEach((step, t) => {
      step.forEach((p, i) => {
        expectClose(p, expected[t][i], HAND_TOL);
      });
    });
  };

  it("defaults: each step moves by min(lr, 1/√t)·RMS(θ) in the update's direction", () => {
    check({}, [
      [
        [
          0.4928243330568907, -1.0109879767102006, 2.0132312760785447, 0.2877611413391986, 1.5117132225295675,
          -0.7112836701529782,
        ],
        [0.09841886116991581, -0.19841886116991583],
      ],
      [
        [
          0.5075881968890678, -1.017643458447376, 2.0100564939424688, 0.277723879464347, 1.5026637197898136,
          -0.7084058219096708,
        ],
        [0.09738096122635034, -0.2003170300769562],
      ],
      [
        [
          0.4866376953215229, -1.0126240274813048, 2.004843120602913, 0.2853897444585371, 1.4962355213987983,
          -0.7234281115405377,
        ],
        [0.0981574773740965, -0.2004416790874948],
      ],
    ]);
  });

  it("lr 0.5 (ρ = 0.5, then 1/√t) and decoupled weight decay 0.1", () => {
    check({ lr: 0.5, weightDecay: 0.1 }, [
      [
        [
          0.11621665284453558, -1.4993988355100236, 2.56156380392723, -0.32694293304006933, 2.010661126478376,
          -1.2291835076489122,
        ],
        [0.015943058495790516, -0.11094305849579052],
      ],
      [
        [
          1.0919616412890698, -1.8669097317806775, 2.2224144522943914, -0.977909772281147, 1.3084839346411679,
          -0.9763944251681483,
        ],
        [-0.011115430095315454, -0.15342409087748488],
      ],
      [
        [
          -0.29603751805348777, -1.4541010268097736, 1.7794869896450813, -0.44111796249469654,
          0.8339350860766545, -1.883672920098124,
        ],
        [0.016254637052125574, -0.15005720818171417],
      ],
    ]);
  });

  it("maximize, τ = −0.5, ε = [1e-3, 0.5] (ε2 above the bias's RMS), d = 1.2", () => {
    check({ lr: 0.1, beta2Decay: -0.5, eps: [1e-3, 0.5], d: 1.2, maximize: true }, [
      [
        [
          0.5717566694310929, -0.8901202328979952, 1.867687239214554, 0.42238858660801387, 1.3828677747043248,
          -0.5871632984702175,
        ],
        [0.15000000000000002, -0.25],
      ],
      [
        [
          0.43546802874183094, -0.8250976029275886, 1.9018893616813095, 0.5176412259701624, 1.473756891972299,
          -0.6190352864340937,
        ],
        [0.1864790599360416, -0.1933981236161697],
      ],
      [
        [
          0.6427725936197514, -0.8885978487799879, 1.954565754791691, 0.43651940865667593, 1.5607274500616333,
          -0.45670655365120516,
        ],
        [0.15650706389581914, -0.1890543990669492],
      ],
    ]);
  });

  it("a rank-3 parameter keeps one factor pair per leading index", () => {
    const t: Param = {
      data: Float64Array.from({ length: 12 }, (_, i) => i / 7 - 0.8),
      grad: null,
      shape: [2, 2, 3],
    };
    const opt = new Adafactor([t], { lr: 0.1 });
    const expected = [
      [
        -0.8, -0.7291364666533986, -0.4897687104412516, -0.30896292853646623, -0.2564293507333952,
        -0.1452075267703468, 0.11286555310133185, 0.2346410186185469, 0.27974603846711094,
        0.44756564251500836, 0.693639729469447, 0.7846468496483482,
      ],
      [
        -0.8646244002357706, -0.7557766496858582, -0.4181196328007937, -0.2942431187266077,
        -0.32191948540827986, -0.13925396978847998, 0.1766006389502247, 0.2126189637766731,
        0.22427403104640412, 0.4898470696475145, 0.7524252955155455, 0.7304116415180533,
      ],
      [
        -0.9274566491427814, -0.717930004770807, -0.36533543019710646, -0.3464285185886201,
        -0.3652050895288201, -0.07700207175243239, 0.20179897015346723, 0.140616386992085,
        0.21662261631182564, 0.5581603902784933, 0.7416406296253728, 0.6641144977249422,
      ],
    ];
    for (let k = 0; k < 3; k++) {
      t.grad = { data: Float64Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.7 + k)) };
      opt.step();
      expectClose([...t.data], expected[k], HAND_TOL);
    }
    const state = opt.state.get(t);
    expect(state?.rowVar?.length).toBe(4);
    expect(state?.colVar?.length).toBe(6);
    expect(state?.variance).toBeUndefined();
  });
});

describe("Adafactor state", () => {
  it("buffer lengths: rank ≥ 2 keeps leading·rows and leading·cols values; rank 0 and 1 one per element", () => {
    expect(adafactorBufferLengths([4, 5])).toEqual({ rowVar: 4, colVar: 5 });
    expect(adafactorBufferLengths([2, 3, 4])).toEqual({ rowVar: 6, colVar: 8 });
    expect(adafactorBufferLengths([7])).toEqual({ variance: 7 });
    expect(adafactorBufferLengths([])).toEqual({ variance: 1 });
    expect(adafactorBufferLengths([3, 0])).toEqual({ rowVar: 3, colVar: 0 });
  });

  const shaped = (): Param[] => [
    {
      data: Float64Array.from([1, 2, 3, 4, 5, 6]),
      grad: { data: Float64Array.from([1, -1, 2, 0.5, 0, 1]) },
      shape: [2, 3],
    },
    { data: Float64Array.from([1, -1]), grad: { data: Float64Array.from([0.1, 0.2]) }, shape: [2] },
  ];

  it("a saved state loads back only onto parameters of the same shapes", () => {
    const opt = new Adafactor(shaped());
    opt.step();
    const saved = JSON.parse(JSON.stringify(opt.stateDict())) as OptimizerStateDict;
    expect(Object.keys(saved.state["0"]).sort()).toEqual(["colVar", "rowVar", "step"]);
    expect(Object.keys(saved.state["1"]).sort()).toEqual(["step", "variance"]);
    const other = shaped();
    new Adafactor(other).loadStateDict(saved);
    const [matrix, vector] = shaped();
    const transposed = [{ ...matrix, shape: [3, 2] }, vector];
    expect(() => new Adafactor(transposed).loadStateDict(saved)).toThrow(
      "Adafactor.loadStateDict: state of parameter 0 (param group 0): rowVar has 2 values, expected 3 for this parameter's shape",
    );
    const swapped = JSON.parse(JSON.stringify(saved)) as OptimizerStateDict;
    swapped.state["1"].rowVar = swapped.state["0"].rowVar;
    expect(() => new Adafactor(shaped()).loadStateDict(swapped)).toThrow(
      'state of parameter 1 (param group 0) has an unknown buffer "rowVar"',
    );
    const missing = JSON.parse(JSON.stringify(saved)) as OptimizerStateDict;
    delete missing.state["0"].colVar;
    expect(() => new Adafactor(shaped()).loadStateDict(missing)).toThrow(
      "state of parameter 0 (param group 0) has no colVar",
    );
    const negative = JSON.parse(JSON.stringify(saved)) as OptimizerStateDict;
    negative.state["1"].variance = { dtype: "float64", values: [0.1, -1] };
    expect(() => new Adafactor(shaped()).loadStateDict(negative)).toThrow("variance must not be negative");
  });
});

describe("eps1: null is the machine epsilon of the group's first parameter with a gradient (PyTorch's loop)", () => {
  it("float64 2⁻⁵², float32 2⁻²³", () => {
    expect(machineEpsilon(new Float64Array(1))).toBe(2.220446049250313e-16);
    expect(machineEpsilon(new Float32Array(1))).toBe(1.1920928955078125e-7);
  });

  it("a float64 vector after a float32 one in the same group is floored at float32's ε²", () => {
    // A gradient element of 1e-10 (v = g² = 1e-20 at the first step): below float32's ε1² = 1.4e-14,
    // above float64's 4.9e-32, so the floor decides its update U = g/√max(v, ε1²).
    const run = (first: "float32" | "float64") => {
      const lead: Param =
        first === "float32"
          ? { data: Float32Array.from([1]), grad: { data: Float32Array.from([1]) }, shape: [1] }
          : { data: Float64Array.from([1]), grad: { data: Float64Array.from([1]) }, shape: [1] };
      const p: Param = {
        data: Float64Array.from([1, 1]),
        grad: { data: Float64Array.from([1e-10, 1]) },
        shape: [2],
      };
      new Adafactor([lead, p], { lr: 0.1 }).step();
      return p.data[0];
    };
    // α = max(ε2, RMS(θ) = 1)·min(0.1, 1) = 0.1 and RMS(U) ≤ 1 (no clipping): θ₀ moves by 0.1·U₀.
    // ε1 = 2⁻²³ (the float32 parameter came first): U₀ = 1e-10/2⁻²³ = 8.388608e-4.
    expect(1 - run("float32")).toBeCloseTo(0.1 * 1e-10 * 2 ** 23, 15);
    // ε1 = 2⁻⁵²: U₀ = 1e-10/√1e-20 = 1.
    expect(1 - run("float64")).toBeCloseTo(0.1, 15);
  });
});

describe("adafactorStep", () => {
  const h: AdafactorHyperparameters = {
    lr: 0.01,
    beta2Decay: -0.8,
    eps: [null, 1e-3],
    d: 1,
    weightDecay: 0,
    maximize: false,
  };

  it("checks the shape, the gradient and the buffers against the parameter", () => {
    const p = new Float64Array(6);
    const g = new Float64Array(6);
    expect(() =>
      adafactorStep(p, g, { rowVar: new Float64Array(2), colVar: new Float64Array(3) }, [3, 3], 1, h, 1e-16),
    ).toThrow("adafactorStep: shape [3, 3] has 9 elements, but the parameter has 6");
    expect(() => adafactorStep(p, g, { variance: new Float64Array(6) }, [2, 3], 1, h, 1e-16)).toThrow(
      "needs rowVar and colVar",
    );
    expect(() =>
      adafactorStep(p, g, { rowVar: new Float64Array(3), colVar: new Float64Array(3) }, [2, 3], 1, h, 1e-16),
    ).toThrow("rowVar has 3 elements, but the parameter has 2");
    expect(() =>
      adafactorStep(p, new Float64Array(5), { variance: new Float64Array(6) }, [6], 1, h, 1e-16),
    ).toThrow("grad has 5 elements");
  });

  it("an all-zero gradient leaves the parameter where it is (no NaN from 0·rsqrt(ε1²))", () => {
    const p = Float64Array.from([1, 2, 3, 4]);
    adafactorStep(
      p,
      new Float64Array(4),
      { rowVar: new Float64Array(2), colVar: new Float64Array(2) },
      [2, 2],
      1,
      h,
      machineEpsilon(p),
    );
    expect([...p]).toEqual([1, 2, 3, 4]);
  });

  it("the first step takes G² whole (weight 1^τ = 1): the row and column means of G², as PyTorch computes them", () => {
    const rowVar = new Float64Array(2);
    const colVar = new Float64Array(3);
    adafactorStep(
      new Float64Array(6).fill(1),
      Float64Array.from([1, 2, 2, 0, 3, 4]),
      { rowVar, colVar },
      [2, 3],
      1,
      h,
      1e-16,
    );
    expect([...rowVar]).toEqual([3, 25 / 3]);
    // `vector_norm(...).square_()`: (√13)² = 12.999999999999998 and (√20)² = 20.000000000000004 in float64.
    expect([...colVar]).toEqual([0.5, 12.999999999999998 / 2, 20.000000000000004 / 2]);
  });
});

describe("Adafactor parameters and options", () => {
  const p = () => [{ data: new Float64Array(4), grad: null, shape: [2, 2] }];

  it("a parameter without a shape is an error naming the rule and the parameter", () => {
    expect(() => new Adafactor([...p(), { data: new Float64Array(3), grad: null }])).toThrow(
      "Adafactor needs the shape of each parameter, but parameter 1 of param group 0 has none",
    );
  });

  it("defaults are PyTorch's", () => {
    expect(new Adafactor(p()).defaults).toEqual({
      lr: 1e-2,
      beta2Decay: -0.8,
      eps: [null, 1e-3],
      d: 1,
      weightDecay: 0,
      maximize: false,
    });
  });

  it.each([
    [{ lr: -1 }, "Learning rate should be >= 0 but is: -1"],
    [{ lr: Number.POSITIVE_INFINITY }, "Learning rate should be >= 0 but is: Infinity"],
    [
      { beta2Decay: 0.5 },
      "beta2Decay should be <= 0 but is: 0.5 (PyTorch: beta2_decay should be <= 0 but is: 0.5)",
    ],
    [{ beta2Decay: Number.NEGATIVE_INFINITY }, "beta2Decay should be <= 0 but is: -Infinity"],
    [{ eps: 1e-3 }, "Invalid eps value: 0.001 (expected a pair [eps1 or null, eps2])"],
    [{ eps: [-1, 1e-3] }, "epsilon1 should be >= 0 but is: -1 (eps[0]; null for the dtype's epsilon)"],
    [{ eps: [undefined, 1e-3] }, "epsilon1 should be >= 0 but is: undefined"],
    [{ eps: [null, -1] }, "epsilon2 should be >= 0 but is: -1 (eps[1])"],
    [{ d: 0.5 }, "Clipping threshold d should be >= 1 but is: 0.5"],
    [{ d: Number.NaN }, "Clipping threshold d should be >= 1 but is: NaN"],
    [
      { weightDecay: -0.1 },
      "weightDecay should be >= 0 but is: -0.1 (PyTorch: weight_decay should be >= 0 but is: -0.1)",
    ],
    [{ maximize: 0 }, "Invalid maximize value: 0 (expected a boolean)"],
    [{ beta2_decay: -0.5 }, 'Adafactor: unknown option "beta2_decay"'],
  ])("%o → %s", (options, message) => {
    expect(() => new Adafactor(p(), options as never)).toThrow(message);
  });
});

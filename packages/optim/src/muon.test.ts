import { afterAll, describe, expect, it } from "vitest";
import { AdamW } from "./adamw.js";
import { Muon, type MuonHyperparameters, muonAdjustedLr, muonStep } from "./muon.js";
import type { Param } from "./param.js";
import { type AnyOptimizer, describeReferenceCases, type Make } from "./reference-fixtures.testutil.js";
import { describeRuleContract } from "./rule-contract.testutil.js";

const make: Make = (groups, options) =>
  new Muon(groups as never, options as never) as unknown as AnyOptimizer;
/** torch.optim's names for Muon's own options (its state, momentum_buffer, is shared). */
const NAMES = {
  options: { ns_coefficients: "nsCoefficients", ns_steps: "nsSteps", adjust_lr_fn: "adjustLr" },
};

const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("muon", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

describeRuleContract(
  "Muon",
  (params, options) => new Muon(params as never, options),
  [{ lr: 0.02 }, { lr: 0.02, nesterov: false, weightDecay: 0.3, adjustLr: "match_rms_adamw", nsSteps: 3 }],
  { lr: 0.004, momentum: 0.5, nsSteps: 2 },
  [
    [2, 3],
    [4, 2],
    [1, 5],
  ],
);

/** Close to `expected` within `tol`, relative to max(|expected|, 1). */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1);
    expect(d, `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

/** Hand values: Python float64 with NumPy's own `@` and `np.linalg.norm` (another summation order). */
const HAND_TOL = 1e-13;

describe("Muon hand-computed values (NumPy float64, PyTorch's algorithm: the old B = b·A + c·A@A form)", () => {
  // p₀ = [[1, −2, 0.5], [0.3, 0.8, −1.1]]; three gradients; momentum 0.95; 5 steps of (3.4445, −4.775, 2.0315).
  const P0 = [1, -2, 0.5, 0.3, 0.8, -1.1];
  const GRADS = [
    [0.5, -1, 0.2, 0.1, 0.4, -0.3],
    [0.3, 0.2, -0.1, -0.6, 0.05, 0.7],
    [-0.4, 0.1, 0.9, 0.2, -0.3, 0.1],
  ];
  const run = (options: Partial<MuonHyperparameters>, transpose = false): number[][] => {
    const t = (x: number[]) => (transpose ? [x[0], x[3], x[1], x[4], x[2], x[5]] : x);
    const p: Param = { data: Float64Array.from(t(P0)), grad: null, shape: transpose ? [3, 2] : [2, 3] };
    const opt = new Muon([p], options);
    return GRADS.map((g) => {
      p.grad = { data: Float64Array.from(t(g)) };
      opt.step();
      return [...p.data];
    });
  };

  it("lr 0.1 (defaults otherwise: Nesterov, weight decay 0.1, lr scale √max(1, 2/3) = 1)", () => {
    const expected = [
      [
        0.9450443988745425, -1.9201182689682572, 0.4940344599073479, 0.25141198761430766, 0.7597953065530915,
        -1.0373194646305774,
      ],
      [
        0.8643709405107121, -1.8614511935739313, 0.429484128916989, 0.27334467203786283, 0.7458865191986457,
        -1.1098863002795745,
      ],
      [
        0.8368585548823742, -1.8496540075875225, 0.35352626642500606, 0.34116332839042124, 0.8197863366048234,
        -1.095161985997546,
      ],
    ];
    run({ lr: 0.1 }).forEach((p, t) => {
      expectClose(p, expected[t], HAND_TOL);
    });
  });

  it("without Nesterov and weight decay", () => {
    const expected = [
      [
        0.9550443988745425, -1.9401182689682572, 0.4990344599073479, 0.2544119876143076, 0.7677953065530914,
        -1.0483194646305773,
      ],
      [
        0.9080044158321754, -1.888905133472848, 0.44766259954908366, 0.2822910081329071, 0.7527897895316441,
        -1.1416845870445587,
      ],
      [
        0.8740861666015651, -1.8424279771987129, 0.39840703038480885, 0.3512443277488484, 0.707647987798309,
        -1.2032249936036292,
      ],
    ];
    run({ lr: 0.1, nesterov: false, weightDecay: 0 }).forEach((p, t) => {
      expectClose(p, expected[t], HAND_TOL);
    });
  });

  it('adjustLr "match_rms_adamw": the step is 0.2·√3·lr', () => {
    const expected = [
      [
        0.9744269229531815, -1.9592563598815695, 0.49466552710055633, 0.2812078492663803, 0.7808439669415548,
        -1.07109733739556,
      ],
      [
        0.9400102778104784, -1.925992410016653, 0.4690693668159116, 0.28686439219967064, 0.7708493901468295,
        -1.0891176333121575,
      ],
      [
        0.9240738738543331, -1.909094076899686, 0.43955387439832094, 0.3084357136983066, 0.7913243706247393,
        -1.0769705638158364,
      ],
    ];
    run({ lr: 0.1, adjustLr: "match_rms_adamw" }).forEach((p, t) => {
      expectClose(p, expected[t], HAND_TOL);
    });
  });

  it("a tall 3×2 matrix is orthogonalized through its transpose and steps √(3/2)·lr", () => {
    const expected = [
      [
        0.93494085808127, 0.24116631563368707, -1.9066601570288224, 0.7525574668661604, 0.4938174597234014,
        -1.025704529355528,
      ],
      [
        0.8383614279195225, 0.2686957506653195, -1.8392579057736314, 0.737302730267948, 0.4158722600097182,
        -1.1170278607992077,
      ],
      [
        0.806868499205977, 0.35241711956313665, -1.8292148117089422, 0.8295733322205461, 0.3239446197230491,
        -1.1014173293304954,
      ],
    ];
    run({ lr: 0.1 }, true).forEach((p, t) => {
      expectClose(p, expected[t], HAND_TOL);
    });
  });
});

describe("muonAdjustedLr (PyTorch's _adjust_lr)", () => {
  it('"original" (and null, PyTorch\'s None): lr·√max(1, rows/cols)', () => {
    expect(muonAdjustedLr(0.01, "original", 8, 2)).toBe(0.01 * 2);
    expect(muonAdjustedLr(0.01, null, 8, 2)).toBe(0.01 * 2);
    expect(muonAdjustedLr(0.01, "original", 2, 8)).toBe(0.01);
    expect(muonAdjustedLr(0.01, "original", 6, 3)).toBe(0.01 * Math.SQRT2);
  });
  it('"match_rms_adamw": lr·0.2·√max(rows, cols), whichever way round', () => {
    expect(muonAdjustedLr(0.01, "match_rms_adamw", 4, 16)).toBe(0.01 * (0.2 * 4));
    expect(muonAdjustedLr(0.01, "match_rms_adamw", 16, 4)).toBe(0.01 * (0.2 * 4));
  });
});

describe("muonStep", () => {
  const h: MuonHyperparameters = {
    lr: 0.02,
    weightDecay: 0.1,
    momentum: 0.95,
    nesterov: true,
    nsCoefficients: [3.4445, -4.775, 2.0315],
    eps: 1e-7,
    nsSteps: 5,
    adjustLr: "original",
    maximize: false,
  };

  it("checks the matrix shape and the buffers' lengths", () => {
    const p = new Float64Array(6);
    expect(() => muonStep(p, new Float64Array(6), new Float64Array(6), 4, 2, h)).toThrow(
      "muonStep: a 4×2 matrix has 8 elements, but the parameter has 6",
    );
    expect(() => muonStep(p, new Float64Array(5), new Float64Array(6), 2, 3, h)).toThrow(
      "grad has 5 elements",
    );
    expect(() => muonStep(p, new Float64Array(6), new Float64Array(7), 2, 3, h)).toThrow(
      "momentum_buffer has 7 elements",
    );
  });

  it("momentum 0 and an all-zero gradient: no movement but the decay, and no NaN", () => {
    const p = Float64Array.from([1, -2, 3, 0.5]);
    muonStep(p, new Float64Array(4), new Float64Array(4), 2, 2, { ...h, momentum: 0 });
    expect([...p]).toEqual([1, -2, 3, 0.5].map((x) => x * (1 - 0.02 * 0.1)));
  });

  it("without Nesterov the momentum buffer is orthogonalized but not changed by it", () => {
    const buf = new Float64Array(4);
    const p = new Float64Array(4);
    muonStep(p, Float64Array.from([1, 2, 3, 4]), buf, 2, 2, { ...h, nesterov: false, momentum: 0.5 });
    expect([...buf]).toEqual([0.5, 1, 1.5, 2]);
  });

  it("a float32 matrix with a float64 gradient is updated in float64 and rounded when stored", () => {
    const p32 = Float32Array.from([1, -2, 3, 0.5]);
    const p64 = Float64Array.from(p32);
    const g = Float64Array.from([0.3, -0.1, 0.7, 0.2]);
    muonStep(p32, g, new Float32Array(4), 2, 2, h);
    muonStep(p64, g, new Float64Array(4), 2, 2, h);
    expect([...p32]).toEqual([...p64].map(Math.fround));
  });
});

describe("Muon parameters: a 2-D shape is required", () => {
  const grad = { data: new Float64Array(6) };
  it("a parameter without a shape is an error naming the rule and the parameter", () => {
    const ok = { data: new Float64Array(6), grad, shape: [2, 3] };
    expect(() => new Muon([ok, { data: new Float64Array(3), grad: null }])).toThrow(
      "Muon needs the shape of each parameter, but parameter 1 of param group 0 has none: give it a shape ({ data, grad, shape: [rows, cols] }) or pass a tensor, which has one",
    );
  });

  it("a vector (or any non-matrix) is refused, as PyTorch refuses it, pointing to another rule", () => {
    expect(() => new Muon([{ data: new Float64Array(3), grad: null, shape: [3] }])).toThrow(
      "Muon only supports 2D parameters whereas we found a parameter with size: [3] (parameter 0 of param group 0); optimize vectors, biases, embeddings and other non-matrix parameters with another rule, such as AdamW, in a second optimizer",
    );
    expect(() => new Muon([{ data: new Float64Array(8), grad: null, shape: [2, 2, 2] }])).toThrow(
      "found a parameter with size: [2, 2, 2]",
    );
    expect(() => new Muon([{ data: new Float64Array(1), grad: null, shape: [] }])).toThrow("with size: []");
  });

  it("a shape that does not match the data, or is not a list of sizes, is an error", () => {
    expect(() => new Muon([{ data: new Float64Array(5), grad: null, shape: [2, 3] }])).toThrow(
      "Muon: the shape [2, 3] of parameter 0 of param group 0 has 6 elements, but its data has 5",
    );
    expect(() => new Muon([{ data: new Float64Array(6), grad: null, shape: [2, 3.5] }])).toThrow(
      "must be an array of non-negative integers, got [2, 3.5]",
    );
  });

  it("addParamGroup refuses a vector and leaves the optimizer as it was", () => {
    const opt = new Muon([{ data: new Float64Array(4), grad: null, shape: [2, 2] }]);
    expect(() =>
      opt.addParamGroup({ params: [{ data: new Float64Array(2), grad: null, shape: [2] }] }),
    ).toThrow("parameter 0 of param group 1");
    expect(opt.paramGroups.length).toBe(1);
  });

  it("the usual pairing: Muon for the hidden matrix, AdamW for the bias, stepped together", () => {
    const w: Param = { data: Float64Array.from([0.5, -0.2, 0.1, 0.3, -0.4, 0.2]), grad: null, shape: [2, 3] };
    const b: Param = { data: Float64Array.from([0.1, -0.1]), grad: null };
    const muon = new Muon([w], { lr: 0.02 });
    const adamw = new AdamW([b], { lr: 0.01 });
    w.grad = { data: Float64Array.from([0.1, 0.2, -0.1, 0.05, -0.3, 0.2]) };
    b.grad = { data: Float64Array.from([1, -1]) };
    muon.step();
    adamw.step();
    expect(muon.state.get(w)?.step).toBe(1);
    expect(adamw.state.get(b)?.step).toBe(1);
    // AdamW's first step: decay, then lr·g/(|g| + ε).
    expect(b.data[0]).toBeCloseTo(0.1 * (1 - 0.01 * 0.01) - 0.01 / (1 + 1e-8), 14);
  });
});

describe("Muon options: PyTorch's defaults and messages", () => {
  const p = () => [{ data: new Float64Array(4), grad: null, shape: [2, 2] }];

  it('defaults are PyTorch\'s (adjust_lr_fn=None is "original")', () => {
    expect(new Muon(p()).defaults).toEqual({
      lr: 1e-3,
      weightDecay: 0.1,
      momentum: 0.95,
      nesterov: true,
      nsCoefficients: [3.4445, -4.775, 2.0315],
      eps: 1e-7,
      nsSteps: 5,
      adjustLr: "original",
      maximize: false,
    });
    expect(() => new Muon(p(), { adjustLr: null })).not.toThrow();
  });

  it.each([
    [{ lr: -1 }, "Learning rate should be >= 0 but is: -1"],
    [{ lr: Number.NaN }, "Learning rate should be >= 0 but is: NaN"],
    [
      { momentum: -0.5 },
      "momentum should be >= 0 but is: -0.5 (PyTorch: momentum should be >= 0 but is: -0.5)",
    ],
    [
      { weightDecay: -1 },
      "weightDecay should be >= 0 but is: -1 (PyTorch: weight decay should be >= 0 but is: -1)",
    ],
    [{ weightDecay: Number.POSITIVE_INFINITY }, "weightDecay should be >= 0 but is: Infinity"],
    [{ nesterov: 1 }, "Invalid nesterov value: 1 (expected a boolean)"],
    [
      { nsCoefficients: [1, 2] },
      "Invalid nsCoefficients value: [1, 2] (expected three finite numbers [a, b, c]; PyTorch: Coefficients must be a tuple of exactly 3 values)",
    ],
    [{ nsCoefficients: [1, Number.NaN, 2] }, "Invalid nsCoefficients value: [1, NaN, 2]"],
    [{ eps: -1 }, "Invalid epsilon value: -1"],
    [
      { nsSteps: 100 },
      "Invalid nsSteps value: 100 (PyTorch: Number of steps must be less than 100 for computational efficiency)",
    ],
    [{ nsSteps: 2.5 }, "Invalid nsSteps value: 2.5 (expected an integer in [0, 99])"],
    [{ nsSteps: -1 }, "Invalid nsSteps value: -1 (expected an integer in [0, 99])"],
    [
      { adjustLr: "rms" },
      'Adjust learning rate function "rms" is not supported (adjustLr must be "original", "match_rms_adamw" or null)',
    ],
    [{ maximize: "yes" }, 'Invalid maximize value: "yes" (expected a boolean)'],
    [{ adjust_lr_fn: "original" }, 'Muon: unknown option "adjust_lr_fn"'],
  ])("%o → %s", (options, message) => {
    expect(() => new Muon(p(), options as never)).toThrow(message);
  });

  it("a group option written between steps is checked at once", () => {
    const opt = new Muon(p());
    expect(() => {
      opt.paramGroups[0].nsSteps = 120;
    }).toThrow("Invalid nsSteps value: 120");
    expect(opt.paramGroups[0].nsSteps).toBe(5);
  });
});

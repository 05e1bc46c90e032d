import { Generator, manualSeed, zeros as zerosTensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import {
  calculateFanInAndFanOut,
  calculateGain,
  constant,
  kaimingNormal,
  kaimingUniform,
  normal,
  ones,
  uniform,
  xavierNormal,
  xavierUniform,
  zeros,
} from "./init.js";
import type { RandomSource } from "./random.js";

/**
 * An independent test generator (mulberry32 + Box–Muller), so these tests check the init
 * formulas, not a particular random stream.
 */
function testGenerator(seed: number): RandomSource {
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    random,
    normal: () => {
      const u = 1 - random();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    },
  };
}

function make(shape: number[], dtype: "float32" | "float64" = "float64") {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: dtype === "float64" ? new Float64Array(n) : new Float32Array(n) };
}

function moments(a: ArrayLike<number>) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i];
  const mean = sum / a.length;
  let ss = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < a.length; i++) {
    ss += (a[i] - mean) ** 2;
    min = Math.min(min, a[i]);
    max = Math.max(max, a[i]);
  }
  return { mean, variance: ss / (a.length - 1), min, max };
}

/**
 * Statistical tolerances: Z standard errors of the estimator for the sample size. For n draws of
 * variance σ², the mean has standard error σ/√n; the sample variance has standard error
 * √((μ4 − σ⁴)/n), with μ4 = 9σ⁴/5 for a uniform and 3σ⁴ for a normal. Z = 5 makes a false failure
 * a < 1e-6 event while still catching a wrong scale (even 2% off is > 15 standard errors at n = 2e5).
 */
const Z = 5;
const meanTol = (variance: number, n: number) => Z * Math.sqrt(variance / n);
const uniformVarTol = (variance: number, n: number) => Z * variance * Math.sqrt(0.8 / n);
const normalVarTol = (variance: number, n: number) => Z * variance * Math.sqrt(2 / n);

describe("calculateGain (values of torch.nn.init.calculate_gain)", () => {
  it.each([
    ["linear", undefined, 1],
    ["conv2d", undefined, 1],
    ["sigmoid", undefined, 1],
    ["tanh", undefined, 5 / 3],
    ["relu", undefined, Math.SQRT2],
    ["leaky_relu", undefined, Math.sqrt(2 / (1 + 0.01 ** 2))],
    ["leaky_relu", Math.sqrt(5), Math.sqrt(1 / 3)],
    ["leaky_relu", 0, Math.SQRT2],
    ["selu", undefined, 0.75],
  ] as const)("%s(%s) = %d", (name, param, gain) => {
    expect(calculateGain(name, param)).toBe(gain);
  });

  it("rejects an unknown nonlinearity, listing the valid ones", () => {
    expect(() => calculateGain("swish" as never)).toThrow(/unsupported nonlinearity "swish".*leaky_relu/);
  });
});

describe("calculateFanInAndFanOut", () => {
  it("linear [out, in] and conv [out, in, kh, kw] weights", () => {
    expect(calculateFanInAndFanOut(make([3, 5]))).toEqual({ fanIn: 5, fanOut: 3 });
    expect(calculateFanInAndFanOut(make([16, 3, 5, 5]))).toEqual({ fanIn: 75, fanOut: 400 });
  });
  it("needs two dimensions", () => {
    expect(() => calculateFanInAndFanOut(make([4]))).toThrow(/fewer than 2 dimensions \(shape \[4\]\)/);
  });
});

describe("init statistics", () => {
  const n = 200_000;

  it("uniform(a, b): bounds, mean (a+b)/2, variance (b−a)²/12", () => {
    const t = uniform(make([n]), { a: -2, b: 3, generator: testGenerator(1) });
    const m = moments(t.data);
    const variance = 25 / 12;
    expect(m.min).toBeGreaterThanOrEqual(-2);
    expect(m.max).toBeLessThan(3);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(meanTol(variance, n));
    expect(Math.abs(m.variance - variance)).toBeLessThan(uniformVarTol(variance, n));
  });

  it("normal(mean, std)", () => {
    const t = normal(make([n]), { mean: 1.5, std: 0.2, generator: testGenerator(2) });
    const m = moments(t.data);
    expect(Math.abs(m.mean - 1.5)).toBeLessThan(meanTol(0.04, n));
    expect(Math.abs(m.variance - 0.04)).toBeLessThan(normalVarTol(0.04, n));
  });

  it("xavierUniform on [400, 500]: bound √(6/900), variance 2/900", () => {
    const t = xavierUniform(make([400, 500]), { generator: testGenerator(3) });
    const m = moments(t.data);
    const bound = Math.sqrt(6 / 900);
    expect(m.min).toBeGreaterThanOrEqual(-bound);
    expect(m.max).toBeLessThan(bound);
    expect(m.max).toBeGreaterThan(0.999 * bound); // the whole range is used
    expect(Math.abs(m.mean)).toBeLessThan(meanTol(2 / 900, n));
    expect(Math.abs(m.variance - 2 / 900)).toBeLessThan(uniformVarTol(2 / 900, n));
  });

  it("xavierNormal with gain 2 on [400, 500]: std 2·√(2/900)", () => {
    const t = xavierNormal(make([400, 500]), { gain: 2, generator: testGenerator(4) });
    const variance = 4 * (2 / 900);
    const m = moments(t.data);
    expect(Math.abs(m.mean)).toBeLessThan(meanTol(variance, n));
    expect(Math.abs(m.variance - variance)).toBeLessThan(normalVarTol(variance, n));
  });

  it("kaimingUniform defaults (a = 0, fanIn, leaky_relu): bound √(6/fanIn)", () => {
    const t = kaimingUniform(make([500, 400]), { generator: testGenerator(5) });
    const bound = Math.sqrt(6 / 400);
    const m = moments(t.data);
    expect(m.min).toBeGreaterThanOrEqual(-bound);
    expect(m.max).toBeLessThan(bound);
    expect(Math.abs(m.variance - bound ** 2 / 3)).toBeLessThan(uniformVarTol(bound ** 2 / 3, n));
  });

  it("kaimingUniform with a = √5 (nn.Linear's default): bound exactly 1/√fanIn", () => {
    const t = kaimingUniform(make([500, 400]), { a: Math.sqrt(5), generator: testGenerator(6) });
    const bound = 1 / Math.sqrt(400);
    const m = moments(t.data);
    expect(m.min).toBeGreaterThanOrEqual(-bound);
    expect(m.max).toBeLessThan(bound);
    expect(m.max).toBeGreaterThan(0.999 * bound);
    expect(Math.abs(m.variance - bound ** 2 / 3)).toBeLessThan(uniformVarTol(bound ** 2 / 3, n));
  });

  it("kaimingNormal, relu, fanOut on a conv weight [50, 40, 10, 10]: std √2/√5000", () => {
    const t = kaimingNormal(make([50, 40, 10, 10]), {
      mode: "fanOut",
      nonlinearity: "relu",
      generator: testGenerator(7),
    });
    const variance = 2 / 5000;
    const m = moments(t.data);
    expect(Math.abs(m.mean)).toBeLessThan(meanTol(variance, n));
    expect(Math.abs(m.variance - variance)).toBeLessThan(normalVarTol(variance, n));
  });

  it("kaiming on a zero-element tensor is a no-op; on a vector it names the problem", () => {
    expect(kaimingUniform(make([0, 3])).data.length).toBe(0);
    expect(() => kaimingNormal(make([5]), { generator: testGenerator(8) })).toThrow(
      /fewer than 2 dimensions/,
    );
    expect(() =>
      kaimingUniform(make([2, 2]), { mode: "fanAvg" as never, generator: testGenerator(8) }),
    ).toThrow(/mode "fanAvg" is not supported/);
  });
});

describe("deterministic fills", () => {
  it("zeros, ones, constant", () => {
    expect([...zeros(make([3])).data]).toEqual([0, 0, 0]);
    expect([...ones(make([2])).data]).toEqual([1, 1]);
    expect([...constant(make([2]), -0.25).data]).toEqual([-0.25, -0.25]);
  });

  it("one draw per element in row-major order, float32 rounded once", () => {
    const g = testGenerator(9);
    const expected = Array.from({ length: 4 }, () => Math.fround(-1 + 2 * g.random()));
    expect([...uniform(make([2, 2], "float32"), { a: -1, b: 1, generator: testGenerator(9) }).data]).toEqual(
      expected,
    );
  });

  it("same seed, same bits", () => {
    const a = kaimingUniform(make([7, 5], "float32"), { a: Math.sqrt(5), generator: testGenerator(10) });
    const b = kaimingUniform(make([7, 5], "float32"), { a: Math.sqrt(5), generator: testGenerator(10) });
    expect(new Uint8Array(a.data.buffer)).toEqual(new Uint8Array(b.data.buffer));
  });

  it("bad parameters are named", () => {
    expect(() => uniform(make([1]), { a: 1, b: 0, generator: testGenerator(1) })).toThrow(/a=1 > b=0/);
    expect(() => normal(make([1]), { std: -1, generator: testGenerator(1) })).toThrow(/std ≥ 0.*std=-1/);
    expect(() => normal(make([1]), { mean: Number.NaN, generator: testGenerator(1) })).toThrow(
      /mean must be a finite/,
    );
  });
});

describe("with the tensor package's Generator", () => {
  it("kaimingNormal statistics hold with the real generator (n = 200 000)", () => {
    const t = kaimingNormal(emptyTensor([400, 500]), { nonlinearity: "relu", generator: new Generator(11) });
    const variance = 2 / 500;
    const m = moments(t.data);
    expect(Math.abs(m.mean)).toBeLessThan(meanTol(variance, t.data.length));
    expect(Math.abs(m.variance - variance)).toBeLessThan(normalVarTol(variance, t.data.length));
  });

  it("defaults to the default generator: manualSeed makes fills reproducible", () => {
    manualSeed(77);
    const a = xavierNormal(emptyTensor([6, 4])).data.slice();
    manualSeed(77);
    const b = xavierNormal(emptyTensor([6, 4])).data.slice();
    expect(b).toEqual(a);
    const g = new Generator(77);
    const std = Math.sqrt(2 / 10);
    expect(a).toEqual(Float32Array.from({ length: 24 }, () => std * g.normal()));
  });
});

/** A float32 tensor of zeros from the tensor package (the init functions fill real tensors too). */
function emptyTensor(shape: number[]) {
  return zerosTensor(shape);
}

import { tensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import { GELU, LeakyReLU, ReLU, Sigmoid, Tanh } from "./activation.js";

const TOL = 1e-15; // float64 elementwise: within an ulp or two of values near 1

const xs = [-2, -1, -0.5, 0, 0.5, 1, 2];
// Standard normal CDF Φ at xs (published values, e.g. scipy.stats.norm.cdf, 16 digits).
const PHI = [
  0.022750131948179195, 0.15865525393145707, 0.3085375387259869, 0.5, 0.6914624612740131, 0.8413447460685429,
  0.9772498680518208,
];

function check(
  m: { forward: (x: ReturnType<typeof tensor>) => ReturnType<typeof tensor> },
  expected: number[],
) {
  const y = m.forward(tensor(xs, { dtype: "float64" }));
  expect(y.shape).toEqual([xs.length]);
  for (let i = 0; i < xs.length; i++) expect(Math.abs(y.data[i] - expected[i])).toBeLessThan(TOL);
}

describe("activation modules (float64 against the formulas)", () => {
  it("ReLU", () =>
    check(
      new ReLU(),
      xs.map((x) => Math.max(x, 0)),
    ));
  it("Tanh", () => check(new Tanh(), xs.map(Math.tanh)));
  it("Sigmoid", () =>
    check(
      new Sigmoid(),
      xs.map((x) => 1 / (1 + Math.exp(-x))),
    ));
  it("GELU exact: x·Φ(x)", () =>
    check(
      new GELU(),
      xs.map((x, i) => x * PHI[i]),
    ));
  it("GELU tanh approximation", () =>
    check(
      new GELU({ approximate: "tanh" }),
      xs.map((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))),
    ));
  it("LeakyReLU default slope 0.01 and a custom slope", () => {
    check(
      new LeakyReLU(),
      xs.map((x) => (x > 0 ? x : 0.01 * x)),
    );
    check(
      new LeakyReLU(0.2),
      xs.map((x) => (x > 0 ? x : 0.2 * x)),
    );
  });
  it("bad options are named", () => {
    expect(() => new LeakyReLU(Number.NaN)).toThrow(/negativeSlope must be a finite number/);
    expect(() => new GELU({ approximate: "erf" as never })).toThrow(/approximate must be "none" or "tanh"/);
  });
  it("no parameters", () => {
    expect(new ReLU().parameters()).toEqual([]);
    expect(new LeakyReLU(0.2).toString()).toBe("LeakyReLU(negative_slope=0.2)");
  });
});

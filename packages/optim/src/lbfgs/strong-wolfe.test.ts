// The line search against PyTorch's own `_cubic_interpolate` and `_strong_wolfe`, recorded in
// fixtures/lbfgs.json: the same trial steps, the same result, bit for bit.
import { describe, expect, it } from "vitest";
import { loadFixture, piecewise } from "./problems.testutil.js";
import { py, ScalarArithmetic } from "./scalar.js";
import { cubicInterpolate, strongWolfe } from "./strong-wolfe.js";

const fixture = loadFixture();
const F64 = new ScalarArithmetic(false);

describe("cubicInterpolate", () => {
  it("matches torch.optim.lbfgs._cubic_interpolate, with Python-float and tensor steps", () => {
    expect(fixture.cubicInterpolate.length).toBe(16);
    for (const c of fixture.cubicInterpolate) {
      const x = (v: number) => (c.tensorX ? F64.tensor(v) : py(v));
      const bounds = c.bounds === null ? undefined : ([py(c.bounds[0]), py(c.bounds[1])] as const);
      const got = cubicInterpolate(
        F64,
        x(c.x1),
        py(c.f1),
        F64.tensor(c.g1),
        x(c.x2),
        py(c.f2),
        F64.tensor(c.g2),
        bounds,
      );
      expect(got.value, JSON.stringify(c)).toBe(c.result);
    }
  });

  it("returns the clamped object itself: a Python-float bound stays a Python float", () => {
    // The cubic's minimizer lies beyond the upper bound 10: the result is that bound.
    const got = cubicInterpolate(F64, py(0), py(1), F64.tensor(-1), py(1), py(0), F64.tensor(-1), [
      py(1.01),
      py(10),
    ]);
    expect(got).toEqual(py(10));
  });
});

describe("strongWolfe", () => {
  it("tries the same steps and returns the same point as torch.optim.lbfgs._strong_wolfe", () => {
    expect(fixture.strongWolfe.length).toBe(7);
    for (const c of fixture.strongWolfe) {
      const trials: number[] = [];
      const result = strongWolfe(
        (t) => {
          trials.push(t);
          const [f, g] = piecewise(t, c);
          return { loss: f, grad: new Float64Array([g]) };
        },
        py(c.t),
        new Float64Array([1]),
        0,
        new Float64Array([c.slopes[0]]),
        c.slopes[0],
      );
      const name = `from t = ${c.t} on ${JSON.stringify(c.breakpoints)}`;
      expect(trials, name).toEqual(c.trials);
      expect(result.evals, name).toBe(c.evals);
      expect(result.t.value, name).toBe(c.tOut);
      expect(result.loss, name).toBe(c.loss);
      expect(result.grad[0], name).toBe(c.grad);
    }
  });

  it("covers running out of evaluations (25 after the first) and an immediate success", () => {
    const evals = fixture.strongWolfe.map((c) => c.evals);
    expect(evals).toContain(26);
    expect(evals).toContain(1);
  });
});

describe("ScalarArithmetic", () => {
  it("divides a Python float by a tensor as reciprocal then multiply (Tensor.__rtruediv__)", () => {
    // PyTorch: 4.6499999999999995 / torch.tensor(-0.26666666666666666, dtype=float64) = -17.437499999999996,
    // while 4.6499999999999995 / -0.26666666666666666 = -17.4375.
    expect(F64.div(py(4.6499999999999995), F64.tensor(-0.26666666666666666)).value).toBe(-17.437499999999996);
    expect(F64.div(py(4.6499999999999995), py(-0.26666666666666666)).value).toBe(-17.4375);
    expect(F64.div(F64.tensor(4.6499999999999995), py(-0.26666666666666666)).value).toBe(-17.4375);
  });

  it("computes with float32 tensors in float32, Python floats cast first (values from PyTorch 1.13)", () => {
    const F32 = new ScalarArithmetic(true);
    // torch.tensor(1., dtype=float32) + (2**-24 + 2**-50) == 1.0: the Python float is cast first.
    expect(F32.add(F32.tensor(1), py(2 ** -24 + 2 ** -50)).value).toBe(1);
    expect(F64.add(py(1), py(2 ** -24 + 2 ** -50)).value).toBe(1 + 2 ** -24 + 2 ** -50);
    // (1 + 2**-25) > torch.tensor(1., dtype=float32) is False: compared in float32.
    expect(F32.gt(py(1 + 2 ** -25), F32.tensor(1))).toBe(false);
    expect(F32.lt(F32.tensor(1), py(1 + 2 ** -25))).toBe(false);
    // 3.0 / torch.tensor(7., dtype=float32) == 0.4285714626312256 (reciprocal, then × 3).
    expect(F32.div(py(3), F32.tensor(7)).value).toBe(0.4285714626312256);
    // torch.tensor(1 + 2**-23, dtype=float32) * 0.1 == 0.10000001639127731.
    expect(F32.mul(F32.tensor(1 + 2 ** -23), py(0.1)).value).toBe(0.10000001639127731);
  });

  it("keeps Python's min/max semantics: the first argument unless the second is strictly better", () => {
    const a = py(1);
    const b = F64.tensor(1);
    expect(F64.max(a, b)).toBe(a);
    expect(F64.min(a, b)).toBe(a);
    expect(F64.max(py(Number.NaN), py(2)).value).toBeNaN();
    expect(F64.max(py(2), py(Number.NaN)).value).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import { expectClose, TOL } from "../close.testutil.js";
import { tensor } from "../creation.js";
import type { Tensor } from "../tensor.js";

/**
 * Reference values: NumPy 2.4 / SciPy 1.17 in float64 from the documented formulas
 * (gelu: x·Φ(x) with scipy.special.erf; derivatives written out by hand).
 */
const X = [-2.5, -1.0, -0.3, 0.0, 0.7, 1.9, 4.2];
const XP = [0.2, 0.7, 1.0, 2.5, 9.0];
const REF: Record<string, { x: number[]; f: (t: Tensor) => Tensor; y: number[]; dy: number[] }> = {
  exp: {
    x: X,
    f: (t) => t.exp(),
    y: [
      0.0820849986238988, 0.36787944117144233, 0.7408182206817179, 1.0, 2.0137527074704766,
      6.6858944422792685, 66.68633104092515,
    ],
    dy: [
      0.0820849986238988, 0.36787944117144233, 0.7408182206817179, 1.0, 2.0137527074704766,
      6.6858944422792685, 66.68633104092515,
    ],
  },
  tanh: {
    x: X,
    f: (t) => t.tanh(),
    y: [
      -0.9866142981514303, -0.7615941559557649, -0.2913126124515909, 0.0, 0.6043677771171634,
      0.9562374581277391, 0.9995503664595334,
    ],
    dy: [
      0.026592226683160525, 0.41997434161402614, 0.9151369618266292, 1.0, 0.6347395899824587,
      0.08560992367340048, 0.0008990649106124238,
    ],
  },
  sigmoid: {
    x: X,
    f: (t) => t.sigmoid(),
    y: [
      0.07585818002124355, 0.2689414213699951, 0.425557483188341, 0.5, 0.6681877721681662, 0.8698915256370021,
      0.9852259683067269,
    ],
    dy: [
      0.07010371654510815, 0.19661193324148185, 0.24445831169074586, 0.25, 0.22171287329310904,
      0.11318025926193101, 0.014555759680799234,
    ],
  },
  gelu: {
    x: X,
    f: (t) => t.gelu(),
    y: [
      -0.015524163314440398, -0.15865525393145707, -0.1146265733433142, 0.0, 0.5306254434438489,
      1.8454385363495966, 4.199943947854133,
    ],
    dy: [
      -0.037611085908145186, -0.08331547058768629, 0.26767223317289013, 0.5, 0.9766141011336599,
      1.095953488255884, 1.0002342151355617,
    ],
  },
  geluTanh: {
    x: X,
    f: (t) => t.gelu({ approximate: "tanh" }),
    y: [
      -0.015084266089998577, -0.1588080093917233, -0.11462907645724076, 0.0, 0.5305701347051167,
      1.8454512344553327, 4.199973902933043,
    ],
    dy: [
      -0.03795157621266612, -0.08296408384578258, 0.2677045483611982, 0.5, 0.976357218656104,
      1.0967818080997944, 1.000133975488202,
    ],
  },
  leakyRelu: {
    x: X,
    f: (t) => t.leakyRelu(0.2),
    y: [-0.5, -0.2, -0.06, 0.0, 0.7, 1.9, 4.2],
    dy: [0.2, 0.2, 0.2, 0.2, 1.0, 1.0, 1.0], // PyTorch: x > 0 ? 1 : slope, so slope at 0
  },
  relu: { x: X, f: (t) => t.relu(), y: [0, 0, 0, 0, 0.7, 1.9, 4.2], dy: [0, 0, 0, 0, 1, 1, 1] },
  abs: { x: X, f: (t) => t.abs(), y: [2.5, 1.0, 0.3, 0.0, 0.7, 1.9, 4.2], dy: [-1, -1, -1, 0, 1, 1, 1] },
  clamp: {
    x: X,
    f: (t) => t.clamp(-1, 1.9),
    y: [-1.0, -1.0, -0.3, 0.0, 0.7, 1.9, 1.9],
    dy: [0, 1, 1, 1, 1, 1, 0], // bounds inclusive, as PyTorch
  },
  neg: { x: X, f: (t) => t.neg(), y: X.map((v) => -v), dy: X.map(() => -1) },
  pow3: {
    x: X,
    f: (t) => t.pow(3),
    y: [-15.625, -1.0, -0.026999999999999996, 0.0, 0.3429999999999999, 6.858999999999999, 74.08800000000001],
    dy: [18.75, 3.0, 0.27, 0.0, 1.4699999999999998, 10.83, 52.92],
  },
  pow0: { x: X, f: (t) => t.pow(0), y: X.map(() => 1), dy: X.map(() => 0) },
  log: {
    x: XP,
    f: (t) => t.log(),
    y: [-1.6094379124341003, -0.35667494393873245, 0.0, 0.9162907318741551, 2.1972245773362196],
    dy: [5.0, 1.4285714285714286, 1.0, 0.4, 0.1111111111111111],
  },
  sqrt: {
    x: XP,
    f: (t) => t.sqrt(),
    y: [0.4472135954999579, 0.8366600265340756, 1.0, 1.5811388300841898, 3.0],
    dy: [1.118033988749895, 0.5976143046671968, 0.5, 0.31622776601683794, 0.16666666666666666],
  },
  powNeg: {
    x: XP,
    f: (t) => t.pow(-1.5),
    y: [11.180339887498947, 1.7074694419062768, 1.0, 0.25298221281347033, 0.037037037037037035],
    dy: [-83.8525491562421, -3.6588630897991647, -1.5, -0.1517893276880822, -0.00617283950617284],
  },
};

describe("unary ops against float64 references", () => {
  for (const [name, r] of Object.entries(REF)) {
    it(`${name}: values and derivative (float64)`, () => {
      const x = tensor(r.x, { dtype: "float64", requiresGrad: true });
      const y = r.f(x);
      expect(y.dtype).toBe("float64");
      expectClose(y, r.y, { rtol: TOL.f64, atol: 1e-300 });
      y.sum().backward();
      expectClose(x.grad!, r.dy, { rtol: TOL.f64, atol: 1e-300 });
    });
    it(`${name}: float32 within float32 precision`, () => {
      const x = tensor(r.x, { requiresGrad: true });
      const y = r.f(x);
      expect(y.dtype).toBe("float32");
      // float32 inputs are rounded first, so compare relative to the scale of the values.
      expectClose(y, r.y, { rtol: TOL.f32, atol: TOL.f32 });
      y.sum().backward();
      expectClose(x.grad!, r.dy, { rtol: TOL.f32, atol: TOL.f32 });
    });
  }

  it("special values follow IEEE / PyTorch", () => {
    const t = tensor([Number.NaN, -Infinity, Infinity, -0], { dtype: "float64" });
    expect(Array.from(t.relu().data)).toEqual([Number.NaN, 0, Infinity, 0]);
    expect(Array.from(t.sigmoid().data)).toEqual([Number.NaN, 0, 1, 0.5]);
    expect(Array.from(t.clamp(-1, 1).data)).toEqual([Number.NaN, -1, 1, -0]);
    expect(Array.from(tensor([-1, 0], { dtype: "float64" }).log().data)).toEqual([Number.NaN, -Infinity]);
    // C pow special cases (PyTorch's kernel), where JS ** would give NaN:
    expect(tensor([1], { dtype: "float64" }).pow(Number.NaN).item()).toBe(1);
    expect(Array.from(tensor([1, -1], { dtype: "float64" }).pow(Infinity).data)).toEqual([1, 1]);
    expect(tensor([-1], { dtype: "float64" }).pow(Number.NEGATIVE_INFINITY).item()).toBe(1);
    // PyTorch uses sqrt for p = ½, so pow(−0, ½) = −0 and pow(−∞, ½) = NaN.
    expect(Object.is(tensor([-0], { dtype: "float64" }).pow(0.5).item(), -0)).toBe(true);
    expect(tensor([-Infinity], { dtype: "float64" }).pow(0.5).item()).toBeNaN();
    // abs backward is grad·sgn(x) with sgn(NaN) = 0.
    const q = tensor([Number.NaN, -2], { dtype: "float64", requiresGrad: true });
    q.abs().sum().backward();
    expect(Array.from(q.grad!.data)).toEqual([0, -1]);
    // relu backward is threshold_backward(grad, result, 0): a NaN result lets the gradient through.
    const r = tensor([Number.NaN, -1, 2], { dtype: "float64", requiresGrad: true });
    r.relu().sum().backward();
    expect(Array.from(r.grad!.data)).toEqual([1, 0, 1]);
  });

  it("rejects bad parameters", () => {
    const t = tensor([1]);
    expect(() => t.clamp()).toThrow(/at least one of min or max/);
    expect(() => t.clamp(Number.NaN, 1)).toThrow(/clamp: min must be a non-NaN number, got NaN/);
    expect(() => t.leakyRelu(Number.POSITIVE_INFINITY)).toThrow(/negativeSlope must be a finite number/);
    expect(() => t.gelu({ approximate: "erf" as never })).toThrow(/approximate must be "none" or "tanh"/);
    expect(() => t.pow(tensor([2]) as never)).toThrow(/exponent must be a number/);
  });
});

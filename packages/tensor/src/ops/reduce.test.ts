import { describe, expect, it } from "vitest";
import { expectClose, TOL } from "../close.testutil.js";
import { tensor } from "../creation.js";

/** Input of shape [2, 3, 4] and reference results from NumPy 2.4 / SciPy 1.17 (float64). */
const X = [
  0.5, -1.2, 3.3, 0.0, 2.2, 1.1, -0.7, 4.4, -3.0, 0.25, 1.5, -2.5, 1.0, 2.0, -1.0, 0.3, 0.6, -0.4, 2.8, -1.9,
  3.1, -2.2, 0.9, 1.7,
];
const SHAPE = [2, 3, 4];
const REF: Record<number, Record<string, number[]>> = {
  0: {
    sum: [
      1.5, 0.8, 2.3, 0.3, 2.8000000000000003, 0.7000000000000001, 2.0999999999999996, 2.5000000000000004,
      0.10000000000000009, -1.9500000000000002, 2.4, -0.8,
    ],
    mean: [
      0.75, 0.4, 1.15, 0.15, 1.4000000000000001, 0.35000000000000003, 1.0499999999999998, 1.2500000000000002,
      0.050000000000000044, -0.9750000000000001, 1.2, -0.4,
    ],
    max: [1.0, 2.0, 3.3, 0.3, 2.2, 1.1, 2.8, 4.4, 3.1, 0.25, 1.5, 1.7],
    min: [0.5, -1.2, -1.0, 0.0, 0.6, -0.4, -0.7, -1.9, -3.0, -2.2, 0.9, -2.5],
    argmax: [1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0],
    argmin: [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0],
    logsumexp: [
      1.4740769841801067, 2.03995333316243, 3.3134773304160263, 0.8543552444685272, 2.383900740888339,
      1.3014132779827525, 2.8297504182726203, 4.40183462083059, 3.1022403562462495, 0.3327715224535525,
      1.9374879504858855, 1.714884254671918,
    ],
    softmax: [
      0.37754066879814546, 0.03916572279676435, 0.9866130821723351, 0.425557483188341, 0.8320183851339245,
      0.8175744761936437, 0.029312230751356316, 0.9981670610575072, 0.0022378485212763335, 0.9205614508160216,
      0.6456563062257954, 0.014774031693273055, 0.6224593312018546, 0.9608342772032357, 0.013386917827664779,
      0.574442516811659, 0.1679816148660755, 0.18242552380635632, 0.9706877692486436, 0.0018329389424928037,
      0.9977621514787236, 0.07943854918397836, 0.3543436937742045, 0.9852259683067269,
    ],
    logSoftmax: [
      -0.9740769841801067, -3.2399533331624304, -0.013477330416026367, -0.854355244468527,
      -0.18390074088833888, -0.20141327798275246, -3.5297504182726205, -0.001834620830589269,
      -6.1022403562462495, -0.08277152245355258, -0.4374879504858857, -4.214884254671919, -0.4740769841801067,
      -0.039953333162430306, -4.313477330416026, -0.554355244468527, -1.783900740888339, -1.7014132779827524,
      -0.029750418272620652, -6.30183462083059, -0.0022403562462494655, -2.5327715224535527,
      -1.0374879504858856, -0.014884254671918118,
    ],
  },
  1: {
    sum: [
      -0.2999999999999998, 0.15000000000000013, 4.1, 1.9000000000000004, 4.7, -0.6000000000000001,
      2.6999999999999997, 0.10000000000000009,
    ],
    mean: [
      -0.09999999999999994, 0.050000000000000044, 1.3666666666666665, 0.6333333333333334, 1.5666666666666667,
      -0.20000000000000004, 0.8999999999999999, 0.03333333333333336,
    ],
    max: [2.2, 1.1, 3.3, 4.4, 3.1, 2.0, 2.8, 1.7],
    min: [-3.0, -1.2, -0.7, -2.5, 0.6, -2.2, -1.0, -1.9],
    argmax: [1.0, 1.0, 0.0, 1.0, 2.0, 0.0, 1.0, 2.0],
    argmin: [2.0, 0.0, 1.0, 2.0, 1.0, 2.0, 0.0, 1.0],
    logsumexp: [
      2.3724396313996055, 1.5237461703533066, 3.468572915133957, 4.413197651932946, 3.286098935903417,
      2.1004908551829407, 2.958659975721014, 1.9420992996303006,
    ],
    softmax: [
      0.15374811517429846, 0.06562843803398553, 0.8448696573887129, 0.012116372377463238, 0.8416090940413243,
      0.6545900151754735, 0.01547432755278023, 0.9868890552126061, 0.004642790784377076, 0.27978154679054096,
      0.13965601505850697, 0.0009945724099307154, 0.10166228036713135, 0.9043933828869907,
      0.019088676450727305, 0.1935732472016127, 0.06814626445578356, 0.08204471666399579, 0.8532864477568878,
      0.021448527164391502, 0.830191455177085, 0.013561900449013575, 0.12762487579238482, 0.7849782256339959,
    ],
    logSoftmax: [
      -1.8724396313996055, -2.7237461703533064, -0.1685729151339572, -4.413197651932946, -0.17243963139960522,
      -0.4237461703533064, -4.168572915133957, -0.013197651932946019, -5.3724396313996055,
      -1.2737461703533066, -1.968572915133957, -6.913197651932946, -2.286098935903417, -0.10049085518294051,
      -3.958659975721014, -1.6420992996303003, -2.686098935903417, -2.5004908551829406, -0.15865997572101448,
      -3.8420992996303003, -0.18609893590341675, -4.30049085518294, -2.0586599757210142, -0.2420992996303005,
    ],
  },
  2: {
    sum: [2.5999999999999996, 7.000000000000001, -3.75, 2.3, 1.1, 3.5],
    mean: [0.6499999999999999, 1.7500000000000002, -0.9375, 0.575, 0.275, 0.875],
    max: [3.3, 4.4, 1.5, 2.0, 2.8, 3.1],
    min: [-1.2, -0.7, -3.0, -1.0, -1.9, -2.2],
    argmax: [2.0, 3.0, 2.0, 1.0, 2.0, 0.0],
    argmin: [1.0, 2.0, 0.0, 2.0, 3.0, 1.0],
    logsumexp: [
      3.4032803575365325, 4.543046171498057, 1.774543208583275, 2.4702223763138766, 2.9489893597658368,
      3.409241770056349,
    ],
    softmax: [
      0.054843019943800246, 0.010018916153027838, 0.9018740908360258, 0.03326397306714628, 0.0960346541908095,
      0.03196715941306507, 0.0052841359105818796, 0.8667140504855434, 0.008441939412308898,
      0.21772048700379554, 0.7599191685088601, 0.013918405075035419, 0.22987436088948882, 0.624863298034534,
      0.03111011173981429, 0.11415222933616291, 0.09546559484912481, 0.03511982968419536, 0.8615782822448598,
      0.007836293221820095, 0.7340032885558407, 0.0036638463428073933, 0.08132988262032667,
      0.1810029824810252,
    ],
    logSoftmax: [
      -2.9032803575365325, -4.603280357536533, -0.10328035753653259, -3.4032803575365325, -2.343046171498057,
      -3.443046171498057, -5.243046171498057, -0.14304617149805665, -4.774543208583275, -1.524543208583275,
      -0.2745432085832751, -4.274543208583275, -1.4702223763138766, -0.4702223763138766, -3.4702223763138766,
      -2.1702223763138764, -2.3489893597658367, -3.3489893597658367, -0.14898935976583694, -4.848989359765836,
      -0.3092417700563492, -5.60924177005635, -2.509241770056349, -1.7092417700563494,
    ],
  },
};
const x64 = () => tensor(X, { dtype: "float64", shape: SHAPE, requiresGrad: true });

describe("reductions and softmax against NumPy/SciPy", () => {
  for (const dim of [0, 1, 2]) {
    it(`dim ${dim}: forward values (float64 and float32)`, () => {
      const x = x64();
      const r = REF[dim];
      const outShape = SHAPE.filter((_, i) => i !== dim);
      const keptShape = SHAPE.map((s, i) => (i === dim ? 1 : s));
      expectClose(x.sum(dim), r.sum, { rtol: TOL.f64, atol: 1e-15 });
      expect(x.sum(dim).shape).toEqual(outShape);
      expect(x.sum(dim, true).shape).toEqual(keptShape);
      expectClose(x.mean(dim), r.mean, { rtol: TOL.f64, atol: 1e-15 });
      expectClose(x.max(dim), r.max, { rtol: 0 });
      expectClose(x.min(dim), r.min, { rtol: 0 });
      expectClose(x.argmax(dim), r.argmax, { rtol: 0 });
      expectClose(x.argmin(dim), r.argmin, { rtol: 0 });
      expect(x.argmax(dim, true).shape).toEqual(keptShape);
      expectClose(x.logsumexp(dim), r.logsumexp, { rtol: TOL.f64 });
      expectClose(x.softmax(dim), r.softmax, { rtol: TOL.f64 });
      expectClose(x.logSoftmax(dim), r.logSoftmax, { rtol: TOL.f64 });
      // negative dims address the same axis
      expectClose(x.logSoftmax(dim - 3), r.logSoftmax, { rtol: TOL.f64 });
      const x32 = tensor(X, { shape: SHAPE });
      expectClose(x32.sum(dim), r.sum, { rtol: TOL.f32, atol: TOL.f32 });
      expectClose(x32.mean(dim), r.mean, { rtol: TOL.f32, atol: TOL.f32 });
      expectClose(x32.softmax(dim), r.softmax, { rtol: TOL.f32, atol: 1e-7 });
      expectClose(x32.logsumexp(dim), r.logsumexp, { rtol: TOL.f32 });
    });

    it(`dim ${dim}: max gradient goes to the argmax; softmax rows sum to 1`, () => {
      const x = x64();
      x.max(dim).sum().backward();
      const g = Array.from(x.grad!.data);
      expect(g.reduce((a, b) => a + b, 0)).toBe(24 / SHAPE[dim]);
      for (let i = 0; i < 24; i++) if (g[i] === 1) expect(REF[dim].max).toContain(X[i]);
      const s = x.softmax(dim).sum(dim);
      expectClose(s, new Array(24 / SHAPE[dim]).fill(1), { rtol: 1e-15 });
    });
  }

  it("reductions over all dims and dim lists", () => {
    const x = x64();
    expect(x.sum().shape).toEqual([]);
    expectClose(x.sum(), [12.75], { rtol: TOL.f64 });
    expectClose(x.mean(), [0.53125], { rtol: TOL.f64 });
    expectClose(x.logsumexp(), [5.25274875906417], { rtol: TOL.f64 });
    expectClose(x.sum([0, 2]), [4.8999999999999995, 8.100000000000001, -0.25], { rtol: TOL.f64 });
    expect(x.sum([0, 2], true).shape).toEqual([1, 3, 1]);
    expect(x.sum([]).item()).toBe(x.sum().item()); // PyTorch: dim=[] reduces every dim
    expect(x.max().item()).toBe(4.4);
    expect(x.min().item()).toBe(-3.0);
    expect(x.argmax().item()).toBe(7);
    expect(x.argmin().item()).toBe(8);
  });

  it("max over all splits the gradient between ties (PyTorch); max(dim) picks the first", () => {
    const t = tensor([1, 3, 3, 2], { dtype: "float64", requiresGrad: true });
    t.max().backward();
    expect(Array.from(t.grad!.data)).toEqual([0, 0.5, 0.5, 0]);
    const u = tensor([[1, 3, 3, 2]], { dtype: "float64", requiresGrad: true });
    u.max(1).sum().backward();
    expect(Array.from(u.grad!.data)).toEqual([0, 1, 0, 0]);
    expect(u.argmax(1).item()).toBe(1);
  });

  it("0-d tensors reduce over dim 0 / -1 like PyTorch", () => {
    const t = tensor(2.5, { dtype: "float64" });
    expect(t.max(0).item()).toBe(2.5);
    expect(t.min(-1).item()).toBe(2.5);
    expect(t.sum(0).item()).toBe(2.5);
    expect(t.argmax(0).item()).toBe(0);
    expect(t.softmax(0).item()).toBe(1);
  });

  it("NaN propagates through max and argmax picks it", () => {
    const t = tensor([1, Number.NaN, 3], { dtype: "float64" });
    expect(t.max().item()).toBeNaN();
    expect(t.argmax().item()).toBe(1);
  });

  it("logsumexp and softmax are stable for huge inputs and handle -inf", () => {
    const t = tensor([1000, 1000, -Infinity], { dtype: "float64" });
    expectClose(t.logsumexp(), [1000 + Math.LN2], { rtol: TOL.f64 });
    expectClose(t.softmax(0), [0.5, 0.5, 0], { rtol: 0 });
    expectClose(t.logSoftmax(0), [-Math.LN2, -Math.LN2, -Infinity], { rtol: TOL.f64 });
    // A +inf logit makes the whole softmax row NaN (inf − inf), as PyTorch's CPU kernel does.
    const inf = tensor([Infinity, 0, 1], { dtype: "float64" });
    expect(Array.from(inf.softmax(0).data).every(Number.isNaN)).toBe(true);
    expect(Array.from(inf.logSoftmax(0).data).every(Number.isNaN)).toBe(true);
    expect(inf.logsumexp().item()).toBe(Infinity); // logsumexp masks infinite maxima (PyTorch)
    expect(tensor([]).logsumexp(0).item()).toBe(-Infinity); // log Σ over nothing, as PyTorch
    expect(tensor([]).sum().item()).toBe(0);
    const all = tensor([-Infinity, -Infinity], { dtype: "float64" });
    expect(all.logsumexp().item()).toBe(-Infinity); // as PyTorch
  });

  it("dim errors name the op, the dim and the rank", () => {
    const x = x64();
    expect(() => x.sum(3)).toThrow(
      "sum: dim 3 out of range for a 3-D tensor (expected an integer in [-3, 2])",
    );
    expect(() => x.softmax(-4)).toThrow(/softmax: dim -4 out of range/);
    expect(() => x.max(1.5)).toThrow(/max: dim 1.5 out of range/);
    expect(() => x.sum([1, -2])).toThrow(/sum: dim -2 appears more than once/);
    expect(() => x.argmax(5)).toThrow(/argmax: dim 5 out of range/);
    expect(() => tensor([]).max()).toThrow(/cannot reduce an empty tensor/);
    expect(() => x.mean(0, "yes" as never)).toThrow(/keepdim must be a boolean/);
  });
});

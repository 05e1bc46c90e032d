import { afterAll, describe, expect, it } from "vitest";
import type { Param } from "./param.js";
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
  type TorchNames,
} from "./reference-fixtures.testutil.js";
import { Rprop, type RpropHyperparameters, type RpropOptions, rpropStep } from "./rprop.js";
import { expectSameBitsOnBothBackends, KERNEL_SIZES, randomF32 } from "./rule-contract.testutil.js";
import { wasmSimdSupported } from "./wasm/module.js";

const make: Make = (groups, options) =>
  new Rprop(groups as never, options as never) as unknown as AnyOptimizer;
const NAMES: TorchNames = {
  options: { etas: "etas", step_sizes: "stepSizes" },
  state: { prev: "prev", step_size: "stepSize" },
};

// Trajectories of a NumPy port of torch.optim's _single_tensor_rprop (fixtures/rprop.json, made
// by fixtures/torch_classic_reference.py; real PyTorch 1.13 gives the same bits on every case):
// sign flips, +0/−0 gradients, products that underflow to 0, both step-size bounds, etas near 1,
// an etaminus that is 1 in float32, lr outside the bounds, late state under an lr schedule.
const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("rprop", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation } of summary) console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}`);
});

describe("the Rprop comparison detects small departures", () => {
  const cases = new Map(load("rprop").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name) as Case;
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  it.each([
    ["etaplus off by 1e-9", variant("rprop/defaults", { etas: [0.5, 1.2 + 1e-9] }), FLOAT64_REL_TOL],
    ["etaminus off by 1e-9", variant("rprop/sign-patterns", { etas: [0.5 + 1e-9, 1.2] }), FLOAT64_REL_TOL],
    [
      "max step size off by 1e-9",
      variant("rprop/clamp-both-bounds", { step_sizes: [1e-3, 0.05 + 1e-9] }),
      FLOAT64_REL_TOL,
    ],
    [
      "min step size off by 1e-9",
      variant("rprop/clamp-both-bounds", { step_sizes: [1e-3 + 1e-9, 0.05] }),
      FLOAT64_REL_TOL,
    ],
    [
      "etaminus that stays below 1 in float32",
      variant("rprop/float32-etaminus-rounds-to-1", { etas: [1 - 1e-7, 1.2] }),
      FLOAT32_REL_TOL,
    ],
  ])("%s is detected", (_, c, tol) => {
    expect(run(c, make, NAMES, false).deviation).toBeGreaterThan(tol);
  });
});

describe("Rprop hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  const hand = (options: RpropOptions) => runHand((ps) => new Rprop(ps, options));

  it("lr 0.1: steps of lr, then ×1.2 on the same sign; a flip shrinks ×0.5 and skips the move", () => {
    // grads [0.5, −1], [0.3, 0.2], [−0.4, 0.1]: coordinate 0 moves 0.1, 0.12, then flips (stays);
    // coordinate 1 moves 0.1, flips (stays, prev = 0), then moves its halved 0.05.
    expect(
      maxDeviation(hand({ lr: 0.1 }), [
        [0.9, -1.9],
        [0.78, -1.9],
        [0.78, -1.95],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });

  it("maximize, step sizes clamped to [0.06, 0.11]", () => {
    expect(
      maxDeviation(hand({ lr: 0.1, stepSizes: [0.06, 0.11], maximize: true }), [
        [1.1, -2.1],
        [1.2100000000000002, -2.1],
        [1.2100000000000002, -2.04],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });
});

describe("rpropStep kernel: ATen's sign, clamp and masks", () => {
  const h: RpropHyperparameters = { lr: 0.1, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false };
  const arrays = (g: number[], prev: number[], eta: number[]) => ({
    p: new Float64Array(g.length),
    g: Float64Array.from(g),
    prev: Float64Array.from(prev),
    eta: Float64Array.from(eta),
  });

  it("a NaN gradient has sign 0: no move, factor 1; prev becomes NaN, so the next factor is 1 too", () => {
    // Real PyTorch 1.13, float64, Rprop(lr=0.1), grads NaN then 1, prev 0.5 initially:
    // p stays 0, step size 0.1 then 0.1, and p = −0.1 after the second step.
    const a = arrays([Number.NaN], [0.5], [0.1]);
    rpropStep(a.p, a.g, a.prev, a.eta, h);
    expect([a.p[0], a.eta[0]]).toEqual([0, 0.1]);
    expect(a.prev[0]).toBeNaN();
    a.g[0] = 1;
    rpropStep(a.p, a.g, a.prev, a.eta, h);
    expect([a.p[0], a.eta[0], a.prev[0]]).toEqual([-0.1, 0.1, 1]);
  });

  it("±0 gradients have sign 0 (factor 1, no move), −0 kept in prev; underflowing products count as 0", () => {
    const a = arrays([-0, 1e-170, 2], [1, 1e-170, 3], [0.2, 0.2, 0.2]);
    rpropStep(a.p, a.g, a.prev, a.eta, h);
    expect([...a.eta]).toEqual([0.2, 0.2, 0.2 * 1.2]);
    expect(Object.is(a.prev[0], -0)).toBe(true);
    expect([...a.p]).toEqual([0, -0.2, -0.2 * 1.2]);
  });

  it("zeroes by comparing the factor with etaminus, so an etaminus of 1 also zeroes zero products", () => {
    // Only reachable through rpropStep (the class requires etaminus < 1): PyTorch's `sign.eq(etaminus)`.
    const a = arrays([1, 1, 1], [0, -1, 1], [0.1, 0.1, 0.1]);
    rpropStep(a.p, a.g, a.prev, a.eta, { ...h, etas: [1, 1.2] });
    expect([...a.p]).toEqual([0, 0, -0.1 * 1.2]);
    expect([...a.prev]).toEqual([0, 0, 1]);
  });

  it("float32: the comparison uses etaminus rounded to float32 (1 − 1e-9 is 1)", () => {
    const p = new Float32Array(2);
    const g = Float32Array.from([1, 1]);
    const prev = Float32Array.from([0, 1]);
    const eta = Float32Array.from([0.1, 0.1]);
    rpropStep(p, g, prev, eta, { ...h, etas: [1 - 1e-9, 1.2] });
    expect([...p]).toEqual([0, Math.fround(-Math.fround(Math.fround(0.1) * Math.fround(1.2)))]);
    const q = new Float64Array(2);
    rpropStep(q, Float64Array.from([1, 1]), Float64Array.from([0, 1]), Float64Array.from([0.1, 0.1]), {
      ...h,
      etas: [1 - 1e-9, 1.2],
    });
    expect(q[0]).toBe(-0.1); // in float64 the zero product keeps factor 1 ≠ etaminus: it moves
  });

  it("float32: products are rounded to float32 and can underflow to 0 (factor 1)", () => {
    const p = new Float32Array(1);
    const eta = Float32Array.from([0.1]);
    rpropStep(p, Float32Array.from([1e-25]), Float32Array.from([1e-25]), eta, h);
    expect(eta[0]).toBe(Math.fround(0.1)); // 1e-50 is 0 in float32: factor 1, not 1.2
  });

  it("rejects arrays of the wrong length", () => {
    const a = (n: number) => new Float64Array(n);
    expect(() => rpropStep(a(3), a(3), a(2), a(3), h)).toThrow(
      "rpropStep: prev has 2 elements, but the parameter has 3",
    );
  });
});

(wasmSimdSupported() ? describe : describe.skip)("Rprop's WASM kernel gives the float32 loop's bits", () => {
  const options: RpropHyperparameters[] = [
    { lr: 0.01, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false },
    { lr: 0.05, etas: [0.3, 1.5], stepSizes: [1e-3, 0.06], maximize: true },
    { lr: 0.05, etas: [1 - 1e-9, 1 + 1e-9], stepSizes: [0, 0], maximize: false },
  ];
  /** p, g and prev with zeros (±0), tiny values and sign flips; step sizes around lr. */
  const arrays = (n: number) => {
    const g = randomF32(n, 2 + n, 0.5);
    const prev = randomF32(n, 3 + n, 0.5);
    for (let i = 0; i < n; i += 7) {
      g[i] = i % 2 === 0 ? 0 : -0;
      if (i + 3 < n) {
        g[i + 3] = 1e-25;
        prev[i + 3] = -1e-25;
      }
    }
    return [randomF32(n, 1 + n, 2), g, prev, randomF32(n, 4 + n, 0.05).map(Math.abs)];
  };
  for (const n of KERNEL_SIZES) {
    options.forEach((h, k) => {
      it(`options ${k}, n = ${n}`, () => {
        expectSameBitsOnBothBackends(arrays, n, ([p, g, prev, eta], t) => {
          g.reverse(); // new signs each step
          if (t === 2) g.fill(0, 0, Math.min(n, 5));
          rpropStep(p, g, prev, eta, h);
        });
      });
    });
  }
  it("NaN and ±Infinity in the gradient and in prev, the etaminus = 1 case of rpropStep", () => {
    const withNonFinite = (n: number) => {
      const a = arrays(n);
      a[1][1] = Number.NaN;
      a[1][n - 1] = Number.NEGATIVE_INFINITY;
      a[2][5] = Number.POSITIVE_INFINITY;
      return a;
    };
    for (const h of [options[0], { ...options[0], etas: [1, 1.2] as [number, number] }]) {
      expectSameBitsOnBothBackends(withNonFinite, 70, ([p, g, prev, eta]) => rpropStep(p, g, prev, eta, h));
    }
  });
});

describe("Rprop: options, groups, state", () => {
  const param = (data: number[], grad: number[] | null = null): Param => ({
    data: Float64Array.from(data),
    grad: grad === null ? null : { data: Float64Array.from(grad) },
  });

  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ etas: [1.5, 1.2] }, "Invalid eta values: 1.5, 1.2"],
    [{ etas: [0, 1.2] }, "Invalid eta values: 0, 1.2"],
    [{ etas: [0.5, 1] }, "Invalid eta values: 0.5, 1"],
    [{ etas: [0.5, Number.POSITIVE_INFINITY] }, "Invalid eta values: 0.5, Infinity"],
    [{ etas: [0.5] }, "Invalid etas value: [0.5] (expected a pair [etaminus, etaplus])"],
    [{ stepSizes: [1, 0.5] }, "Invalid stepSizes value: [1, 0.5] (expected [min, max] with 0 <= min <= max)"],
    [{ stepSizes: [-1, 0.5] }, "Invalid stepSizes value: [-1, 0.5]"],
    [{ stepSizes: [0, Number.NaN] }, "Invalid stepSizes value: [0, NaN]"],
    [{ maximize: "no" }, 'Invalid maximize value: "no" (expected a boolean)'],
    [{ weightDecay: 0.1 }, 'Rprop: unknown option "weightDecay"'],
  ])("%j → %s", (options, message) => {
    expect(() => new Rprop([param([1])], options as RpropOptions)).toThrow(message);
  });

  it("defaults are PyTorch's, with no weightDecay", () => {
    expect(new Rprop([param([1])]).defaults).toEqual({
      lr: 1e-2,
      etas: [0.5, 1.2],
      stepSizes: [1e-6, 50],
      maximize: false,
    });
  });

  it("lr only sets a parameter's initial step sizes, at its first step", () => {
    const a = param([0, 0], [1, -1]);
    const b = param([0]);
    const opt = new Rprop([a, b], { lr: 0.1 });
    opt.step();
    opt.paramGroups[0].lr = 0.5;
    b.grad = { data: Float64Array.from([1]) };
    opt.step();
    expect([...(opt.state.get(a)?.stepSize ?? [])]).toEqual([0.1 * 1.2, 0.1 * 1.2]);
    expect([...(opt.state.get(b)?.stepSize ?? [])]).toEqual([0.5]);
    expect([...b.data]).toEqual([-0.5]);
  });

  it("maximize is minimizing the negated gradient, bit for bit", () => {
    const a = param([0.3, -1.2]);
    const b = param([0.3, -1.2]);
    const oa = new Rprop([a], { maximize: true });
    const ob = new Rprop([b]);
    for (let t = 0; t < 5; t++) {
      const g = t % 2 === 0 ? [0.5, -2] : [-2, 0.5];
      a.grad = { data: Float64Array.from(g) };
      b.grad = { data: Float64Array.from(g, (x) => -x) };
      oa.step();
      ob.step();
    }
    expect([...a.data]).toEqual([...b.data]);
  });

  it("skips parameters with a null gradient (no state, no change) and counts steps per parameter", () => {
    const a = param([1, 2], [0.1, 0.2]);
    const b = param([3, 4]);
    const opt = new Rprop([a, b]);
    opt.step();
    expect([...b.data]).toEqual([3, 4]);
    expect(opt.state.has(b)).toBe(false);
    b.grad = { data: Float64Array.from([1, 1]) };
    opt.step();
    expect(opt.state.get(a)?.step).toBe(2);
    expect(opt.state.get(b)?.step).toBe(1);
  });

  it("param groups with their own options equal separate optimizers, bit for bit", () => {
    const grads = [
      [0.4, -0.3],
      [0.2, 0.5],
      [-0.6, 0.1],
      [-0.1, 0.2],
    ];
    const make2 = () => [param([1, -1]), param([0.5, 2])];
    const [a, b] = make2();
    const [c, d] = make2();
    const grouped = new Rprop([
      { params: [a], etas: [0.2, 1.9] },
      { params: [b], lr: 0.3, stepSizes: [0.1, 0.4] },
    ]);
    const alone = [new Rprop([c], { etas: [0.2, 1.9] }), new Rprop([d], { lr: 0.3, stepSizes: [0.1, 0.4] })];
    for (const g of grads) {
      for (const p of [a, b, c, d]) p.grad = { data: Float64Array.from(g) };
      grouped.step();
      for (const o of alone) o.step();
    }
    expect([...a.data]).toEqual([...c.data]);
    expect([...b.data]).toEqual([...d.data]);
  });

  it("state dict round trip through JSON continues bit for bit (−0 in prev included)", () => {
    for (const Arr of [Float64Array, Float32Array]) {
      const grads = Array.from({ length: 10 }, (_, t) => [
        Math.sin(t + 1),
        t === 3 ? -0 : Math.cos(3 * t),
        -0.3,
      ]);
      const fresh = () => ({ data: Arr.from([0.5, -1, 2]), grad: null as { data: Float64Array } | null });
      const stepWith = (opt: Rprop, p: Param, g: number[]) => {
        p.grad = { data: Arr.from(g) };
        opt.step();
      };
      const p1 = fresh();
      const o1 = new Rprop([p1], { lr: 0.05, etas: [0.4, 1.3] });
      for (const g of grads) stepWith(o1, p1, g);
      const p2 = fresh();
      const o2 = new Rprop([p2], { lr: 0.05, etas: [0.4, 1.3] });
      for (const g of grads.slice(0, 4)) stepWith(o2, p2, g);
      const saved = JSON.stringify(o2.stateDict());
      const p3 = { data: p2.data.slice(), grad: null };
      const o3 = new Rprop([p3]);
      o3.loadStateDict(JSON.parse(saved));
      expect(Object.is(o3.state.get(p3)?.prev[1], -0)).toBe(true);
      for (const g of grads.slice(4)) stepWith(o3, p3, g);
      expect([...p3.data]).toEqual([...p1.data]);
      expect(o3.state.get(p3)?.stepSize).toEqual(o1.state.get(p1)?.stepSize);
    }
  });
});

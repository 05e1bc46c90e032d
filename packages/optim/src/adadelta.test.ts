import { afterAll, describe, expect, it } from "vitest";
import { Adadelta, type AdadeltaHyperparameters, type AdadeltaOptions, adadeltaStep } from "./adadelta.js";
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
import { expectSameBitsOnBothBackends, KERNEL_SIZES, randomF32 } from "./rule-contract.testutil.js";
import { wasmSimdSupported } from "./wasm/module.js";

const make: Make = (groups, options) =>
  new Adadelta(groups as never, options as never) as unknown as AnyOptimizer;
const NAMES: TorchNames = { options: { rho: "rho" }, state: { acc_delta: "accDelta" } };

// Trajectories of a NumPy port of torch.optim's _single_tensor_adadelta (fixtures/adadelta.json,
// made by fixtures/torch_classic_reference.py, whose --check runs real PyTorch on every case).
const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("adadelta", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation } of summary) console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}`);
});

describe("the Adadelta comparison detects small departures", () => {
  const cases = new Map(load("adadelta").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name) as Case;
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  it.each([
    ["rho off by 1e-9", variant("adadelta/defaults", { rho: 0.9 + 1e-9 }), FLOAT64_REL_TOL],
    ["eps off by 1e-6 (relative)", variant("adadelta/defaults", { eps: 1e-6 * (1 + 1e-6) }), FLOAT64_REL_TOL],
    ["lr off by 1e-9 (relative)", variant("adadelta/weight-decay", { lr: 1 + 1e-9 }), FLOAT64_REL_TOL],
    ["no weight decay", variant("adadelta/weight-decay", { weight_decay: 0 }), FLOAT64_REL_TOL],
    ["float32 rho off by 1e-7", variant("adadelta/float32-defaults", { rho: 0.9 + 1e-7 }), FLOAT32_REL_TOL],
  ])("%s is detected", (_, c, tol) => {
    expect(run(c, make, NAMES, false).deviation).toBeGreaterThan(tol);
  });
});

describe("Adadelta hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  const hand = (options: AdadeltaOptions) => runHand((ps) => new Adadelta(ps, options));

  it("defaults: the first step is √ε/√(0.1·g² + ε)·g ≈ ±0.00316 per coordinate", () => {
    expect(
      maxDeviation(hand({}), [
        [0.9968377855834876, -1.9968377381511013],
        [0.9944473902110369, -1.9977602621457928],
        [0.9974332991139763, -1.9982418231858365],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });

  it("lr 2, rho 0.5, eps 1e-3, weightDecay 0.1, maximize", () => {
    expect(
      maxDeviation(hand({ lr: 2, rho: 0.5, eps: 1e-3, weightDecay: 0.1, maximize: true }), [
        [1.0888888888888888, -2.0893032915497516],
        [1.1588890766380158, -2.0154079721250655],
        [1.041672967010829, -1.9467482554056676],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });

  it("rho = 1 keeps both averages at 0, so Δ = g: plain SGD", () => {
    const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0.5, -1]) } };
    const opt = new Adadelta([w], { lr: 0.1, rho: 1 });
    opt.step();
    opt.step();
    expect([...w.data]).toEqual([1 - 0.1 * 0.5 - 0.1 * 0.5, -2 + 0.1 + 0.1]);
    expect([...(opt.state.get(w)?.squareAvg ?? [])]).toEqual([0, 0]);
  });
});

describe("adadeltaStep kernel", () => {
  const h: AdadeltaHyperparameters = { lr: 1.5, rho: 0.8, eps: 1e-4, weightDecay: 0.2, maximize: false };

  it("updates float32 arrays in float32 arithmetic, op by op, as PyTorch does", () => {
    const f = Math.fround;
    const p = new Float32Array([1, -2, 0.3]);
    const g = new Float32Array([0.5, -0.25, 0.7]);
    const v = new Float32Array(3);
    const u = new Float32Array(3);
    adadeltaStep(p, g, v, u, h);
    adadeltaStep(p, g, v, u, h);
    // Replay: g' = g + f(λ)·p; v = f(ρ)·v + (f(1 − ρ)·g')·g'; Δ = (√(u + f(ε)) / √(v + f(ε)))·g';
    // u = f(ρ)·u + (f(1 − ρ)·Δ)·Δ; p = p + f(−γ)·Δ; every result rounded to float32.
    const want = [1, -2, 0.3].map((p0, i) => {
      let q = f(p0);
      let vi = 0;
      let ui = 0;
      for (let t = 0; t < 2; t++) {
        const gi = f(g[i] + f(f(0.2) * q));
        vi = f(f(vi * f(0.8)) + f(f(f(1 - 0.8) * gi) * gi));
        const d = f(f(f(Math.sqrt(f(ui + f(1e-4)))) / f(Math.sqrt(f(vi + f(1e-4))))) * gi);
        ui = f(f(ui * f(0.8)) + f(f(f(1 - 0.8) * d) * d));
        q = f(q + f(f(-1.5) * d));
      }
      return [q, vi, ui];
    });
    expect([...p]).toEqual(want.map(([q]) => q));
    expect([...v]).toEqual(want.map(([, vi]) => vi));
    expect([...u]).toEqual(want.map(([, , ui]) => ui));
  });

  it("rejects arrays of the wrong length", () => {
    const a = (n: number) => new Float64Array(n);
    expect(() => adadeltaStep(a(3), a(2), a(3), a(3), h)).toThrow(
      "adadeltaStep: grad has 2 elements, but the parameter has 3",
    );
    expect(() => adadeltaStep(a(3), a(3), a(3), a(4), h)).toThrow("adadeltaStep: accDelta has 4 elements");
  });
});

(wasmSimdSupported() ? describe : describe.skip)(
  "Adadelta's WASM kernel gives the float32 loop's bits",
  () => {
    const options: AdadeltaHyperparameters[] = [
      { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
      { lr: 2, rho: 0.3, eps: 1e-7, weightDecay: 0.1, maximize: true },
      { lr: 0.5, rho: 1, eps: 1e-3, weightDecay: 1e-50, maximize: false },
    ];
    const arrays = (n: number) => [
      randomF32(n, 1 + n, 2),
      randomF32(n, 2 + n, 0.5),
      randomF32(n, 3 + n, 0.1).map(Math.abs),
      randomF32(n, 4 + n, 0.01).map(Math.abs),
    ];
    for (const n of KERNEL_SIZES) {
      options.forEach((h, k) => {
        it(`options ${k}, n = ${n}`, () => {
          expectSameBitsOnBothBackends(arrays, n, ([p, g, v, u]) => adadeltaStep(p, g, v, u, h));
        });
      });
    }
    it("NaN and ±Infinity in the gradient propagate the same way", () => {
      const withNonFinite = (n: number) => {
        const a = arrays(n);
        a[1][1] = Number.NaN;
        a[1][n - 1] = Number.NEGATIVE_INFINITY;
        return a;
      };
      expectSameBitsOnBothBackends(withNonFinite, 70, ([p, g, v, u]) => adadeltaStep(p, g, v, u, options[1]));
    });
  },
);

describe("Adadelta: options, groups, state", () => {
  const param = (data: number[], grad: number[] | null = null): Param => ({
    data: Float64Array.from(data),
    grad: grad === null ? null : { data: Float64Array.from(grad) },
  });

  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ rho: -0.1 }, "Invalid rho value: -0.1"],
    [{ rho: 1.5 }, "Invalid rho value: 1.5"],
    [{ rho: Number.NaN }, "Invalid rho value: NaN"],
    [{ eps: -1 }, "Invalid epsilon value: -1"],
    [{ weightDecay: -1 }, "Invalid weightDecay value: -1 (PyTorch: Invalid weight_decay value: -1)"],
    [{ maximize: 1 }, "Invalid maximize value: 1 (expected a boolean)"],
    [{ etas: [0.5, 1.2] }, 'Adadelta: unknown option "etas"'],
  ])("%j → %s", (options, message) => {
    expect(() => new Adadelta([param([1])], options as AdadeltaOptions)).toThrow(message);
  });

  it("defaults are PyTorch's (lr 1.0, rho 0.9, eps 1e-6)", () => {
    expect(new Adadelta([param([1])]).defaults).toEqual({
      lr: 1,
      rho: 0.9,
      eps: 1e-6,
      weightDecay: 0,
      maximize: false,
    });
  });

  it("maximize is minimizing the negated gradient, bit for bit", () => {
    const a = param([0.3, -1.2], [0.5, -2]);
    const b = param([0.3, -1.2], [-0.5, 2]);
    const oa = new Adadelta([a], { maximize: true, weightDecay: 0.1 });
    const ob = new Adadelta([b], { weightDecay: 0.1 });
    for (let t = 0; t < 5; t++) {
      oa.step();
      ob.step();
    }
    expect([...a.data]).toEqual([...b.data]);
  });

  it("skips parameters with a null gradient (no state, no change) and counts steps per parameter", () => {
    const a = param([1, 2], [0.1, 0.2]);
    const b = param([3, 4]);
    const opt = new Adadelta([a, b]);
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
    ];
    const make2 = () => [param([1, -1]), param([0.5, 2])];
    const [a, b] = make2();
    const [c, d] = make2();
    const grouped = new Adadelta(
      [
        { params: [a], rho: 0.5 },
        { params: [b], lr: 3 },
      ],
      { weightDecay: 0.1 },
    );
    const alone = [
      new Adadelta([c], { rho: 0.5, weightDecay: 0.1 }),
      new Adadelta([d], { lr: 3, weightDecay: 0.1 }),
    ];
    for (const g of grads) {
      for (const p of [a, b, c, d]) p.grad = { data: Float64Array.from(g) };
      grouped.step();
      for (const o of alone) o.step();
    }
    expect([...a.data]).toEqual([...c.data]);
    expect([...b.data]).toEqual([...d.data]);
  });

  it("state dict round trip through JSON continues bit for bit", () => {
    for (const Arr of [Float64Array, Float32Array]) {
      const grads = Array.from({ length: 8 }, (_, t) => [Math.sin(t + 1), Math.cos(3 * t), 0.1 * t - 0.3]);
      const fresh = () => ({ data: Arr.from([0.5, -1, 2]), grad: null as { data: Float64Array } | null });
      const stepWith = (opt: Adadelta, p: Param, g: number[]) => {
        p.grad = { data: Arr.from(g) };
        opt.step();
      };
      const p1 = fresh();
      const o1 = new Adadelta([p1], { rho: 0.8, weightDecay: 0.05 });
      for (const g of grads) stepWith(o1, p1, g);
      const p2 = fresh();
      const o2 = new Adadelta([p2], { rho: 0.8, weightDecay: 0.05 });
      for (const g of grads.slice(0, 4)) stepWith(o2, p2, g);
      const saved = JSON.stringify(o2.stateDict());
      const p3 = { data: p2.data.slice(), grad: null };
      const o3 = new Adadelta([p3], { rho: 0.1 });
      o3.loadStateDict(JSON.parse(saved));
      expect(o3.paramGroups[0].rho).toBe(0.8);
      for (const g of grads.slice(4)) stepWith(o3, p3, g);
      expect([...p3.data]).toEqual([...p1.data]);
      expect(o3.state.get(p3)?.accDelta).toEqual(o1.state.get(p1)?.accDelta);
    }
  });

  it("rejects a loaded state with a negative average", () => {
    const p = param([1], [1]);
    const opt = new Adadelta([p]);
    opt.step();
    const sd = opt.stateDict();
    (sd.state["0"] as Record<string, unknown>).accDelta = { dtype: "float64", values: [-1] };
    expect(() => opt.loadStateDict(sd)).toThrow("accDelta must not be negative");
  });
});

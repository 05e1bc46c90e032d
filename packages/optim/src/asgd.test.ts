import { afterAll, describe, expect, it } from "vitest";
import { ASGD, type ASGDHyperparameters, type ASGDOptions, asgdStep } from "./asgd.js";
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
  new ASGD(groups as never, options as never) as unknown as AnyOptimizer;
const NAMES: TorchNames = {
  options: { lambd: "lambd", t0: "t0" },
  state: { eta: "eta", mu: "mu", ax: "ax" },
};

// Trajectories and final state (ax, and the float32 eta and mu) of a NumPy port of torch.optim's
// _single_tensor_asgd (fixtures/asgd.json, made by fixtures/torch_classic_reference.py, whose
// --check runs real PyTorch on every case): averaging from a small t0, fractional and negative t0,
// lambd, alpha, weight decay, groups, per-parameter step counts, lr schedules.
const summary: { name: string; deviation: number; where: string }[] = [];
describeReferenceCases("asgd", make, NAMES, summary);
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation } of summary) console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}`);
});

describe("the ASGD comparison detects small departures", () => {
  const cases = new Map(load("asgd").map((c) => [c.name, c]));
  const variant = (name: string, options: Record<string, unknown>): Case => {
    const c = cases.get(name) as Case;
    return { ...c, defaults: { ...c.defaults, ...options } };
  };
  it.each([
    ["lambd off by 1e-9 (relative)", variant("asgd/lambd", { lambd: 0.05 * (1 + 1e-9) }), FLOAT64_REL_TOL],
    [
      "alpha off by 1e-4 (η is float32: smaller changes round away)",
      variant("asgd/alpha-half-fractional-t0", { alpha: 0.5 + 1e-4 }),
      FLOAT64_REL_TOL,
    ],
    ["averaging one step later", variant("asgd/averaging", { t0: 11 }), FLOAT64_REL_TOL],
    ["t0 off by 0.01 (μ changes)", variant("asgd/alpha-half-fractional-t0", { t0: 10.51 }), FLOAT64_REL_TOL],
    ["float32 lr off by 1e-6", variant("asgd/float32-defaults", { lr: 0.01 * (1 + 1e-6) }), FLOAT32_REL_TOL],
  ])("%s is detected", (_, c, tol) => {
    expect(run(c, make, NAMES).deviation).toBeGreaterThan(tol);
  });
});

describe("ASGD hand-computed values (Python float64, η and μ rounded to float32 as PyTorch stores them)", () => {
  const options: ASGDOptions = { lr: 0.1, lambd: 0.1, alpha: 1, t0: 0, weightDecay: 0.2, maximize: true };

  it("lr 0.1, lambd 0.1, alpha 1, t0 0, weightDecay 0.2, maximize: parameters, average, η and μ", () => {
    let opt: ASGD | undefined;
    const traj = runHand((ps) => {
      opt = new ASGD(ps, options);
      return opt;
    });
    expect(
      maxDeviation(traj, [
        [1.0200000002980232, -2.0400000005960464],
        [1.0194059408814597, -1.9596039607347826],
        [0.9502077257997188, -1.8921646274508919],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
    const state = opt?.state.get(opt.paramGroups[0].params[0]);
    expect(state?.eta).toBe(0.09708737581968307); // fround(0.1/(1 + 0.1·0.1·3))
    expect(state?.mu).toBe(0.3333333432674408); // fround(1/max(1, 3 − 0))
    // Averaging starts at step 3 (μ₂ = 1/max(1, 2 − 0) = 0.5): ax = θ₂ + 0.5·(θ₃ − θ₂).
    expect(
      maxDeviation([[...(state?.ax ?? [])]], [[0.9848068333405893, -1.9258842940928371]]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });

  it("the first step uses η₀ = lr rounded to float32, even for float64 parameters", () => {
    const w: Param = { data: Float64Array.from([1]), grad: { data: Float64Array.from([-0.5]) } };
    new ASGD([w], options).step();
    // g = 0.5 + 0.2·1 (maximize, then weight decay); η = 0.1 exactly would give 0.99 − 0.07 = 0.92.
    const eta = Math.fround(0.1);
    expect(w.data[0]).toBe(1 * (1 - 0.1 * eta) + -eta * 0.7);
    expect(Math.abs(w.data[0] - 0.92)).toBeGreaterThan(1e-9);
  });

  it("a step uses the η computed at the previous step, from that step's lr", () => {
    const grads = [0.5, -0.2, 0.3, 0.1].map((g) => Float64Array.from([g]));
    const trajectory = (newLr: number) => {
      const w: Param = { data: Float64Array.from([1]), grad: null };
      const opt = new ASGD([w], { lr: 0.1 });
      return grads.map((g, t) => {
        if (t === 2) opt.paramGroups[0].lr = newLr;
        w.grad = { data: g };
        opt.step();
        return w.data[0];
      });
    };
    const [same, changed] = [trajectory(0.1), trajectory(0.5)];
    expect(changed.slice(0, 3)).toEqual(same.slice(0, 3)); // step 3 still uses η₂, from lr 0.1
    expect(changed[3]).not.toBe(same[3]);
  });
});

describe("asgdStep kernel", () => {
  const h: ASGDHyperparameters = {
    lr: 0.05,
    lambd: 0.01,
    alpha: 0.75,
    t0: 1,
    weightDecay: 0.1,
    maximize: false,
  };

  it("updates float32 arrays in float32 arithmetic, op by op, and returns the next float32 η and μ", () => {
    const f = Math.fround;
    const p = Float32Array.from([1, -2, 0.3]);
    const g = Float32Array.from([0.5, -0.25, 0.7]);
    const ax = Float32Array.from([0.9, -1.9, 0.2]);
    const next = asgdStep(p, g, ax, 5, { eta: 0.04, mu: 0.25 }, h);
    const eta = f(0.04);
    const ax0 = [0.9, -1.9, 0.2].map(f);
    // Replay: g' = g + f(λ_wd)·p; p = p·f(1 − λη); p = p + f(−η)·g'; ax = ax + (p − ax)·μ.
    const want = [1, -2, 0.3].map((p0, i) => {
      const q0 = f(p0);
      const gi = f(g[i] + f(f(0.1) * q0));
      let q = f(q0 * f(1 - 0.01 * eta));
      q = f(q + f(-eta * gi));
      return [q, f(ax0[i] + f(f(q - ax0[i]) * 0.25))];
    });
    expect([...p]).toEqual(want.map(([q]) => q));
    expect([...ax]).toEqual(want.map(([, a]) => a));
    expect(next).toEqual({ eta: f(0.05 / (1 + 0.01 * 0.05 * 5) ** 0.75), mu: f(1 / 4) });
  });

  it("μ = 1 copies the parameter into the average", () => {
    const p = Float64Array.from([1, 2]);
    const ax = Float64Array.from([7, 7]);
    asgdStep(p, Float64Array.from([1, 1]), ax, 1, { eta: 0.1, mu: 1 }, { ...h, weightDecay: 0 });
    expect([...ax]).toEqual([...p]);
  });

  it("rejects arrays of the wrong length", () => {
    const a = (n: number) => new Float64Array(n);
    expect(() => asgdStep(a(3), a(3), a(2), 1, { eta: 0.1, mu: 1 }, h)).toThrow(
      "asgdStep: ax has 2 elements, but the parameter has 3",
    );
  });
});

(wasmSimdSupported() ? describe : describe.skip)("ASGD's WASM kernel gives the float32 loop's bits", () => {
  const options: ASGDHyperparameters[] = [
    { lr: 0.01, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false },
    { lr: 0.1, lambd: 0.05, alpha: 0.5, t0: 1, weightDecay: 0.1, maximize: true },
    { lr: 0.03, lambd: 0, alpha: 1, t0: -2, weightDecay: 1e-50, maximize: false },
  ];
  const arrays = (n: number) => [randomF32(n, 1 + n, 2), randomF32(n, 2 + n, 0.5), randomF32(n, 3 + n, 2)];
  for (const n of KERNEL_SIZES) {
    options.forEach((h, k) => {
      it(`options ${k}, n = ${n}`, () => {
        let s = { eta: Math.fround(h.lr), mu: 1 };
        expectSameBitsOnBothBackends(
          arrays,
          n,
          ([p, g, ax], t) => {
            if (t === 1) s = { eta: Math.fround(h.lr), mu: 1 };
            s = asgdStep(p, g, ax, t, s, h);
          },
          4,
        );
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
    expectSameBitsOnBothBackends(withNonFinite, 70, ([p, g, ax], t) =>
      asgdStep(p, g, ax, t, { eta: 0.1, mu: t === 1 ? 1 : 0.5 }, options[1]),
    );
  });
});

describe("ASGD: options, groups, state", () => {
  const param = (data: number[], grad: number[] | null = null): Param => ({
    data: Float64Array.from(data),
    grad: grad === null ? null : { data: Float64Array.from(grad) },
  });

  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ lambd: -1 }, "Invalid lambd value: -1"],
    [{ alpha: -0.5 }, "Invalid alpha value: -0.5"],
    [{ alpha: Number.POSITIVE_INFINITY }, "Invalid alpha value: Infinity"],
    [{ t0: Number.NaN }, "Invalid t0 value: NaN (expected a finite number)"],
    [{ weightDecay: -1 }, "Invalid weightDecay value: -1 (PyTorch: Invalid weight_decay value: -1)"],
    [{ maximize: 0 }, "Invalid maximize value: 0 (expected a boolean)"],
    [{ t_0: 5 }, 'ASGD: unknown option "t_0"'],
  ])("%j → %s", (options, message) => {
    expect(() => new ASGD([param([1])], options as ASGDOptions)).toThrow(message);
  });

  it("defaults are PyTorch's", () => {
    expect(new ASGD([param([1])]).defaults).toEqual({
      lr: 1e-2,
      lambd: 1e-4,
      alpha: 0.75,
      t0: 1e6,
      weightDecay: 0,
      maximize: false,
    });
  });

  it("maximize is minimizing the negated gradient, bit for bit", () => {
    const a = param([0.3, -1.2], [0.5, -2]);
    const b = param([0.3, -1.2], [-0.5, 2]);
    const oa = new ASGD([a], { maximize: true, weightDecay: 0.1, t0: 1 });
    const ob = new ASGD([b], { weightDecay: 0.1, t0: 1 });
    for (let t = 0; t < 5; t++) {
      oa.step();
      ob.step();
    }
    expect([...a.data]).toEqual([...b.data]);
    expect(oa.averaged(a)).toEqual(ob.averaged(b));
  });

  it("skips parameters with a null gradient: no state, no change, their own η and μ later", () => {
    const a = param([1, 2], [0.1, 0.2]);
    const b = param([3, 4]);
    const opt = new ASGD([a, b], { lr: 0.1, lambd: 0.1, t0: 0 });
    opt.step();
    opt.step();
    expect([...b.data]).toEqual([3, 4]);
    expect(opt.state.has(b)).toBe(false);
    b.grad = { data: Float64Array.from([1, 1]) };
    opt.step();
    expect([opt.state.get(a)?.step, opt.state.get(b)?.step]).toEqual([3, 1]);
    expect(opt.state.get(b)?.eta).toBe(Math.fround(0.1 / (1 + 0.1 * 0.1 * 1) ** 0.75));
    expect([opt.state.get(a)?.mu, opt.state.get(b)?.mu]).toEqual([Math.fround(1 / 3), 1]);
  });

  it("param groups with their own options equal separate optimizers, bit for bit", () => {
    const make2 = () => [param([1, -1]), param([0.5, 2])];
    const [a, b] = make2();
    const [c, d] = make2();
    const grouped = new ASGD(
      [
        { params: [a], t0: 1 },
        { params: [b], lr: 0.3, alpha: 1 },
      ],
      { lambd: 0.01 },
    );
    const alone = [new ASGD([c], { t0: 1, lambd: 0.01 }), new ASGD([d], { lr: 0.3, alpha: 1, lambd: 0.01 })];
    for (let t = 0; t < 6; t++) {
      const g = [Math.sin(t), Math.cos(t)];
      for (const p of [a, b, c, d]) p.grad = { data: Float64Array.from(g) };
      grouped.step();
      for (const o of alone) o.step();
    }
    expect([...a.data, ...b.data]).toEqual([...c.data, ...d.data]);
    expect(grouped.averaged(a)).toEqual(alone[0].averaged(c));
  });

  it("state dict round trip through JSON (η and μ as numbers) continues bit for bit", () => {
    for (const Arr of [Float64Array, Float32Array]) {
      const grads = Array.from({ length: 10 }, (_, t) => [Math.sin(t + 1), Math.cos(3 * t), 0.1 * t - 0.3]);
      const fresh = () => ({ data: Arr.from([0.5, -1, 2]), grad: null as { data: Float64Array } | null });
      const stepWith = (opt: ASGD, p: Param, g: number[]) => {
        p.grad = { data: Arr.from(g) };
        opt.step();
      };
      const options = { lr: 0.1, lambd: 0.02, t0: 2 };
      const p1 = fresh();
      const o1 = new ASGD([p1], options);
      for (const g of grads) stepWith(o1, p1, g);
      const p2 = fresh();
      const o2 = new ASGD([p2], options);
      for (const g of grads.slice(0, 5)) stepWith(o2, p2, g);
      const saved = JSON.parse(JSON.stringify(o2.stateDict()));
      expect(saved.state["0"].mu).toBe(Math.fround(1 / 3));
      const p3 = { data: p2.data.slice(), grad: null };
      const o3 = new ASGD([p3]);
      o3.loadStateDict(saved);
      for (const g of grads.slice(5)) stepWith(o3, p3, g);
      expect([...p3.data]).toEqual([...p1.data]);
      expect(o3.averaged(p3)).toEqual(o1.averaged(p1));
      expect([o3.state.get(p3)?.eta, o3.state.get(p3)?.mu]).toEqual([
        o1.state.get(p1)?.eta,
        o1.state.get(p1)?.mu,
      ]);
    }
  });

  it("rejects a loaded state without eta, or with a non-number mu", () => {
    const p = param([1], [1]);
    const opt = new ASGD([p]);
    opt.step();
    const sd = opt.stateDict();
    const { eta: _, ...noEta } = sd.state["0"] as Record<string, unknown>;
    expect(() => opt.loadStateDict({ ...sd, state: { "0": noEta as never } })).toThrow("has no eta");
    expect(() =>
      opt.loadStateDict({ ...sd, state: { "0": { ...sd.state["0"], mu: "x" } as never } }),
    ).toThrow('mu is "x", expected a number');
  });
});

describe("ASGD's averaged parameters", () => {
  /** Two parameters, 30 steps of noisy gradients of ½(x − 3)², averaging from step 12. */
  function trained(): { opt: ASGD; a: Param; b: Param; fresh: Param } {
    const a: Param = { data: Float64Array.from([0, 10]), grad: null };
    const b: Param = { data: Float32Array.from([-4]), grad: null };
    const fresh: Param = { data: Float64Array.from([5]), grad: null };
    const opt = new ASGD([a, b, fresh], { lr: 0.2, t0: 10 });
    for (let t = 1; t <= 30; t++) {
      const noise = Math.sin(7 * t);
      a.grad = { data: Float64Array.from(a.data, (x) => x - 3 + noise) };
      b.grad = { data: Float32Array.from(b.data, (x) => x - 3 - noise) };
      opt.step();
    }
    return { opt, a, b, fresh };
  }

  it("averaged(param) is a copy of the running average, null before the first step", () => {
    const { opt, a, fresh } = trained();
    const avg = opt.averaged(a) as Float64Array;
    expect(avg).toEqual(opt.state.get(a)?.ax);
    expect(avg).not.toBe(opt.state.get(a)?.ax);
    avg[0] = 123;
    expect(opt.state.get(a)?.ax[0]).not.toBe(123);
    expect(opt.averaged(fresh)).toBeNull();
    // The average smooths the noise: closer to 3 than the last iterate.
    expect(Math.abs((opt.averaged(a) as Float64Array)[1] - 3)).toBeLessThan(Math.abs(a.data[1] - 3));
  });

  it("averaged(param) of a parameter the optimizer does not hold is an error", () => {
    const { opt } = trained();
    expect(() => opt.averaged({ data: new Float64Array(1), grad: null })).toThrow(
      "ASGD.averaged: the parameter is not in this optimizer's param groups",
    );
  });

  it("swapAveraged() puts the averages in, a second call restores the training values bit for bit", () => {
    const { opt, a, b, fresh } = trained();
    const training = [a.data.slice(), b.data.slice()];
    const averages = [opt.averaged(a), opt.averaged(b)];
    expect(opt.swapAveraged()).toBe(true);
    expect(opt.holdsAverages).toBe(true);
    expect([a.data, b.data]).toEqual(averages);
    expect(opt.averaged(a)).toEqual(averages[0]); // still the average while swapped
    expect([...fresh.data]).toEqual([5]); // no state: left alone
    expect(opt.swapAveraged()).toBe(false);
    expect([a.data, b.data]).toEqual(training);
    expect(opt.averaged(b)).toEqual(averages[1]);
  });

  it("step, stateDict and loadStateDict refuse while the averages are in, and change nothing", () => {
    const { opt, a } = trained();
    const saved = opt.stateDict();
    opt.swapAveraged();
    const before = a.data.slice();
    a.grad = { data: Float64Array.from([1, 1]) };
    expect(() => opt.step()).toThrow(
      "ASGD.step: the parameters hold their averages (swapAveraged); call swapAveraged() again to restore the training values first",
    );
    expect(a.data).toEqual(before);
    expect(opt.state.get(a)?.step).toBe(30);
    expect(() => opt.stateDict()).toThrow("ASGD.stateDict: the parameters hold their averages");
    expect(() => opt.loadStateDict(saved)).toThrow("ASGD.loadStateDict: the parameters hold their averages");
    opt.swapAveraged();
    expect(() => opt.step()).not.toThrow();
  });

  it("withAveraged(fn) evaluates with the averages and restores the training values, also when fn throws", () => {
    const { opt, a } = trained();
    const training = a.data.slice();
    const avg = opt.averaged(a) as Float64Array;
    const seen = opt.withAveraged(() => a.data.slice());
    expect(seen).toEqual(avg);
    expect(a.data).toEqual(training);
    expect(() =>
      opt.withAveraged(() => {
        throw new Error("evaluation failed");
      }),
    ).toThrow("evaluation failed");
    expect(a.data).toEqual(training);
    expect(opt.holdsAverages).toBe(false);
  });

  it("withAveraged refuses nesting and asynchronous functions (after restoring the values)", () => {
    const { opt, a } = trained();
    const training = a.data.slice();
    opt.swapAveraged();
    expect(() => opt.withAveraged(() => 1)).toThrow(
      "ASGD.withAveraged: the parameters already hold their averages",
    );
    opt.swapAveraged();
    expect(() => opt.withAveraged(async () => 1)).toThrow("ASGD.withAveraged: fn returned a promise");
    expect(a.data).toEqual(training);
    expect(opt.holdsAverages).toBe(false);
  });

  it("up to step ⌊t0⌋ + 2 the average is the parameter itself", () => {
    const w: Param = { data: Float64Array.from([1, 2]), grad: null };
    const opt = new ASGD([w], { t0: 3.5 });
    for (let t = 1; t <= 6; t++) {
      w.grad = { data: Float64Array.from([t, -t]) };
      opt.step();
      if (t <= 5) expect(opt.averaged(w)).toEqual(w.data);
      else expect(opt.averaged(w)).not.toEqual(w.data); // μ₅ = 1/1.5
    }
  });
});

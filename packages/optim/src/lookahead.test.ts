import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { Adam } from "./adam.js";
import { AdamW } from "./adamw.js";
import { createOptimizer } from "./catalog-values.js";
import { clipGradNorm } from "./clip.js";
import { withKernelBackend } from "./kernel-backend.js";
import { LBFGS } from "./lbfgs.js";
import { LOOKAHEAD_ADAM_ENTRY, Lookahead, type LookaheadStateDict, lookaheadSync } from "./lookahead.js";
import type { Optimizer } from "./optimizer.js";
import type { Param } from "./param.js";
import {
  type Case,
  FLOAT32_REL_TOL,
  FLOAT64_REL_TOL,
  setCaseGrads,
  type Worst,
  worstOf,
} from "./reference-fixtures.testutil.js";
import { RMSprop } from "./rmsprop.js";
import { ScheduleFreeAdamW } from "./schedule-free/index.js";
import { CosineAnnealingLR, StepLR } from "./schedulers/index.js";
import { SGD } from "./sgd.js";
import type { OptimizerStateDict } from "./state-dict.js";
import { wasmSimdSupported } from "./wasm/module.js";

// Trajectories of a NumPy port of the authors' Lookahead (lookahead_pytorch.py) around ports of
// torch.optim's SGD, Adam, AdamW and RMSprop (fixtures/lookahead.json, made by
// fixtures/wrappers_schedulefree_reference.py, whose --check runs the authors' class around real
// torch.optim 1.13: every case bit-identical to the port with PyTorch's fused multiply-adds).

interface LookaheadCase extends Case {
  lookahead: { la_steps: number; la_alpha: number };
  finalCounter: number;
}

const cases = (
  JSON.parse(readFileSync(new URL("../fixtures/lookahead.json", import.meta.url), "utf8")) as {
    cases: LookaheadCase[];
  }
).cases;

const OPTIONS: Record<string, string> = {
  lr: "lr",
  momentum: "momentum",
  nesterov: "nesterov",
  betas: "betas",
  amsgrad: "amsgrad",
  weight_decay: "weightDecay",
};
const STATE: Record<string, string> = {
  momentum_buffer: "momentumBuffer",
  exp_avg: "expAvg",
  exp_avg_sq: "expAvgSq",
  max_exp_avg_sq: "maxExpAvgSq",
  square_avg: "squareAvg",
};
// biome-ignore lint/suspicious/noExplicitAny: any inner rule
const INNER: Record<string, new (params: any, options: any) => Optimizer<any, any>> = {
  SGD,
  Adam,
  AdamW,
  RMSprop,
};

function camel(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => {
      if (OPTIONS[key] === undefined) throw new Error(`fixture option ${key} has no counterpart`);
      return [OPTIONS[key], value];
    }),
  );
}

function runCase(c: LookaheadCase): Worst {
  const Arr = c.dtype === "float64" ? Float64Array : Float32Array;
  const params: Param[] = c.initialParams.map((p) => ({ data: new Arr(p), grad: null }));
  const groups = c.groups.map(({ params: indices, ...options }) => ({
    params: indices.map((i) => params[i]),
    ...camel(options),
  }));
  const opt = new Lookahead(new INNER[c.optimizer](groups, camel(c.defaults)), {
    k: c.lookahead.la_steps,
    alpha: c.lookahead.la_alpha,
  });
  const worst: Worst = { deviation: 0, where: "" };
  for (let t = 1; t <= c.steps; t++) {
    c.lrSchedule?.forEach((schedule, g) => {
      opt.paramGroups[g].lr = schedule[t - 1];
    });
    setCaseGrads(c, t, params);
    opt.step();
    params.forEach((p, i) => {
      worstOf(p.data, c.trajectory[t - 1][i], `step ${t} param ${i}`, worst);
    });
  }
  expect((opt.stateDict() as LookaheadStateDict).lookahead.counters).toEqual(
    c.groups.map(() => c.finalCounter),
  );
  params.forEach((p, i) => {
    const { slow, ...inner } = c.finalState[i] as Record<string, number[] | number>;
    worstOf(opt.slowWeights(p) as Float64Array, slow as number[], `slow weights of param ${i}`, worst);
    const state = opt.state.get(p) as Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(inner)) {
      if (key === "step") {
        expect(state?.step, `param ${i} step`).toBe(value);
        continue;
      }
      worstOf(state?.[STATE[key]] as Float64Array, value as number[], `param ${i} ${key}`, worst);
    }
  });
  return worst;
}

const summary: { name: string; deviation: number }[] = [];
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation } of summary) console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}`);
});

describe("the authors' Lookahead (lookahead_pytorch.py): reference trajectories", () => {
  for (const c of cases) {
    it(`${c.name} (${c.optimizer}, k ${c.lookahead.la_steps}, α ${c.lookahead.la_alpha}, ${c.dtype}, ${c.steps} steps)`, () => {
      const worst = runCase(c);
      summary.push({ name: c.name, deviation: worst.deviation });
      expect(worst.deviation, worst.where).toBeLessThanOrEqual(
        c.dtype === "float64" ? FLOAT64_REL_TOL : FLOAT32_REL_TOL,
      );
    });
    if (c.dtype === "float32" && wasmSimdSupported()) {
      it(`${c.name} on the WASM kernels`, () => {
        const worst = withKernelBackend("wasm", () => runCase(c), 1);
        expect(worst.deviation, worst.where).toBeLessThanOrEqual(FLOAT32_REL_TOL);
      });
    }
  }

  it.each([
    ["alpha off by 1e-9", (c: LookaheadCase) => ({ lookahead: { ...c.lookahead, la_alpha: 0.5 + 1e-9 } })],
    ["k one step longer", (c: LookaheadCase) => ({ lookahead: { ...c.lookahead, la_steps: 6 } })],
  ])("%s is detected", (_, change) => {
    const c = cases.find((x) => x.name === "lookahead/adam") as LookaheadCase;
    expect(runCase({ ...c, ...change(c) }).deviation).toBeGreaterThan(FLOAT64_REL_TOL);
  });
});

const p2 = (): Param => ({ data: Float64Array.from([1, -2]), grad: null });
const HAND = [
  [0.5, -1],
  [0.3, 0.2],
  [-0.4, 0.1],
];

describe("Lookahead hand-computed values (Python float64)", () => {
  it("SGD lr 0.1, k 2, α 0.5: synchronizes after step 2", () => {
    const p = p2();
    const opt = new Lookahead(new SGD([p], { lr: 0.1 }), { k: 2, alpha: 0.5 });
    const traj = HAND.map((g) => {
      p.grad = { data: Float64Array.from(g) };
      opt.step();
      return [...p.data];
    });
    // [0.95, −1.9]; [0.92, −1.92] then 0.5·θ + 0.5·φ with φ = [1, −2]; one more SGD step.
    expect(traj).toEqual([
      [0.95, -1.9],
      [0.96, -1.96],
      [1.0, -1.97],
    ]);
    expect([...(opt.slowWeights(p) ?? [])]).toEqual([0.96, -1.96]);
  });

  it("Adam lr 0.1, k 2, α 0.3: the inner state carries over the synchronization", () => {
    const p = p2();
    const opt = new Lookahead(new Adam([p], { lr: 0.1 }), { k: 2, alpha: 0.3 });
    const traj = HAND.map((g) => {
      p.grad = { data: Float64Array.from(g) };
      opt.step();
      return [...p.data];
    });
    expect(traj).toEqual([
      [0.900000002, -1.900000001],
      [0.9412752960126628, -1.9546692181971483],
      [0.9164166133449385, -1.9215959239296025],
    ]);
    expect(opt.state.get(p)?.step).toBe(3);
  });

  it("lookaheadSync computes α·θ + (1 − α)·φ in that order, float32 op by op", () => {
    const fast = Float64Array.from([0.1, 3]);
    const slow = Float64Array.from([0.7, -1]);
    lookaheadSync(fast, slow, 0.3);
    expect([...fast]).toEqual([0.1 * 0.3 + 0.7 * 0.7, 3 * 0.3 + 0.7 * -1]);
    expect([...slow]).toEqual([...fast]);
    const f32 = Float32Array.from([0.1, 3]);
    const s32 = Float32Array.from([0.7, -1]);
    lookaheadSync(f32, s32, 0.3);
    const f = Math.fround;
    expect([...f32]).toEqual([f(f(f(0.1) * f(0.3)) + f(f(0.7) * f(0.7))), f(f(3 * f(0.3)) + f(f(0.7) * -1))]);
  });
});

describe("Lookahead around any optimizer", () => {
  it("shares the inner optimizer's paramGroups, state and defaults", () => {
    const inner = new Adam([p2()], { lr: 0.01 });
    const opt = new Lookahead(inner);
    expect(opt.paramGroups).toBe(inner.paramGroups);
    expect(opt.state).toBe(inner.state);
    expect(opt.defaults).toBe(inner.defaults);
    expect(opt.kind).toBe("Lookahead");
    expect(opt.inner).toBe(inner);
    expect([opt.k, opt.alpha]).toEqual([5, 0.5]);
    expect(opt.paramGroups[0]).toMatchObject({ lookaheadK: 5, lookaheadAlpha: 0.5 });
  });

  it("LR schedulers drive the inner optimizer through it", () => {
    const p = p2();
    const inner = new SGD([p], { lr: 0.1, momentum: 0.9 });
    const opt = new Lookahead(inner, { k: 3 });
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const lrs: number[] = [];
    for (let t = 0; t < 5; t++) {
      p.grad = { data: Float64Array.from([1, 1]) };
      opt.step();
      sched.step();
      lrs.push(inner.paramGroups[0].lr);
    }
    expect(lrs).toEqual([0.1, 0.05, 0.05, 0.025, 0.025]);
    const cosine = new CosineAnnealingLR(opt, { tMax: 10 });
    cosine.step();
    expect(inner.paramGroups[0].lr).toBeLessThan(0.025);
  });

  it("zeroGrad and clipGradNorm reach the parameters", () => {
    const p = p2();
    const opt = new Lookahead(new SGD([p], { lr: 0.1 }));
    p.grad = { data: Float64Array.from([3, 4]) };
    expect(clipGradNorm(opt.paramGroups[0].params, 1)).toBe(5);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it("passes the closure to the inner step and returns its loss (LBFGS inside)", () => {
    const x: Param = { data: Float64Array.from([3]), grad: null };
    const opt = new Lookahead(new LBFGS([x], { maxIter: 5 }), { k: 2, alpha: 0.5 });
    const closure = () => {
      x.grad = { data: Float64Array.from([2 * (x.data[0] - 1)]) };
      return (x.data[0] - 1) ** 2;
    };
    expect(opt.step(closure)).toBe(4);
    expect(x.data[0]).toBe(1); // LBFGS reaches the minimum in its first step
    opt.step(closure);
    // Its second step stays there; the synchronization then averages it with φ = 3.
    expect(x.data[0]).toBe(2);
    expect([...(opt.slowWeights(x) ?? [])]).toEqual([2]);
  });

  it("does not count a step the inner optimizer skipped (non-finite gradient, policy skip)", () => {
    const p = p2();
    const opt = new Lookahead(new SGD([p], { lr: 0.1, nonFinite: "skip" }), { k: 2 });
    p.grad = { data: Float64Array.from([Number.NaN, 1]) };
    opt.step();
    expect(opt.skippedSteps).toBe(1);
    expect((opt.stateDict() as LookaheadStateDict).lookahead.counters).toEqual([0]);
  });

  it("a group's lookaheadK and lookaheadAlpha can be written between steps, and are checked at the next step", () => {
    const p = p2();
    const opt = new Lookahead(new SGD([p], { lr: 0.1 }), { k: 5 });
    opt.paramGroups[0].lookaheadK = 1;
    opt.paramGroups[0].lookaheadAlpha = 0;
    p.grad = { data: Float64Array.from([1, 1]) };
    opt.step();
    expect([...p.data]).toEqual([1, -2]); // α = 0: back to φ at every step
    opt.paramGroups[0].lookaheadAlpha = 2;
    expect(() => opt.step()).toThrow(
      "Invalid linear interpolation factor alpha: 2 (expected a number in [0, 1]) (param group 0)",
    );
    opt.alpha = 1;
    expect(opt.paramGroups[0].lookaheadAlpha).toBe(1);
    expect(() => {
      opt.k = 0;
    }).toThrow("Invalid number of lookahead steps k: 0");
  });

  it("addParamGroup adds the group to the inner optimizer, with slow weights copied now", () => {
    const [a, b] = [p2(), p2()];
    const opt = new Lookahead(new SGD([a], { lr: 0.1 }), { k: 2 });
    b.data[0] = 7;
    opt.addParamGroup({ params: [b], lr: 0.5, lookaheadAlpha: 0.25 });
    expect(opt.inner.paramGroups).toHaveLength(2);
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, lookaheadK: 2, lookaheadAlpha: 0.25 });
    expect([...(opt.slowWeights(b) ?? [])]).toEqual([7, -2]);
    expect(() => opt.addParamGroup({ params: [p2()], lookaheadK: 1.5 })).toThrow(
      "Invalid number of lookahead steps k: 1.5 (expected an integer ≥ 1) (param group 2)",
    );
    expect(opt.paramGroups).toHaveLength(2);
    opt.inner.addParamGroup({ params: [p2()] });
    expect(() => opt.step()).toThrow("add groups with Lookahead.addParamGroup");
  });

  it.each([
    [{ k: 0 }, "Invalid number of lookahead steps k: 0 (expected an integer ≥ 1)"],
    [{ k: 2.5 }, "Invalid number of lookahead steps k: 2.5"],
    [{ alpha: -0.1 }, "Invalid linear interpolation factor alpha: -0.1 (expected a number in [0, 1])"],
    [{ alpha: Number.NaN }, "Invalid linear interpolation factor alpha: NaN"],
    [{ steps: 5 }, 'Lookahead: unknown option "steps" (its options are k and alpha)'],
  ])("%j is rejected: %s", (options, message) => {
    expect(() => new Lookahead(new SGD([p2()], { lr: 0.1 }), options as never)).toThrow(message);
  });

  it("refuses what it cannot wrap", () => {
    expect(() => new Lookahead({ paramGroups: [] } as never)).toThrow(
      "Lookahead: the inner optimizer must be an Optimizer of @descent/optim, got Object",
    );
    expect(() => new Lookahead(new ScheduleFreeAdamW([p2()]))).toThrow(
      "Lookahead cannot wrap ScheduleFreeAdamW: its parameters move between a training and an evaluation point",
    );
    const inner = new SGD([p2()], { lr: 0.1 });
    const first = new Lookahead(inner);
    expect(() => new Lookahead(inner)).toThrow(
      "Lookahead: SGD is already wrapped by a Lookahead (param group 0)",
    );
    expect(() => new Lookahead(first)).toThrow("already wrapped");
  });
});

describe("Lookahead stateDict and loadStateDict", () => {
  function trained(steps: number) {
    const ps = [p2(), { data: Float64Array.from([0.5, 0.25, -1]), grad: null } as Param];
    const opt = new Lookahead(new AdamW([{ params: [ps[0]] }, { params: [ps[1]], lr: 0.02 }], { lr: 0.01 }), {
      k: 3,
      alpha: 0.4,
    });
    for (let t = 1; t <= steps; t++) {
      ps.forEach((p, k) => {
        p.grad = { data: p.data.map((x, i) => x + Math.sin(t + i + k)) };
      });
      opt.step();
    }
    return { ps, opt };
  }

  it("round trip through JSON mid-cycle continues bit for bit", () => {
    const a = trained(4);
    const saved = JSON.parse(JSON.stringify(a.opt.stateDict())) as LookaheadStateDict;
    expect(saved).toMatchObject({ kind: "Lookahead", inner: "AdamW", lookahead: { counters: [1, 1] } });
    const b = trained(0);
    a.ps.forEach((p, k) => {
      b.ps[k].data.set(p.data);
    });
    b.opt.loadStateDict(saved);
    for (let t = 5; t <= 12; t++) {
      for (const { ps, opt } of [a, b]) {
        ps.forEach((p, k) => {
          p.grad = { data: p.data.map((x, i) => x + Math.sin(t + i + k)) };
        });
        opt.step();
      }
      a.ps.forEach((p, k) => {
        expect([...b.ps[k].data]).toEqual([...p.data]);
      });
    }
    expect(b.opt.stateDict()).toEqual(a.opt.stateDict());
  });

  const edits: [string, (sd: Record<string, unknown> & LookaheadStateDict) => void, string][] = [
    [
      "another kind",
      (sd) => Object.assign(sd, { kind: "AdamW" }),
      'the state dict is for "AdamW", not Lookahead (a state of the inner optimizer alone',
    ],
    [
      "another inner kind",
      (sd) => Object.assign(sd, { inner: "Adam" }),
      'the state dict wraps "Adam", but this Lookahead wraps AdamW',
    ],
    ["an unknown key", (sd) => Object.assign(sd, { extra: 1 }), 'unknown key "extra"'],
    [
      "a counter at k",
      (sd) => Object.assign(sd.lookahead, { counters: [3, 0] }),
      "lookahead.counters[0] is 3, expected an integer in [0, 2]",
    ],
    [
      "a missing counter",
      (sd) => Object.assign(sd.lookahead, { counters: [0] }),
      "lookahead.counters is [0], expected one count per param group (2)",
    ],
    [
      "slow weights of another length",
      (sd) => sd.lookahead.slow[1].values.pop(),
      "lookahead.slow[1] has 2 values, but the parameter has 3 elements",
    ],
    [
      "a missing lookaheadAlpha",
      (sd) => delete sd.paramGroups[1].lookaheadAlpha,
      "Invalid linear interpolation factor alpha: undefined",
    ],
    [
      "an invalid inner option",
      (sd) => Object.assign(sd.paramGroups[0], { lr: -1 }),
      "Invalid learning rate: -1",
    ],
    [
      "an inner buffer of another length",
      (sd) => (sd.state["0"].expAvg as { values: number[] }).values.pop(),
      "expAvg has 1 values",
    ],
  ];
  it.each(edits)("%s is rejected, and nothing changes", (_, edit, message) => {
    const { opt } = trained(4);
    const sd = JSON.parse(JSON.stringify(opt.stateDict()));
    edit(sd);
    const before = JSON.stringify(opt.stateDict());
    expect(() => opt.loadStateDict(sd as OptimizerStateDict)).toThrow(message);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });
});

describe("the catalog entry lookahead-adam", () => {
  it("builds Lookahead around Adam from Adam's hyperparameters plus k and alpha", () => {
    const p = p2();
    const opt = createOptimizer("lookahead-adam", [p], { lr: 0.05, beta1: 0.8, k: 4, alpha: 0.6 });
    expect(opt).toBeInstanceOf(Lookahead);
    const la = opt as Lookahead;
    expect(la.inner).toBeInstanceOf(Adam);
    expect(la.paramGroups[0]).toMatchObject({
      lr: 0.05,
      betas: [0.8, 0.999],
      lookaheadK: 4,
      lookaheadAlpha: 0.6,
    });
    expect(LOOKAHEAD_ADAM_ENTRY.hyperparameters.map((h) => h.key)).toEqual([
      "lr",
      "beta1",
      "beta2",
      "eps",
      "weightDecay",
      "amsgrad",
      "k",
      "alpha",
    ]);
  });

  it("writing the options into the groups retunes k and alpha", () => {
    const p = p2();
    const opt = createOptimizer("lookahead-adam", [p], { k: 10 });
    for (const h of LOOKAHEAD_ADAM_ENTRY.hyperparameters) {
      if (h.key === "alpha") for (const g of opt.paramGroups) g[h.option] = 0;
      if (h.key === "k") for (const g of opt.paramGroups) g[h.option] = 1;
    }
    p.grad = { data: Float64Array.from([1, 1]) };
    opt.step();
    expect([...p.data]).toEqual([1, -2]);
  });
});

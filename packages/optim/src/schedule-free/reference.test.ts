import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { withKernelBackend } from "../kernel-backend.js";
import type { Param } from "../param.js";
import {
  type Case,
  FLOAT32_REL_TOL,
  FLOAT64_REL_TOL,
  setCaseGrads,
  type Worst,
  worstOf,
} from "../reference-fixtures.testutil.js";
import { wasmSimdSupported } from "../wasm/module.js";
import { ScheduleFreeAdamW } from "./adamw.js";
import type { ScheduleFreeOptimizer } from "./optimizer.js";
import { ScheduleFreeSGD } from "./sgd.js";

// Trajectories of a NumPy port of the authors' `schedulefree` 1.4.1 (fixtures/schedulefree-*.json,
// made by fixtures/wrappers_schedulefree_reference.py, whose --check runs the reference classes on
// real PyTorch and finds every case bit-identical to the port with PyTorch's fused multiply-adds):
// train(), steps, eval() and train() in the middle (x and y recorded), a final eval(), the state z
// and exp_avg_sq and each group's k, weight_sum, lr_max, scheduled_lr and train_mode.

interface ScheduleFreeCase extends Case {
  evalAt: number[];
  evalParams: number[][][];
  trainParams: number[][][];
  finalEvalParams: number[][];
  finalGroups: { k: number; weight_sum: number; lr_max: number; scheduled_lr: number; train_mode: boolean }[];
}

function load(stem: string): ScheduleFreeCase[] {
  const url = new URL(`../../fixtures/${stem}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { cases: ScheduleFreeCase[] }).cases;
}

const OPTIONS: Record<string, string> = {
  lr: "lr",
  betas: "betas",
  eps: "eps",
  momentum: "momentum",
  weight_decay: "weightDecay",
  warmup_steps: "warmupSteps",
  r: "r",
  weight_lr_power: "weightLrPower",
};

function camel(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => {
      const name = OPTIONS[key];
      if (name === undefined) throw new Error(`fixture option ${key} has no counterpart`);
      return [name, value];
    }),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: either rule
type AnyScheduleFree = ScheduleFreeOptimizer<any, any, any>;

function make(c: ScheduleFreeCase, params: Param[]): AnyScheduleFree {
  const groups = c.groups.map(({ params: indices, ...options }) => ({
    params: indices.map((i) => params[i]),
    ...camel(options),
  }));
  const defaults = camel(c.defaults);
  if (c.optimizer === "AdamWScheduleFree") return new ScheduleFreeAdamW(groups as never, defaults);
  if (c.optimizer === "SGDScheduleFree") return new ScheduleFreeSGD(groups as never, defaults);
  throw new Error(`unknown optimizer ${c.optimizer}`);
}

/** Runs a case through the public API; returns the worst deviation over everything recorded. */
function runCase(c: ScheduleFreeCase): Worst {
  const Arr = c.dtype === "float64" ? Float64Array : Float32Array;
  const params: Param[] = c.initialParams.map((p) => ({ data: new Arr(p), grad: null }));
  const opt = make(c, params);
  const worst: Worst = { deviation: 0, where: "" };
  const compare = (expected: number[][], what: string) => {
    params.forEach((p, i) => {
      worstOf(p.data, expected[i], `${what} param ${i}`, worst);
    });
  };
  expect(opt.trainMode).toBe(false);
  opt.train();
  let e = 0;
  for (let t = 1; t <= c.steps; t++) {
    c.lrSchedule?.forEach((schedule, g) => {
      opt.paramGroups[g].lr = schedule[t - 1];
    });
    setCaseGrads(c, t, params);
    opt.step();
    compare(c.trajectory[t - 1], `step ${t}`);
    if (c.evalAt.includes(t)) {
      opt.eval();
      compare(c.evalParams[e], `eval() after step ${t}`);
      opt.train();
      compare(c.trainParams[e], `train() after step ${t}`);
      e += 1;
    }
  }
  expect(e).toBe(c.evalAt.length);
  opt.eval();
  compare(c.finalEvalParams, "final eval()");
  c.finalGroups.forEach((expected, g) => {
    const group = opt.paramGroups[g] as unknown as Record<string, unknown>;
    expect(group.k, `group ${g} k`).toBe(expected.k);
    expect(group.trainMode, `group ${g} trainMode`).toBe(expected.train_mode);
    worstOf(
      [group.weightSum as number, group.lrMax as number, group.scheduledLr as number],
      [expected.weight_sum, expected.lr_max, expected.scheduled_lr],
      `group ${g} [weightSum, lrMax, scheduledLr]`,
      worst,
    );
  });
  params.forEach((p, i) => {
    const expected = c.finalState[i] as Record<string, number[]>;
    const state = opt.state.get(p) as Record<string, unknown> | undefined;
    if (Object.keys(expected).length === 0) {
      expect(state, `param ${i} never had a gradient`).toBeUndefined();
      return;
    }
    expect(Object.keys(state ?? {}).sort(), `param ${i} state keys`).toEqual(
      ["step", "z", ...("exp_avg_sq" in expected ? ["expAvgSq"] : [])].sort(),
    );
    worstOf(state?.z as Float64Array, expected.z, `final z of param ${i}`, worst);
    if ("exp_avg_sq" in expected)
      worstOf(state?.expAvgSq as Float64Array, expected.exp_avg_sq, `final expAvgSq of param ${i}`, worst);
    expect(state?.z, `param ${i} z dtype`).toBeInstanceOf(Arr);
  });
  return worst;
}

const summary: { name: string; deviation: number }[] = [];
afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation } of summary) console.log(`${name.padEnd(55)} ${deviation.toExponential(2)}`);
});

for (const stem of ["schedulefree-adamw", "schedulefree-sgd"]) {
  describe(`schedulefree 1.4.1 reference: ${stem}`, () => {
    for (const c of load(stem)) {
      it(`${c.name} (${c.dtype}, ${c.steps} steps, eval() after ${c.evalAt.join(", ") || "the last"})`, () => {
        const worst = runCase(c);
        summary.push({ name: c.name, deviation: worst.deviation });
        expect(worst.deviation, worst.where).toBeLessThanOrEqual(
          c.dtype === "float64" ? FLOAT64_REL_TOL : FLOAT32_REL_TOL,
        );
      });
      if (c.dtype === "float32" && wasmSimdSupported()) {
        it(`${c.name} on the WASM kernels (every array, however small)`, () => {
          const worst = withKernelBackend("wasm", () => runCase(c), 1);
          expect(worst.deviation, worst.where).toBeLessThanOrEqual(FLOAT32_REL_TOL);
        });
      }
    }
  });
}

describe("the comparison detects small departures", () => {
  const cases = new Map([...load("schedulefree-adamw"), ...load("schedulefree-sgd")].map((c) => [c.name, c]));
  const variant = (
    name: string,
    change: (c: ScheduleFreeCase) => Partial<ScheduleFreeCase>,
  ): ScheduleFreeCase => {
    const c = cases.get(name) as ScheduleFreeCase;
    return { ...c, ...change(c) };
  };
  it.each([
    [
      "β1 off by 1e-9",
      variant("schedulefree-adamw/defaults", (c) => ({
        defaults: { ...c.defaults, betas: [0.9 + 1e-9, 0.999] },
      })),
    ],
    ["r off by 1e-9", variant("schedulefree-adamw/r", (c) => ({ defaults: { ...c.defaults, r: 1 + 1e-9 } }))],
    [
      "weightLrPower off by 1e-9",
      variant("schedulefree-sgd/r-weight-lr-power", (c) => ({
        defaults: { ...c.defaults, weight_lr_power: 0.5 + 1e-9 },
      })),
    ],
    [
      "warmup one step longer",
      variant("schedulefree-sgd/warmup-weight-decay", (c) => ({
        defaults: { ...c.defaults, warmup_steps: 11 },
      })),
    ],
    [
      "float32 momentum off by 1e-6",
      variant("schedulefree-sgd/float32-momentum", (c) => ({
        defaults: { ...c.defaults, momentum: 0.95 * (1 + 1e-6) },
      })),
    ],
  ])("%s is detected", (_, c) => {
    const tol = c.dtype === "float64" ? FLOAT64_REL_TOL : FLOAT32_REL_TOL;
    expect(runCase(c).deviation).toBeGreaterThan(tol);
  });
});

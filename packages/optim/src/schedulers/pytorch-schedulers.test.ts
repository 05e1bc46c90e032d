/**
 * CyclicLR, SWALR and ChainedScheduler against PyTorch: every group's lr and momentum (or
 * betas[0]) after construction and after every `step()`, driving the real SGD / Adam.
 *
 * Expected values come from `fixtures/torch_schedulers_reference.py`: real PyTorch 1.13 where its
 * semantics equal current PyTorch's, and a port of the current CyclicLR (checked bit for bit
 * against 1.13 where the two agree) for beta1 cycling and resuming (each case's `source` says
 * which).
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { Adam } from "../adam.js";
import type { Param } from "../param.js";
import { SGD } from "../sgd.js";
import { ChainedScheduler } from "./chained.js";
import { ConstantLR } from "./constant.js";
import { CosineAnnealingLR } from "./cosine.js";
import { CyclicLR } from "./cyclic.js";
import { ExponentialLR } from "./exponential.js";
import { LinearLR } from "./linear.js";
import { MultiStepLR } from "./multi-step.js";
import type { LRScheduler, SchedulableOptimizer } from "./scheduler.js";
import { StepLR } from "./step.js";
import { SWALR } from "./swa.js";

/**
 * float64, relative: the schedulers do PyTorch's float64 operations in PyTorch's order, so
 * deviations are a few ulps at most (V8's `**` and C's `pow` may differ by one ulp).
 */
const LR_RTOL = 1e-12;

interface Spec {
  kind: string;
  options?: Record<string, unknown>;
  schedulers?: Spec[];
}
interface Case {
  name: string;
  source: "torch-1.13" | "port-of-current";
  optimizer: "SGD" | "Adam";
  defaults: Record<string, unknown>;
  groups: Record<string, unknown>[];
  steps: number;
  scheduler: Spec;
  before?: { scheduler: Spec; steps: number };
  presetGroupKeys?: Record<string, number>;
  edits?: [number, number, number][];
  lr: number[][];
  momentum?: number[][];
  beta1?: number[][];
}

const fixture = JSON.parse(
  readFileSync(new URL("../../fixtures/schedulers.json", import.meta.url), "utf8"),
) as { torch: string; cases: Case[] };

/** The script's named custom scale functions, with the same float64 arithmetic. */
const SCALE_FNS: Record<string, (x: number) => number> = {
  inverse: (x) => 1 / (1 + 0.1 * x),
  halving: (x) => 0.5 ** Math.floor(x / 4),
};

const MAKERS: Record<string, (opt: SchedulableOptimizer, o: never) => LRScheduler> = {
  CyclicLR: (opt, o) => new CyclicLR(opt, o),
  SWALR: (opt, o) => new SWALR(opt, o),
  StepLR: (opt, o) => new StepLR(opt, o),
  ExponentialLR: (opt, o) => new ExponentialLR(opt, o),
  ConstantLR: (opt, o) => new ConstantLR(opt, o),
  LinearLR: (opt, o) => new LinearLR(opt, o),
  CosineAnnealingLR: (opt, o) => new CosineAnnealingLR(opt, o),
  MultiStepLR: (opt, o) => new MultiStepLR(opt, o),
};

function make(opt: SchedulableOptimizer, spec: Spec): LRScheduler {
  if (spec.kind === "ChainedScheduler") {
    const schedulers = (spec.schedulers ?? []).map((s) => make(opt, s));
    return new ChainedScheduler(opt, { schedulers });
  }
  const options: Record<string, unknown> = { ...spec.options };
  if (typeof options.scaleFn === "string") options.scaleFn = SCALE_FNS[options.scaleFn];
  return MAKERS[spec.kind](opt, options as never);
}

function param(): Param {
  return { data: new Float64Array(2), grad: null };
}

function optimizerOf(c: Case): SGD | Adam {
  const groups = c.groups.map((g) => ({ params: [param()], ...g }));
  return c.optimizer === "SGD" ? new SGD(groups, c.defaults) : new Adam(groups as never, c.defaults);
}

const summary: { name: string; deviation: number }[] = [];

function deviation(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe(`schedulers against PyTorch ${fixture.torch}`, () => {
  it("has the cases", () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of fixture.cases) {
    it(`${c.name} (${c.source})`, () => {
      const opt = optimizerOf(c);
      for (const [key, value] of Object.entries(c.presetGroupKeys ?? {})) {
        for (const g of opt.paramGroups) g[key] = value;
      }
      if (c.before !== undefined) {
        const before = make(opt, c.before.scheduler);
        for (let t = 0; t < c.before.steps; t++) before.step();
      }
      const sched = make(opt, c.scheduler);
      const edits = new Map((c.edits ?? []).map(([t, g, lr]) => [t, [g, lr]]));
      const momenta = c.momentum ?? c.beta1;
      let worst = 0;
      for (let t = 0; t <= c.steps; t++) {
        if (t > 0) {
          const edit = edits.get(t);
          if (edit !== undefined) opt.paramGroups[edit[0]].lr = edit[1];
          sched.step();
        }
        expect(sched.getLastLr()).toEqual(opt.paramGroups.map((g) => g.lr));
        opt.paramGroups.forEach((g, i) => {
          const lr = deviation(g.lr, c.lr[t][i]);
          const m =
            momenta === undefined
              ? 0
              : deviation(c.beta1 ? (g.betas as number[])[0] : (g.momentum as number), momenta[t][i]);
          worst = Math.max(worst, lr, m);
          if (lr > LR_RTOL || m > LR_RTOL) {
            expect.fail(
              `${c.name}, step ${t}, group ${i}: lr ${g.lr} vs ${c.lr[t][i]}` +
                (momenta
                  ? `, momentum ${c.beta1 ? (g.betas as number[] | undefined)?.[0] : g.momentum} vs ${momenta[t][i]}`
                  : ""),
            );
          }
        });
        if (c.beta1)
          expect(opt.paramGroups.map((g) => (g.betas as number[])[1])).toEqual(
            c.groups.map((g) => (g.betas as number[])[1]),
          );
      }
      summary.push({ name: c.name, deviation: worst });
    });
  }
});

afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation } of summary) console.log(`${name.padEnd(60)} ${deviation.toExponential(2)}`);
});

/**
 * Independent check that the optimizers reproduce torch.optim's trajectories.
 *
 * Expected values come from `fixtures/torch_optim_reference.py`, a line-by-line NumPy port of
 * torch.optim's `_single_tensor_sgd/adagrad/rmsprop/adam` (AdamW: `decoupled_weight_decay`), with
 * ATen's per-op rounding, derived from PyTorch's source rather than from this package (see
 * `fixtures/README.md`). Each case drives the public API (`new SGD(...)`, `step()`, param groups
 * written between steps like an LR scheduler does) for 40–100 steps and compares every parameter
 * after every step, then the final per-parameter state (torch's buffer names mapped to ours).
 */
import { afterAll, describe, expect, it } from "vitest";
import { Adagrad, Adam, AdamW, RMSprop, SGD } from "./index.js";
import {
  type AnyOptimizer,
  type Case,
  describeReferenceCases,
  FLOAT32_REL_TOL,
  FLOAT64_REL_TOL,
  load,
  type Make,
  run,
} from "./reference-fixtures.testutil.js";

/** The five rules of these fixtures by torch.optim class (`float32.json` mixes them). */
const MAKE: Record<string, (groups: unknown, options: unknown) => AnyOptimizer> = {
  SGD: (g, o) => new SGD(g as never, o as never) as unknown as AnyOptimizer,
  Adagrad: (g, o) => new Adagrad(g as never, o as never) as unknown as AnyOptimizer,
  RMSprop: (g, o) => new RMSprop(g as never, o as never) as unknown as AnyOptimizer,
  Adam: (g, o) => new Adam(g as never, o as never) as unknown as AnyOptimizer,
  AdamW: (g, o) => new AdamW(g as never, o as never) as unknown as AnyOptimizer,
};
const make: Make = (groups, options, optimizer) => {
  const build = MAKE[optimizer];
  if (build === undefined) throw new Error(`no constructor for ${optimizer}`);
  return build(groups, options);
};

const summary: { name: string; deviation: number; where: string }[] = [];

const RULES = ["sgd", "adagrad", "rmsprop", "adam", "adamw"];
for (const stem of [...RULES, "float32", ...RULES.map((rule) => `float32-${rule}`)]) {
  describeReferenceCases(stem, make, {}, summary);
}

/** Every case by name, to derive the departures below from. */
const CASES = new Map(
  ["sgd", "adagrad", "rmsprop", "adam", "adamw", "float32"].flatMap((stem) =>
    load(stem).map((c) => [c.name, c]),
  ),
);

function variant(name: string, change: Partial<Case>, options: Record<string, unknown> = {}): Case {
  const c = CASES.get(name);
  if (c === undefined) throw new Error(`no case ${name}`);
  return { ...c, ...change, defaults: { ...c.defaults, ...options } };
}

describe("torch.optim reference: the comparison detects small departures", () => {
  // Each variant changes one thing the fixtures pin down; the trajectory must then leave the tolerance.
  const departures: [string, Case, number][] = [
    ["lr off by 1e-9 (relative)", variant("adam/defaults", {}, { lr: 1e-3 * (1 + 1e-9) }), FLOAT64_REL_TOL],
    [
      "eps off by 1e-6 (relative)",
      variant("rmsprop/alpha-eps", {}, { eps: 1e-6 * (1 + 1e-6) }),
      FLOAT64_REL_TOL,
    ],
    [
      "coupled instead of decoupled decay",
      variant("adamw/weight-decay", { optimizer: "Adam" }),
      FLOAT64_REL_TOL,
    ],
    [
      "decoupled instead of coupled decay",
      variant("adam/weight-decay", { optimizer: "AdamW" }),
      FLOAT64_REL_TOL,
    ],
    ["no dampening", variant("sgd/momentum-dampening", {}, { dampening: 0 }), FLOAT64_REL_TOL],
    ["plain momentum for Nesterov", variant("sgd/nesterov", {}, { nesterov: false }), FLOAT64_REL_TOL],
    ["uncentered RMSprop", variant("rmsprop/centered", {}, { centered: false }), FLOAT64_REL_TOL],
    ["Adam without AMSGrad", variant("adam/amsgrad", {}, { amsgrad: false }), FLOAT64_REL_TOL],
    [
      "Adagrad lr decay off by 1e-9",
      variant("adagrad/lr-decay", {}, { lr_decay: 0.05 * (1 + 1e-9) }),
      FLOAT64_REL_TOL,
    ],
    [
      "float32 Adam without AMSGrad",
      variant("float32/adam-amsgrad", {}, { amsgrad: false }),
      FLOAT32_REL_TOL,
    ],
  ];
  for (const [what, c, tol] of departures) {
    it(`${what} (${c.name}) is detected`, () => {
      expect(run(c, make, {}, false).deviation).toBeGreaterThan(tol);
    });
  }
});

afterAll(() => {
  if (process.env.DESCENT_REFERENCE_REPORT === undefined) return;
  for (const { name, deviation, where } of summary)
    console.log(`${name.padEnd(45)} ${deviation.toExponential(2)}  ${where}`);
});

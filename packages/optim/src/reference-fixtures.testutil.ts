// Runs the torch.optim reference fixtures (`fixtures/*.json`, see fixtures/README.md) through the
// public API of any rule: each rule's test calls {@link describeReferenceCases} with its fixture
// file and its constructor.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withKernelBackend } from "./kernel-backend.js";
import type { FloatArray, Param } from "./param.js";
import { wasmSimdSupported } from "./wasm/module.js";

/** float64: largest relative deviation from the reference (a few ulps per step, over 100 steps). */
export const FLOAT64_REL_TOL = 1e-12;
/**
 * float32: exact. For float32 parameters the package computes every operation in float32, in
 * PyTorch's order, as ATen's scalar CPU loop does and as the reference models it, so the
 * trajectories agree bit for bit, on the TypeScript loops and on the WASM kernels alike. (ATen's
 * vectorized loop fuses `add(alpha)` and `lerp` into FMAs; with real PyTorch on long tensors expect
 * a difference of about one float32 rounding per such op: see `fixtures/README.md`.)
 */
export const FLOAT32_REL_TOL = 0;
/**
 * Deviations are relative to max(|expected|, SCALE_FRACTION · max|expected over the array|,
 * MAGNITUDE_FLOOR): a component much smaller than its array's largest is the result of
 * cancellation (a parameter crossing zero, a momentum that nearly cancels), and its rounding error
 * is that of the larger quantities it came from.
 */
const SCALE_FRACTION = 1e-2;
/** Absolute floor of the scale above (relative error is meaningless at 0). */
const MAGNITUDE_FLOOR = 1e-6;

type Grad = number[] | null;
interface Group {
  params: number[];
  [option: string]: unknown;
}
export interface Case {
  name: string;
  /** The torch.optim class. */
  optimizer: string;
  dtype: "float64" | "float32";
  defaults: Record<string, unknown>;
  groups: Group[];
  steps: number;
  /** Each parameter's shape (values row-major), for rules that need it (Muon, Adafactor). */
  shapes?: number[][];
  initialParams: number[][];
  grads?: Grad[][];
  quadratic?: { h: number[][]; c: number[][]; noise: number[][][] };
  noGrad?: [number, number][];
  lrSchedule?: number[][];
  note?: string;
  trajectory: number[][][];
  finalState: Record<string, number | number[]>[];
}

export function load(stem: string): Case[] {
  const url = new URL(`../fixtures/${stem}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { cases: Case[] }).cases;
}

/** torch.optim keyword → this package's option, for the keywords several rules share. */
const OPTION_NAMES: Record<string, string> = {
  lr: "lr",
  momentum: "momentum",
  dampening: "dampening",
  nesterov: "nesterov",
  weight_decay: "weightDecay",
  maximize: "maximize",
  betas: "betas",
  eps: "eps",
  amsgrad: "amsgrad",
  alpha: "alpha",
  centered: "centered",
  lr_decay: "lrDecay",
  initial_accumulator_value: "initialAccumulatorValue",
};

/** torch.optim state key → this package's state key, for the keys several rules share. */
const STATE_NAMES: Record<string, string> = {
  step: "step",
  momentum_buffer: "momentumBuffer",
  sum: "sum",
  square_avg: "squareAvg",
  grad_avg: "gradAvg",
  exp_avg: "expAvg",
  exp_avg_sq: "expAvgSq",
  max_exp_avg_sq: "maxExpAvgSq",
};

/** A rule's own torch names → this package's (e.g. `{ momentum_decay: "momentumDecay" }`). */
export interface TorchNames {
  options?: Record<string, string>;
  state?: Record<string, string>;
}

function camel(options: Record<string, unknown>, names: TorchNames): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const name = names.options?.[key] ?? OPTION_NAMES[key];
    if (name === undefined) throw new Error(`fixture option ${key} has no counterpart`);
    out[name] = value;
  }
  return out;
}

/** What the test touches of an optimizer, whatever its rule. */
export interface AnyOptimizer {
  paramGroups: { lr: number }[];
  state: Map<Param, Record<string, unknown>>;
  step(): unknown;
}
/** Builds the optimizer of a case from its groups and constructor options. */
export type Make = (groups: unknown, options: unknown, optimizer: string) => AnyOptimizer;

/** Relative deviation of `actual` from `expected`, against `max(|expected|, floor)`; NaN is infinitely far. */
function deviation(actual: number, expected: number, floor: number): number {
  if (Number.isNaN(actual) || Number.isNaN(expected)) return Number.POSITIVE_INFINITY;
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), floor);
}

export interface Worst {
  deviation: number;
  where: string;
}

/** Updates `worst` with the largest deviation of `actual` from `expected` (as {@link run} measures it). */
export function worstOf(actual: ArrayLike<number>, expected: number[], where: string, worst: Worst): void {
  expect(actual.length, `${where}: length`).toBe(expected.length);
  const floor = Math.max(MAGNITUDE_FLOOR, SCALE_FRACTION * Math.max(...expected.map(Math.abs)));
  for (let k = 0; k < expected.length; k++) {
    const d = deviation(actual[k], expected[k], floor);
    if (d > worst.deviation || Number.isNaN(d)) {
      worst.deviation = d;
      worst.where = `${where}[${k}]: got ${actual[k]}, expected ${expected[k]}`;
    }
  }
}

/** The gradients a case's parameters hold: given per step, or a noisy quadratic, or none. */
export type CaseGradients = Pick<Case, "name" | "dtype" | "grads" | "quadratic" | "noGrad">;

/**
 * Sets every parameter's gradient for step t of a case: the stored gradient (null: none), or the
 * noisy quadratic's at the current parameters, `(p − c)·h + n_t` with the reference's three
 * operations in the case's dtype (float32: c, h and n rounded to float32 first, every operation
 * rounded), null where `noGrad` says so.
 */
export function setCaseGrads(c: CaseGradients, t: number, params: Param[]): void {
  const Arr = c.dtype === "float64" ? Float64Array : Float32Array;
  params.forEach((p, i) => {
    if (c.grads !== undefined) {
      const g = c.grads[t - 1][i];
      p.grad = g === null ? null : { data: new Arr(g) };
    } else if (c.quadratic !== undefined) {
      if (c.noGrad?.some(([step, k]) => step === t && k === i)) {
        p.grad = null;
        return;
      }
      const { h, c: centre, noise } = c.quadratic;
      const n = noise[t - 1][i];
      const g = new Arr(p.data.length);
      if (c.dtype === "float64") {
        for (let k = 0; k < g.length; k++) g[k] = (p.data[k] - centre[i][k]) * h[i][k] + n[k];
      } else {
        const r = Math.fround;
        for (let k = 0; k < g.length; k++) g[k] = r(r(r(p.data[k] - r(centre[i][k])) * r(h[i][k])) + r(n[k]));
      }
      p.grad = { data: g };
    } else {
      throw new Error(`case ${c.name} has no gradients`);
    }
  });
}

/**
 * Runs a case through the public API; returns the worst deviation over the trajectory and (with
 * `checkState`) the final state, whose step counts and buffer set are asserted exactly.
 */
export function run(c: Case, make: Make, names: TorchNames = {}, checkState = true): Worst {
  const Arr = c.dtype === "float64" ? Float64Array : Float32Array;
  const params: Param[] = c.initialParams.map((p, i) =>
    c.shapes === undefined
      ? { data: new Arr(p), grad: null }
      : { data: new Arr(p), grad: null, shape: c.shapes[i] },
  );
  const groups = c.groups.map(({ params: indices, ...options }) => ({
    params: indices.map((i) => params[i]),
    ...camel(options, names),
  }));
  const opt = make(groups, camel(c.defaults, names), c.optimizer);
  const worst: Worst = { deviation: 0, where: "" };
  const taken = params.map(() => 0);
  for (let t = 1; t <= c.steps; t++) {
    c.lrSchedule?.forEach((schedule, g) => {
      opt.paramGroups[g].lr = schedule[t - 1];
    });
    setCaseGrads(c, t, params);
    params.forEach((p, i) => {
      if (p.grad !== null) taken[i] += 1;
    });
    opt.step();
    params.forEach((p, i) => {
      worstOf(p.data, c.trajectory[t - 1][i], `step ${t} param ${i}`, worst);
    });
  }
  if (!checkState) return worst;
  params.forEach((p, i) => {
    const expected = c.finalState[i];
    const state = opt.state.get(p);
    if (taken[i] === 0) {
      // torch: no state (Adagrad: its eager, untouched state); here state appears at the first step.
      expect(state, `param ${i} never had a gradient`).toBeUndefined();
      return;
    }
    expect(state, `state of param ${i}`).toBeDefined();
    // torch's SGD keeps no step count; the others' must equal the number of steps with a gradient.
    expect(state?.step, `param ${i} step count`).toBe(taken[i]);
    for (const [key, value] of Object.entries(expected)) {
      const stateNames = { ...STATE_NAMES, ...names.state };
      const name = stateNames[key];
      expect(name, `torch state key ${key}`).toBeDefined();
      if (key === "step") expect(value, `fixture step count of param ${i}`).toBe(taken[i]);
      else {
        if (typeof value === "number") {
          // A per-parameter scalar (NAdam's mu_product, ASGD's eta and mu).
          worstOf([state?.[name] as number], [value], `final state param ${i} ${name}`, worst);
          continue;
        }
        const buffer = state?.[name] as FloatArray;
        // torch keeps state in the parameter's dtype.
        expect(buffer, `param ${i} ${name} dtype`).toBeInstanceOf(
          c.dtype === "float64" ? Float64Array : Float32Array,
        );
        worstOf(buffer, value as number[], `final state param ${i} ${name}`, worst);
      }
    }
    // No buffer that torch does not have (e.g. SGD's momentum buffer without momentum).
    for (const key of Object.keys(state ?? {})) {
      const stateNames = { ...STATE_NAMES, ...names.state };
      const torchKey = Object.keys(stateNames).find((k) => stateNames[k] === key);
      if (key !== "step" && state?.[key] !== undefined)
        expect(torchKey !== undefined && torchKey in expected, `unexpected buffer ${key}`).toBe(true);
    }
  });
  return worst;
}

/**
 * One test per case of `fixtures/<stem>.json` (float64 cases to {@link FLOAT64_REL_TOL}, float32
 * cases bit for bit, and again on the WASM kernels for every array however small); returns each
 * case's worst deviation into `summary` for reporting.
 */
export function describeReferenceCases(
  stem: string,
  make: Make,
  names: TorchNames = {},
  summary: { name: string; deviation: number; where: string }[] = [],
): void {
  describe(`torch.optim reference: ${stem}`, () => {
    for (const c of load(stem)) {
      it(`${c.name} (${c.optimizer}, ${c.dtype}, ${c.steps} steps)`, () => {
        const tol = c.dtype === "float64" ? FLOAT64_REL_TOL : FLOAT32_REL_TOL;
        const worst = run(c, make, names);
        summary.push({ name: c.name, deviation: worst.deviation, where: worst.where });
        expect(worst.deviation, worst.where).toBeLessThanOrEqual(tol);
      });
      if (c.dtype === "float32" && wasmSimdSupported()) {
        it(`${c.name} on the WASM kernels (every array, however small)`, () => {
          const worst = withKernelBackend("wasm", () => run(c, make, names), 1);
          expect(worst.deviation, worst.where).toBeLessThanOrEqual(FLOAT32_REL_TOL);
        });
      }
    }
  });
}

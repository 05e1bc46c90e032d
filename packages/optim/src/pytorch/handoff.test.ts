/**
 * The hand-off to PyTorch, both ways, against fixtures made with real torch.optim (PyTorch 1.13,
 * `fixtures/pytorch-handoff/make_fixtures.py`; no Python here):
 *
 * - Descent → PyTorch: Descent's export after N steps is byte for byte the file PyTorch loaded;
 *   PyTorch, continuing from it for M steps, lands where Descent's own N+M run lands;
 * - PyTorch → Descent: Descent loads PyTorch's export after N steps (written by the README's
 *   snippet) and, continuing M steps, lands where PyTorch's uninterrupted N+M run lands, with the
 *   same state.
 *
 * A continuation without the state lands far away (measured per case), so these tolerances catch
 * a hand-off that loses or misreads any of it.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as optim from "../index.js";
import type { Optimizer } from "../optimizer.js";
import type { Param } from "../param.js";
import { camelToSnake, NO_STEP } from "./names.js";

const dir = resolve(import.meta.dirname, "../../fixtures/pytorch-handoff");
const read = (file: string) => readFileSync(join(dir, file));
const json = (file: string) => JSON.parse(read(file).toString("utf8"));

interface Case {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  dtype: "float32" | "float64";
  group1: Record<string, unknown> | null;
  layoutOnly: boolean;
  shapes: number[][];
  n: number;
  m: number;
  initialParams: number[][];
  grads: number[][][];
}
interface Result {
  torchFull?: number[][];
  torchAfterN: number[][];
  torchFromDescent?: number[][];
  torchFullState?: Record<string, Record<string, number | number[]>>;
  check: Record<string, number | boolean | string>;
}

const cases: Case[] = json("cases.json").cases;
const results: Record<string, Result> = json("results.json");
const descentAfterN: Record<string, number[][]> = json("descent/params.json");

/**
 * Largest relative deviation allowed from PyTorch's run: float64 as every torch.optim comparison in
 * this package (FLOAT64_REL_TOL); float32 a few float32 roundings (PyTorch 1.13 fuses multiply-adds
 * the package does not, see fixtures/README.md).
 */
const TOL = { float64: 1e-12, float32: 1e-6 };

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const camelOptions = (o: Record<string, unknown> | null) =>
  Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [camel(k), v]));

type P = Param & { shape: number[] };

/** The case's optimizer over parameters holding `values`, as make-descent-exports.mjs builds it. */
function build(c: Case, values: number[][]): { opt: Optimizer; params: P[] } {
  const Arr = c.dtype === "float32" ? Float32Array : Float64Array;
  const params: P[] = values.map((v, i) => ({ data: Arr.from(v), grad: null, shape: c.shapes[i] }));
  const groups = c.group1
    ? [{ params: [params[0]] }, { params: [params[1]], ...camelOptions(c.group1) }]
    : [{ params }];
  const Rule = (optim as unknown as Record<string, new (p: unknown, o: unknown) => Optimizer>)[c.optimizer];
  return { opt: new Rule(groups, camelOptions(c.options)), params };
}

function run(c: Case, opt: Optimizer, params: P[], from: number, to: number): number[][] {
  const Arr = c.dtype === "float32" ? Float32Array : Float64Array;
  for (const step of c.grads.slice(from, to)) {
    params.forEach((p, i) => {
      p.grad = { data: Arr.from(step[i]) };
    });
    opt.step();
  }
  return params.map((p) => [...p.data]);
}

function relDev(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((x, i) => {
    const d = Math.abs(x - b[i]) / Math.max(Math.abs(b[i]), 1e-300);
    worst = Math.max(worst, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
  });
  return worst;
}

const flat = (xs: number[][]) => xs.flat();

/** Descent's state in PyTorch's names: { index: { name: number | values } } (SGD: no step, as in PyTorch). */
function stateInTorchNames(opt: Optimizer): Record<string, Record<string, number | number[]>> {
  const out: Record<string, Record<string, number | number[]>> = {};
  for (const [index, s] of Object.entries(opt.stateDict().state)) {
    out[index] = {};
    for (const [key, value] of Object.entries(s)) {
      if (key === "step" && NO_STEP.includes(opt.kind)) continue;
      out[index][camelToSnake(key)] =
        typeof value === "object" ? value.values.map(Number) : (value as number);
    }
  }
  return out;
}

/** Largest relative deviation over every buffer and scalar of two states with the same names. */
function stateDev(
  got: Record<string, Record<string, number | number[]>>,
  want: Record<string, Record<string, number | number[]>>,
): number {
  let worst = 0;
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const i of Object.keys(want)) {
    expect(Object.keys(got[i]).sort()).toEqual(Object.keys(want[i]).sort());
    for (const k of Object.keys(want[i])) {
      const [a, b] = [[got[i][k]].flat(), [want[i][k]].flat()];
      worst = Math.max(worst, relDev(a, b));
    }
  }
  return worst;
}

it("the fixtures cover SGD (momentum, Nesterov), Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, RAdam, Rprop, ASGD, and NAdam's layout", () => {
  expect(new Set(cases.filter((c) => !c.layoutOnly).map((c) => c.optimizer))).toEqual(
    new Set(["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "RAdam", "Rprop", "ASGD"]),
  );
  expect(cases.find((c) => c.layoutOnly)?.optimizer).toBe("NAdam");
  expect(json("cases.json").torch).toMatch(/^1\.13/);
});

describe.each(cases)("$name ($optimizer, $dtype)", (c) => {
  const r = results[c.name];

  it("Descent's state after N steps exports to the files PyTorch loaded, byte for byte", () => {
    const { opt, params } = build(c, c.initialParams);
    expect(run(c, opt, params, 0, c.n)).toEqual(descentAfterN[c.name]);
    const files = optim.toPyTorchState(opt);
    expect(files.json).toEqual(json(`descent/${c.name}.json`));
    expect(Buffer.from(files.safetensors).equals(read(`descent/${c.name}.safetensors`))).toBe(true);
    expect(r.check.stateKeysMatch).toBe(true); // PyTorch found its own state keys in what it loaded
  });
});

describe.each(cases.filter((c) => !c.layoutOnly))("$name ($optimizer, $dtype), continued", (c) => {
  const r = results[c.name];
  const tol = TOL[c.dtype];

  it("Descent → PyTorch: PyTorch continuing Descent's state lands where N+M steps land", () => {
    const { opt, params } = build(c, c.initialParams);
    const descentFull = run(c, opt, params, 0, c.n + c.m);
    const torchFull = r.torchFull as number[][];
    const torchFromDescent = r.torchFromDescent as number[][];
    // Measured by make_fixtures.py: at most 4e-16 (float64), 0 (float32 Adam).
    expect(r.check.torchFromDescentVsTorchFull).toBeLessThanOrEqual(tol);
    expect(r.check.stateFromDescentVsTorchFull).toBeLessThanOrEqual(c.dtype === "float64" ? tol : 1e-6);
    expect(relDev(flat(torchFromDescent), flat(descentFull))).toBeLessThanOrEqual(tol);
    expect(relDev(flat(torchFull), flat(descentFull))).toBeLessThanOrEqual(tol);
    // Without the state, PyTorch lands far away: the tolerance can tell a lost state.
    expect(r.check.withoutStateVsTorchFull).toBeGreaterThan(1e4 * tol);
  });

  it("PyTorch → Descent: Descent continuing PyTorch's state lands where N+M steps land, with the same state", () => {
    const { opt, params } = build(c, r.torchAfterN);
    optim.loadPyTorchState(opt, {
      json: read(`torch/${c.name}.json`).toString("utf8"),
      safetensors: new Uint8Array(read(`torch/${c.name}.safetensors`)),
    });
    const continued = run(c, opt, params, c.n, c.n + c.m);
    const torchFull = r.torchFull as number[][];
    expect(relDev(flat(continued), flat(torchFull))).toBeLessThanOrEqual(tol);
    const own = build(c, c.initialParams);
    expect(relDev(flat(continued), flat(run(c, own.opt, own.params, 0, c.n + c.m)))).toBeLessThanOrEqual(tol);
    expect(stateDev(stateInTorchNames(opt), r.torchFullState ?? {})).toBeLessThanOrEqual(
      c.dtype === "float64" ? tol : 1e-6,
    );
    // The same continuation from a fresh optimizer misses by far more than the tolerance.
    const fresh = build(c, r.torchAfterN);
    expect(relDev(flat(run(c, fresh.opt, fresh.params, c.n, c.n + c.m)), flat(torchFull))).toBeGreaterThan(
      1e4 * tol,
    );
  });
});

it("NAdam's state from PyTorch loads (mu_product, exp_avg, exp_avg_sq) and exports back to the same tensors", () => {
  const c = cases.find((x) => x.name === "nadam-layout") as Case;
  const { opt } = build(c, results[c.name].torchAfterN);
  const files = {
    json: read(`torch/${c.name}.json`).toString("utf8"),
    safetensors: new Uint8Array(read(`torch/${c.name}.safetensors`)),
  };
  optim.loadPyTorchState(opt, files);
  const state = opt.stateDict().state["0"];
  expect(Object.keys(state).sort()).toEqual(["expAvg", "expAvgSq", "muProduct", "step"]);
  expect(state.step).toBe(c.n);
  const again = build(c, results[c.name].torchAfterN);
  optim.loadPyTorchState(again.opt, optim.toPyTorchState(opt));
  expect(again.opt.stateDict()).toEqual(opt.stateDict());
});

it("the README's Python snippet is the code the fixtures were made with (fixtures/pytorch-handoff/descent_state.py)", () => {
  const readme = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");
  const block = /```python\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const source = read("descent_state.py").toString("utf8");
  const functions = [...source.matchAll(/^def [\s\S]*?(?=\n\n\n|\n*$)/gm)].map((m) => m[0]);
  expect(functions.map((f) => f.split("(")[0])).toEqual([
    "def read_safetensors",
    "def write_safetensors",
    "def load_descent_state",
    "def save_for_descent",
  ]);
  for (const f of functions) expect(block).toContain(f);
  expect(block).toContain('DTYPES = {"F32": torch.float32, "F64": torch.float64}');
});

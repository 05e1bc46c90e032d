/**
 * LBFGS against real `torch.optim.LBFGS` (PyTorch 1.13, whose lbfgs.py has 2.x's semantics), from
 * `fixtures/lbfgs_reference.py`: after every `step()`, the returned loss, every parameter, the
 * number of closure calls and PyTorch's state scalars. The problems are computed by the same
 * float64 operations on both sides (`lbfgs/problems.testutil.ts`), so any difference is the
 * optimizer's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  type FloatArray,
  LBFGS,
  type LBFGSOptions,
  NonFiniteGradientError,
  type OptimizerStateDict,
  type Param,
} from "./index.js";
import { type FixtureCase, loadFixture, problemOf } from "./lbfgs/problems.testutil.js";

/**
 * Largest relative deviation from PyTorch, float64 and float32: none. Every operation is computed
 * as PyTorch's CPU kernels compute it (fused multiply-adds, dot products in order, ATen's sum
 * order, Python-float/tensor scalar rules), so every case matches bit for bit.
 */
const REL_TOL = 0;
/** How close the README's example gets to Rosenbrock's minimum (1, 1) (measured 3e-6). */
const README_TOL = 1e-4;

const fixture = loadFixture();

type Grad = { data: FloatArray } | null;
interface TestParam extends Param {
  data: FloatArray;
  grad: Grad;
}

function makeParams(values: number[][], dtype: "float64" | "float32"): TestParam[] {
  return values.map((v) => ({
    data: dtype === "float32" ? Float32Array.from(v) : Float64Array.from(v),
    grad: null,
  }));
}

/** A closure for a fixture problem over `params`, counting its calls. */
function closureFor(c: Pick<FixtureCase, "problem" | "dtype">, params: TestParam[]) {
  const problem = problemOf(c.problem, fixture.problems);
  const counter = { calls: 0 };
  const closure = () => {
    counter.calls += 1;
    const [loss, grads] = problem(params.map((p) => p.data));
    params.forEach((p, i) => {
      const g = grads[i];
      p.grad =
        g === null ? null : { data: c.dtype === "float32" ? Float32Array.from(g) : Float64Array.from(g) };
    });
    return loss;
  };
  return { closure, counter };
}

function relDev(got: number, expected: number): number {
  if (got === expected) return 0;
  return Math.abs(got - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
}

const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0)
    console.log(`LBFGS vs torch.optim.LBFGS (largest relative deviation):\n${measured.join("\n")}`);
});

describe("LBFGS reproduces torch.optim.LBFGS", () => {
  it("has cases for every way a step can end, both line-search modes and both dtypes", () => {
    const exits = new Set(fixture.cases.flatMap((c) => c.steps.map((s) => s.exit)));
    expect([...exits].sort()).toEqual([
      "directionalDerivative",
      "lossChange",
      "maxEval",
      "maxIter",
      "optCond",
      "optimalAtStart",
      "stepSize",
    ]);
    expect(fixture.cases.filter((c) => c.dtype === "float32").length).toBeGreaterThanOrEqual(4);
    expect(
      fixture.cases.filter((c) => c.options.lineSearchFn === "strong_wolfe").length,
    ).toBeGreaterThanOrEqual(8);
  });

  for (const c of fixture.cases) {
    it(`${c.name} (${c.dtype}): same losses, parameters, closure calls and state after every step`, () => {
      const params = makeParams(c.initialParams, c.dtype);
      const { closure, counter } = closureFor(c, params);
      const opt = new LBFGS(params, c.options as LBFGSOptions);
      let worst = 0;
      c.steps.forEach((expected, k) => {
        const where = `${c.name}, step ${k + 1}`;
        counter.calls = 0;
        const loss = opt.step(closure);
        expect(counter.calls, `${where}: closure calls`).toBe(expected.calls);
        worst = Math.max(worst, relDev(loss, expected.loss));
        expected.params.forEach((values, i) => {
          values.forEach((v, j) => {
            worst = Math.max(worst, relDev(params[i].data[j], v));
          });
        });
        const state = opt.state.get(params[0]);
        expect(state?.funcEvals, `${where}: funcEvals`).toBe(expected.funcEvals);
        expect(state?.nIter, `${where}: nIter`).toBe(expected.nIter);
        if (expected.t !== undefined) {
          worst = Math.max(worst, relDev(state?.t ?? Number.NaN, expected.t));
          worst = Math.max(worst, relDev(state?.hDiag ?? Number.NaN, expected.hDiag ?? Number.NaN));
          worst = Math.max(worst, relDev(state?.prevLoss ?? Number.NaN, expected.prevLoss ?? Number.NaN));
          expect(state?.oldDirs?.length, `${where}: history length`).toBe(expected.historyLength);
        }
      });
      measured.push(`  ${c.name.padEnd(48)} ${worst.toExponential(1)}`);
      expect(worst).toBeLessThanOrEqual(REL_TOL);
    });
  }

  it("never moves a parameter whose grad stays null (it counts as a zero gradient)", () => {
    const c = fixture.cases.find((x) => x.name === "logistic/strong-wolfe") as FixtureCase;
    const params = makeParams(c.initialParams, "float64");
    const { closure } = closureFor(c, params);
    const opt = new LBFGS(params, c.options as LBFGSOptions);
    for (let k = 0; k < 3; k++) opt.step(closure);
    expect(params[3].grad).toBeNull();
    expect(Array.from(params[3].data)).toEqual([1, 2, 3]);
  });
});

/** Rosenbrock in 2-D as a fresh problem: params, closure, call counter. */
function rosenbrock2d(dtype: "float64" | "float32" = "float64", start = [-1.5, 2]) {
  const c: Pick<FixtureCase, "problem" | "dtype"> = { problem: "rosenbrock", dtype };
  const params = makeParams([start], dtype);
  return { params, ...closureFor(c, params) };
}

describe("options", () => {
  it("defaults to PyTorch's, with maxEval = ⌊maxIter·5/4⌋", () => {
    const { params } = rosenbrock2d();
    expect(new LBFGS(params).defaults).toEqual({
      lr: 1,
      maxIter: 20,
      maxEval: 25,
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      weightDecay: 0,
      maximize: false,
    });
    for (const [maxIter, maxEval] of [
      [0, 0],
      [1, 1],
      [3, 3],
      [7, 8],
      [21, 26],
    ]) {
      expect(new LBFGS(params, { maxIter }).defaults.maxEval).toBe(maxEval);
    }
    expect(new LBFGS(params, { maxIter: 7, maxEval: 3 }).defaults.maxEval).toBe(3);
  });

  it("rejects invalid options with clear messages", () => {
    const { params } = rosenbrock2d();
    const make = (options: unknown) => () => new LBFGS(params, options as LBFGSOptions);
    expect(make({ lr: -1 })).toThrow("Invalid learning rate: -1");
    expect(make({ maxIter: 2.5 })).toThrow("Invalid maxIter value: 2.5 (expected an integer >= 0)");
    expect(make({ maxIter: -1 })).toThrow("Invalid maxIter value: -1");
    expect(make({ maxEval: Number.NaN })).toThrow("Invalid maxEval value: NaN");
    expect(make({ historySize: 0 })).toThrow("Invalid historySize value: 0 (expected an integer >= 1)");
    expect(make({ toleranceGrad: -1e-3 })).toThrow("Invalid toleranceGrad value: -0.001");
    expect(make({ toleranceChange: Number.NaN })).toThrow("Invalid toleranceChange value: NaN");
    expect(make({ lineSearchFn: "armijo" })).toThrow(
      `only 'strong_wolfe' is supported (lineSearchFn: "armijo"`,
    );
    expect(make({ lineSearchFn: "strongWolfe" })).toThrow(RangeError);
    expect(make({ weightDecay: 0.1 })).toThrow("Invalid weightDecay value: 0.1 (LBFGS has no weight decay");
    expect(make({ maximize: true })).toThrow("Invalid maximize value: true (LBFGS only minimizes");
    expect(make({ max_iter: 5 })).toThrow('LBFGS: unknown option "max_iter" (did you mean maxIter?)');
    expect(make({ line_search_fn: "strong_wolfe" })).toThrow("did you mean lineSearchFn?");
    expect(make({ momentum: 0.9 })).toThrow('LBFGS: unknown option "momentum"');
  });

  it("allows one param group only (PyTorch's error)", () => {
    const a = rosenbrock2d().params[0];
    const b = rosenbrock2d().params[0];
    const message = "LBFGS doesn't support per-parameter options (parameter groups)";
    expect(() => new LBFGS([{ params: [a] }, { params: [b] }])).toThrow(message);
    const opt = new LBFGS([{ params: [a], lr: 0.5 }]);
    expect(opt.paramGroups[0].lr).toBe(0.5);
    expect(() => opt.addParamGroup({ params: [b] })).toThrow(message);
  });

  it("needs parameters of one dtype, with elements", () => {
    const a = { data: new Float64Array(2), grad: null };
    const b = { data: new Float32Array(2), grad: null };
    expect(() => new LBFGS([a, b])).toThrow(
      "LBFGS: all parameters must have the same dtype (they form one vector), but parameter 0 is float64 and parameter 1 is float32",
    );
    expect(() => new LBFGS([{ data: new Float64Array(0), grad: null }])).toThrow(
      "the parameters have no elements",
    );
  });

  it("checks an option written to the group at the write, and keeps the old value", () => {
    const { params, closure } = rosenbrock2d();
    const opt = new LBFGS(params);
    expect(() => {
      (opt.paramGroups[0] as { lineSearchFn: unknown }).lineSearchFn = "backtracking";
    }).toThrow(/^only 'strong_wolfe' is supported .*\(param group 0\)$/);
    expect(opt.paramGroups[0].lineSearchFn).toBeNull();
    expect(() => opt.step(closure)).not.toThrow();
  });
});

describe("step", () => {
  it("needs a closure", () => {
    const { params } = rosenbrock2d();
    const opt = new LBFGS(params);
    expect(() => opt.step()).toThrow("LBFGS.step needs a closure that recomputes the loss");
  });

  it("returns the first loss and evaluates once when the gradient is already below toleranceGrad", () => {
    const { params, closure, counter } = rosenbrock2d("float64", [1, 1]);
    const opt = new LBFGS(params);
    expect(opt.step(closure)).toBe(0);
    expect(counter.calls).toBe(1);
    expect(opt.state.get(params[0])).toMatchObject({ funcEvals: 1, nIter: 0, step: 1, d: null });
  });

  it("with maxIter 0 only evaluates", () => {
    const { params, closure, counter } = rosenbrock2d();
    const opt = new LBFGS(params, { maxIter: 0 });
    opt.step(closure);
    expect(counter.calls).toBe(1);
    expect(Array.from(params[0].data)).toEqual([-1.5, 2]);
  });

  it("rejects a closure that does not return a number, and restores the parameters", () => {
    const { params, closure } = rosenbrock2d();
    const opt = new LBFGS(params, { lineSearchFn: "strong_wolfe" });
    let calls = 0;
    const bad = () => {
      calls += 1;
      const loss = closure();
      return (calls < 3 ? loss : String(loss)) as unknown as number;
    };
    expect(() => opt.step(bad)).toThrow(/^LBFGS\.step: the closure must return the loss as a number, got "/);
    expect(Array.from(params[0].data)).toEqual([-1.5, 2]);
    expect(opt.state.size).toBe(0);
  });

  it("rejects a gradient of the wrong type or length", () => {
    const { params } = rosenbrock2d();
    const opt = new LBFGS(params);
    const p = params[0];
    const withGrad = (data: unknown) => () => {
      p.grad = { data } as Grad;
      return 1;
    };
    expect(() => opt.step(withGrad([1, 2]))).toThrow(
      "LBFGS.step: the gradient of param 0 in param group 0 must have data of type Float32Array or Float64Array",
    );
    expect(() => opt.step(withGrad(new Float64Array(3)))).toThrow(
      "LBFGS.step: the gradient of param 0 in param group 0 has 3 elements, but the parameter has 2",
    );
  });

  it("puts parameters and state back when the closure throws in the middle of a step", () => {
    const { params, closure } = rosenbrock2d();
    const opt = new LBFGS(params, { lineSearchFn: "strong_wolfe" });
    opt.step(closure);
    const before = JSON.stringify(opt.stateDict());
    const x = Array.from(params[0].data);
    let calls = 0;
    const failing = () => {
      calls += 1;
      if (calls === 6) throw new Error("out of data");
      return closure();
    };
    expect(() => opt.step(failing)).toThrow("out of data");
    expect(Array.from(params[0].data)).toEqual(x);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  it("keeps working through a float32 run with Float32Array state", () => {
    const { params, closure } = rosenbrock2d("float32");
    const opt = new LBFGS(params, { lineSearchFn: "strong_wolfe" });
    opt.step(closure);
    opt.step(closure);
    const state = opt.state.get(params[0]);
    expect(state?.d).toBeInstanceOf(Float32Array);
    expect(state?.prevFlatGrad).toBeInstanceOf(Float32Array);
    expect(state?.oldDirs?.[0]).toBeInstanceOf(Float32Array);
  });

  it("fails clearly when historySize is raised after the history was made (PyTorch: IndexError)", () => {
    const { params, closure } = rosenbrock2d();
    const opt = new LBFGS(params, { historySize: 2, maxIter: 5, lr: 0.001 });
    opt.step(closure);
    opt.paramGroups[0].historySize = 4;
    expect(() => opt.step(closure)).toThrow("historySize was raised after the first step");
  });
});

describe("non-finite gradients", () => {
  /** Rosenbrock whose gradient is NaN from the `bad`-th closure call on. */
  function poisoned(bad: number) {
    const { params, closure } = rosenbrock2d();
    let calls = 0;
    const wrapped = () => {
      calls += 1;
      const loss = closure();
      if (calls >= bad) (params[0].grad as { data: Float64Array }).data[1] = Number.NaN;
      return loss;
    };
    return { params, closure: wrapped };
  }

  it('"error" (default): throws NonFiniteGradientError and restores parameters and state', () => {
    const { params, closure } = poisoned(4);
    const opt = new LBFGS(params, { lr: 0.001 });
    opt.step(() => {
      params[0].grad = { data: new Float64Array([1, 1]) };
      return 1;
    });
    const before = JSON.stringify(opt.stateDict());
    const x = Array.from(params[0].data);
    let error: unknown;
    try {
      opt.step(closure);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteGradientError);
    expect(error).toMatchObject({ groupIndex: 0, paramIndex: 0, elementIndex: 1 });
    expect((error as Error).message).toContain(
      "LBFGS.step: non-finite gradient (NaN at element 1) for param 0",
    );
    expect(Array.from(params[0].data)).toEqual(x);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  it("names the parameter and element of the flat gradient", () => {
    const a = { data: new Float64Array([1, 2]), grad: null as Grad };
    const b = { data: new Float64Array([3, 4, 5]), grad: null as Grad };
    const opt = new LBFGS([a, b]);
    const closure = () => {
      a.grad = { data: new Float64Array([1, 1]) };
      b.grad = { data: new Float64Array([1, 1, Number.POSITIVE_INFINITY]) };
      return 0;
    };
    expect(() => opt.step(closure)).toThrow(NonFiniteGradientError);
    expect(() => opt.step(closure)).toThrow("(Infinity at element 2) for param 1 in param group 0");
  });

  it('"skip": undoes the step, counts it and returns the first loss', () => {
    const { params, closure } = poisoned(3);
    const opt = new LBFGS(params, { lr: 0.001, nonFinite: "skip" });
    const loss = opt.step(closure);
    expect(loss).toBe(2.5 ** 2 + 100 * (2 - 2.25) ** 2);
    expect(opt.skippedSteps).toBe(1);
    expect(Array.from(params[0].data)).toEqual([-1.5, 2]);
    expect(opt.state.size).toBe(0);
  });

  it('"propagate": NaN flows into the parameters, as in PyTorch', () => {
    const { params, closure } = poisoned(1);
    const opt = new LBFGS(params, { lr: 0.001, maxIter: 2, nonFinite: "propagate" });
    opt.step(closure);
    expect(Number.isNaN(params[0].data[1])).toBe(true);
  });

  it("does not check the line search's trial points: an infinite loss there is just rejected", () => {
    // f = x² inside |x| < 10, +Infinity with a NaN gradient outside; the first trial step lands outside.
    const x = { data: new Float64Array([3]), grad: null as Grad };
    const closure = () => {
      const v = x.data[0];
      const inside = Math.abs(v) < 10;
      x.grad = { data: new Float64Array([inside ? 2 * v : Number.NaN]) };
      return inside ? v * v : Number.POSITIVE_INFINITY;
    };
    const opt = new LBFGS([x], { lr: 100, maxIter: 1, lineSearchFn: "strong_wolfe" });
    opt.step(closure);
    expect(Math.abs(x.data[0])).toBeLessThan(3);
  });
});

describe("state", () => {
  it("round-trips through JSON: save, load into a new optimizer, continue = uninterrupted", () => {
    for (const name of [
      "rosenbrock10d/strong-wolfe-history3",
      "logistic/fixed-step",
      "float32/logistic-strong-wolfe",
    ]) {
      const c = fixture.cases.find((x) => x.name === name) as FixtureCase;
      const runA = makeParams(c.initialParams, c.dtype);
      const a = closureFor(c, runA);
      const optA = new LBFGS(runA, c.options as LBFGSOptions);
      optA.step(a.closure);
      optA.step(a.closure);
      const saved = JSON.stringify(optA.stateDict());

      const runB = makeParams(
        runA.map((p) => Array.from(p.data)),
        c.dtype,
      );
      const b = closureFor(c, runB);
      const optB = new LBFGS(runB, c.options as LBFGSOptions);
      optB.loadStateDict(JSON.parse(saved));
      expect(JSON.stringify(optB.stateDict())).toBe(saved);
      for (let k = 0; k < 2; k++) {
        a.counter.calls = 0;
        b.counter.calls = 0;
        expect(optB.step(b.closure)).toBe(optA.step(a.closure));
        expect(b.counter.calls).toBe(a.counter.calls);
        runA.forEach((p, i) => {
          expect(Array.from(runB[i].data), name).toEqual(Array.from(p.data));
        });
      }
      expect(JSON.stringify(optB.stateDict())).toBe(JSON.stringify(optA.stateDict()));
    }
  });

  it("saves PyTorch's state under parameter 0, with the history as concatenated arrays", () => {
    const { params, closure } = rosenbrock2d();
    const opt = new LBFGS(params, { lineSearchFn: "strong_wolfe", maxIter: 4 });
    expect(opt.stateDict().state).toEqual({});
    opt.step(closure);
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(["0"]);
    const s = sd.state["0"];
    const state = opt.state.get(params[0]);
    expect(s).toMatchObject({ step: 1, funcEvals: state?.funcEvals, nIter: state?.nIter });
    const k = (s.ro as { values: unknown[] }).values.length;
    expect(k).toBe(state?.ro?.length);
    expect(k).toBeGreaterThanOrEqual(2);
    expect((s.oldDirs as { values: unknown[] }).values.length).toBe(2 * k);
    expect((s.t as { values: unknown[] }).values).toEqual([state?.t]);
    expect((s.al as { values: unknown[] }).values.length).toBe(100);
    expect(sd.paramGroups).toEqual([
      {
        lr: 1,
        maxIter: 4,
        maxEval: 5,
        toleranceGrad: 1e-7,
        toleranceChange: 1e-9,
        historySize: 100,
        lineSearchFn: "strong_wolfe",
        weightDecay: 0,
        maximize: false,
        params: [0],
      },
    ]);
  });

  it("rejects a state that does not fit, changing nothing", () => {
    const { params, closure } = rosenbrock2d();
    const opt = new LBFGS(params);
    opt.step(closure);
    const good = opt.stateDict();
    const before = JSON.stringify(good);
    /** A saved state as JSON, to be spoiled. */
    interface Saved {
      kind: string;
      paramGroups: Record<string, unknown>[];
      state: Record<string, Record<string, unknown>>;
    }
    const edit = (change: (sd: Saved, s: Record<string, unknown>) => void) => {
      const sd = JSON.parse(before) as Saved;
      change(sd, sd.state["0"]);
      return () => opt.loadStateDict(sd as unknown as OptimizerStateDict);
    };
    const values = (array: unknown) => array as { values: unknown[] };
    expect(edit((_, s) => (values(s.d).values = [1, 2, 3]))).toThrow(
      "LBFGS.loadStateDict: state of parameter 0: d has 3 values, but the parameter has 2 elements",
    );
    expect(edit((_, s) => (values(s.oldDirs).values = [1]))).toThrow("oldDirs has 1 values");
    expect(edit((_, s) => delete s.prevFlatGrad)).toThrow("nIter is 20, but it has no prevFlatGrad");
    expect(edit((sd, s) => (sd.state["1"] = s))).toThrow("LBFGS keeps its state on parameter 0");
    expect(edit((_, s) => (s.nIter = -1))).toThrow("nIter is -1, expected a non-negative integer");
    expect(edit((_, s) => (s.extra = 1))).toThrow('has an unknown entry "extra"');
    expect(edit((sd) => (sd.kind = "Adam"))).toThrow('the state dict is for "Adam", not LBFGS');
    expect(edit((sd) => (sd.paramGroups[0].lineSearchFn = "x"))).toThrow("only 'strong_wolfe' is supported");
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });
});

describe("README", () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-optim-lbfgs-readme-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("its LBFGS example runs as written and ends near Rosenbrock's minimum (1, 1)", async () => {
    const readme = readFileSync(resolve(import.meta.dirname, "../README.md"), "utf8");
    const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
      .map((m) => m[1])
      .find((b) => b.includes("new LBFGS"));
    expect(block).toContain('from "@descent/optim"');
    const file = join(dir, "lbfgs-example.ts");
    writeFileSync(
      file,
      (block as string).replace('"@descent/optim"', JSON.stringify(resolve(import.meta.dirname, "index.ts"))),
    );
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await import(/* @vite-ignore */ file);
      expect(log).toHaveBeenCalledTimes(1);
      const [x, calls] = log.mock.calls[0] as [number[], number];
      expect(Math.abs(x[0] - 1)).toBeLessThanOrEqual(README_TOL);
      expect(Math.abs(x[1] - 1)).toBeLessThanOrEqual(README_TOL);
      expect(calls).toBeGreaterThan(10);
    } finally {
      log.mockRestore();
    }
  });
});

/**
 * The conformance kit, run on engines: plain objects (its own reference, so every case must pass),
 * the micrograd-style scalar engine, and broken adapters it must catch.
 */
import { describe, expect, it } from "vitest";
import type { Param } from "../index.js";
import {
  ConformanceError,
  conformanceCases,
  describeConformance,
  type EngineAdapter,
  paramEngine,
} from "./index.js";
import { ScalarsParam, Value } from "./micrograd.testutil.js";

type PlainParam = Param & { grad: { data: Float32Array | Float64Array } | null };

const plain = paramEngine<PlainParam>({
  name: "plain objects",
  dtypes: ["float64", "float32"],
  createParam: (values) => ({ data: values.slice(), grad: null }),
  setGrad: (p, grad) => {
    p.grad = grad === null ? null : { data: grad.slice() };
  },
});

/** Gradients through the engine: backward of Σ gᵢ·wᵢ leaves exactly gᵢ in each wᵢ.grad. */
const micrograd = paramEngine<ScalarsParam>({
  name: "micrograd-style scalar engine",
  dtypes: ["float64"],
  createParam: (values) => new ScalarsParam(Array.from(values, (x) => new Value(x))),
  setGrad: (p, grad) => {
    for (const n of p.nodes) n.grad = 0;
    if (grad !== null) {
      let loss = new Value(0);
      p.nodes.forEach((n, i) => {
        loss = loss.add(new Value(grad[i]).mul(n));
      });
      loss.backward();
    }
    p.pull(grad !== null);
  },
  readParam: (p) => Float64Array.from(p.nodes, (n) => n.data),
  afterStep: (params) => {
    for (const p of params) p.push();
  },
});

describeConformance(plain, { describe, it });
describeConformance(micrograd, { describe, it });

/** Runs the cases of one rule on an engine and returns the failures' messages. */
function failures<P>(engine: EngineAdapter<P>, rules: string[]): string[] {
  const out: string[] = [];
  for (const c of conformanceCases(engine, { rules })) {
    try {
      c.run();
    } catch (error) {
      expect(error).toBeInstanceOf(ConformanceError);
      out.push((error as Error).message);
    }
  }
  return out;
}

describe("the kit catches broken adapters", () => {
  it("an engine that passes zeros where there is no gradient", () => {
    const zeros = paramEngine<PlainParam>({
      name: "zeros for missing gradients",
      dtypes: ["float64"],
      createParam: (values) => ({ data: values.slice(), grad: null }),
      setGrad: (p, grad) => {
        p.grad = { data: grad === null ? new Float64Array(p.data.length) : grad.slice() };
      },
    });
    const found = failures(zeros, ["adam"]);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(
      /adam \(defaults, float64\): step 1: parameter 2, which had no gradient, changed/,
    );
  });

  it("an engine that stores float64 parameters in float32", () => {
    const narrow = paramEngine<PlainParam>({
      name: "float32 storage",
      dtypes: ["float64"],
      createParam: (values) => ({ data: Float32Array.from(values), grad: null }),
      setGrad: (p, grad) => {
        p.grad = grad === null ? null : { data: Float32Array.from(grad) };
      },
      readParam: (p) => Float64Array.from(p.data),
    });
    expect(failures(narrow, ["sgd"])[0]).toMatch(
      /sgd \(defaults, float64\): after step 1, parameter 0, element 0/,
    );
  });

  it("an engine that gives gradients to the wrong parameters", () => {
    const shuffled = paramEngine<PlainParam>({
      name: "gradients swapped",
      dtypes: ["float32"],
      createParam: (values) => ({ data: values.slice(), grad: null }),
      setGrad: (p, grad) => {
        p.grad = grad === null ? null : { data: grad.slice().reverse() };
      },
    });
    expect(failures(shuffled, ["momentum"]).length).toBeGreaterThan(0);
  });

  it("an engine whose optimizer forgets the state it is given", () => {
    const forgetful: EngineAdapter<PlainParam> = {
      ...plain,
      name: "ignores loadStateDict",
      createOptimizer(groups, build) {
        const inner = plain.createOptimizer(groups, build);
        return { ...inner, loadStateDict: () => {}, optimizer: inner.optimizer };
      },
    };
    const found = failures(forgetful, ["rmsprop"]);
    expect(
      found.some((m) => m.startsWith("resumed from the engine's state: rmsprop (varied, float64)")),
    ).toBe(true);
  });
});

it("every closure-free catalog rule is covered, in several settings", () => {
  const names = conformanceCases(plain).map((c) => c.name);
  for (const id of [
    "sgd",
    "momentum",
    "adagrad",
    "rmsprop",
    "adam",
    "adamw",
    "nadam",
    "radam",
    "adamax",
    "adadelta",
    "rprop",
    "asgd",
  ]) {
    expect(names.some((n) => n.startsWith(`${id} (varied, float32)`))).toBe(true);
  }
  expect(names).toContain(
    "adam (varied + amsgrad, float64): same trajectory and state as plain arrays (param groups, missing gradients, lr writes)",
  );
  expect(names.some((n) => n.startsWith("lbfgs"))).toBe(false);
  expect(() => conformanceCases(plain, { rules: ["lbfgs"] })).toThrow(/no closure-free catalog rule lbfgs/);
});

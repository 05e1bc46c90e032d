import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { Adagrad } from "./adagrad.js";
import { Adam } from "./adam.js";
import { AdamW } from "./adamw.js";
import { NonFiniteGradientError } from "./non-finite.js";
import type { Optimizer, ParamsInput } from "./optimizer.js";
import type { FloatArray, Param } from "./param.js";
import { RMSprop } from "./rmsprop.js";
import { SGD } from "./sgd.js";
import type { OptimizerStateDict } from "./state-dict.js";

/** Steps of the least-squares runs. */
const STEPS = 100;
/** Minimizing must at least halve the loss; maximizing must at least double it. */
const LOSS_FACTOR = 2;

type Make = (params: ParamsInput, options: Record<string, unknown>) => Optimizer;

interface Case {
  name: string;
  make: Make;
  options: Record<string, unknown>;
  /** Whether zero gradients leave the parameters unchanged under this option set. */
  zeroGradIsNoop: boolean;
}

function cross(keys: Record<string, unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(keys)) {
    out = out.flatMap((o) => values.map((v) => ({ ...o, [key]: v })));
  }
  return out;
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (name: string, make: Make, lr: number, sets: Record<string, unknown>[]) => {
    for (const set of sets) {
      const options = { lr, ...set };
      const wd = (set.weightDecay as number | undefined) ?? (name === "AdamW" ? 1e-2 : 0);
      out.push({ name: `${name} ${JSON.stringify(set)}`, make, options, zeroGradIsNoop: wd === 0 });
    }
  };
  add(
    "SGD",
    (p, o) => new SGD(p, o),
    0.05,
    cross({
      momentum: [0, 0.9],
      dampening: [0, 0.5],
      nesterov: [false, true],
      weightDecay: [0, 0.01],
      maximize: [false, true],
    }).filter((o) => !(o.nesterov && (o.momentum === 0 || o.dampening !== 0))),
  );
  add(
    "Adagrad",
    (p, o) => new Adagrad(p, o),
    0.3,
    cross({
      lrDecay: [0, 0.01],
      initialAccumulatorValue: [0, 0.1],
      weightDecay: [0, 0.01],
      maximize: [false, true],
    }),
  );
  add(
    "RMSprop",
    (p, o) => new RMSprop(p, o),
    0.01,
    cross({ centered: [false, true], momentum: [0, 0.5], weightDecay: [0, 0.01], maximize: [false, true] }),
  );
  add(
    "Adam",
    (p, o) => new Adam(p, o),
    0.05,
    cross({ amsgrad: [false, true], weightDecay: [0, 0.01], maximize: [false, true] }),
  );
  add(
    "AdamW",
    (p, o) => new AdamW(p, o),
    0.05,
    cross({ amsgrad: [false, true], weightDecay: [0, 0.01], maximize: [false, true] }),
  );
  return out;
}

// Least squares: loss(w, b) = ½·mean((X·w + b − y)²) over 8 points with 3 features.
const X = [
  [1.0, 0.5, -0.3],
  [-0.7, 1.2, 0.8],
  [0.3, -0.9, 1.1],
  [1.5, 0.2, -1.0],
  [-1.1, -0.4, 0.6],
  [0.6, 1.4, 0.1],
  [-0.2, 0.7, -1.3],
  [0.9, -1.2, 0.4],
];
const Y = [0.8, -0.2, 1.3, 0.1, -1.0, 1.6, -0.9, 0.2];

type Dtype = "float32" | "float64";
const ARRAY = { float32: Float32Array, float64: Float64Array } as const;

interface Model {
  w: Param;
  b: Param;
}

function model(dtype: Dtype): Model {
  return {
    w: { data: ARRAY[dtype].from([0.8, -1.2, 0.5]), grad: null },
    b: { data: ARRAY[dtype].from([0.3]), grad: null },
  };
}

function lossAndGrad(m: Model, dtype: Dtype): number {
  const gw = [0, 0, 0];
  let gb = 0;
  let loss = 0;
  X.forEach((x, k) => {
    const r = x[0] * m.w.data[0] + x[1] * m.w.data[1] + x[2] * m.w.data[2] + m.b.data[0] - Y[k];
    loss += (0.5 * r * r) / X.length;
    for (let j = 0; j < 3; j++) gw[j] += (r * x[j]) / X.length;
    gb += r / X.length;
  });
  m.w.grad = { data: ARRAY[dtype].from(gw) };
  m.b.grad = { data: ARRAY[dtype].from([gb]) };
  return loss;
}

function bitsEqual(a: FloatArray, b: FloatArray): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

describe.each(["float64", "float32"] as const)("every optimizer and option set (%s)", (dtype) => {
  describe.each(cases().map((c) => [c.name, c] as const))("%s", (_, c) => {
    it("moves the least-squares loss the right way (down, or up with maximize)", () => {
      const m = model(dtype);
      const opt = c.make([m.w, m.b], c.options);
      const initial = lossAndGrad(m, dtype);
      for (let t = 0; t < STEPS; t++) {
        opt.zeroGrad();
        lossAndGrad(m, dtype);
        opt.step();
      }
      const final = lossAndGrad(m, dtype);
      if (c.options.maximize) expect(final).toBeGreaterThan(initial * LOSS_FACTOR);
      else expect(final).toBeLessThan(initial / LOSS_FACTOR);
    });

    it("skips a parameter whose grad is null: no change, no state change, no step count", () => {
      const m = model(dtype);
      const opt = c.make([m.w, m.b], c.options);
      const before = m.b.data.slice();
      // Adagrad, like PyTorch's, creates every parameter's state in its constructor; the others lazily.
      const initial = JSON.stringify(opt.stateDict().state);
      for (let t = 0; t < 5; t++) {
        lossAndGrad(m, dtype);
        m.b.grad = null;
        opt.step();
      }
      expect(bitsEqual(m.b.data, before)).toBe(true);
      if (c.name.startsWith("Adagrad")) {
        expect(opt.state.get(m.b)?.step).toBe(0);
        expect(JSON.stringify(opt.stateDict().state["1"])).toBe(JSON.stringify(JSON.parse(initial)["1"]));
      } else {
        expect(opt.state.has(m.b)).toBe(false);
      }
      expect(opt.state.get(m.w)?.step).toBe(5);
    });

    it("zero gradients leave the parameters unchanged unless weight decay acts", () => {
      const m = model(dtype);
      const opt = c.make([m.w, m.b], c.options);
      const before = m.w.data.slice();
      for (let t = 0; t < 10; t++) {
        m.w.grad = { data: new ARRAY[dtype](3) };
        opt.step();
      }
      expect(bitsEqual(m.w.data, before)).toBe(c.zeroGradIsNoop);
      expect(opt.state.get(m.w)?.step).toBe(10);
    });

    it("a group with lr = 1e-28 keeps its parameters bit-identical while another group learns", () => {
      const m = model(dtype);
      const opt = c.make([{ params: [m.w], lr: 1e-28 }, { params: [m.b] }], c.options);
      const w0 = m.w.data.slice();
      const b0 = m.b.data.slice();
      for (let t = 0; t < 20; t++) {
        lossAndGrad(m, dtype);
        opt.step();
      }
      expect(bitsEqual(m.w.data, w0)).toBe(true);
      expect(bitsEqual(m.b.data, b0)).toBe(false);
    });

    it("stateDict → JSON → loadStateDict continues bit-identically in lockstep", () => {
      const a = model(dtype);
      const extra: Param = { data: new ARRAY[dtype](2), grad: null }; // never stepped: no state
      const optA = c.make([{ params: [a.w, extra] }, { params: [a.b], lr: 0.02 }], c.options);
      for (let t = 0; t < 15; t++) {
        lossAndGrad(a, dtype);
        optA.step();
      }
      optA.paramGroups[0].initialLr = 0.123; // a scheduler's key survives the round trip
      const saved = JSON.parse(JSON.stringify(optA.stateDict())) as OptimizerStateDict;

      const b: Model = {
        w: { data: a.w.data.slice(), grad: null },
        b: { data: a.b.data.slice(), grad: null },
      };
      const extraB: Param = { data: new ARRAY[dtype](2), grad: null };
      const optB = c.make([{ params: [b.w, extraB] }, { params: [b.b], lr: 0.7 }], c.options);
      optB.loadStateDict(saved);
      expect(optB.paramGroups[1].lr).toBe(0.02);
      expect(optB.paramGroups[0].initialLr).toBe(0.123);
      // A never-stepped parameter has no state, except in Adagrad, which creates it in its constructor.
      if (c.name.startsWith("Adagrad")) expect(optB.state.get(extraB)?.step).toBe(0);
      else expect(optB.state.has(extraB)).toBe(false);
      for (let t = 0; t < 15; t++) {
        lossAndGrad(a, dtype);
        lossAndGrad(b, dtype);
        optA.step();
        optB.step();
        expect(bitsEqual(b.w.data, a.w.data) && bitsEqual(b.b.data, a.b.data)).toBe(true);
      }
      expect(optB.stateDict()).toEqual(optA.stateDict());
    });

    it("keeps state in the parameter's array type", () => {
      const m = model(dtype);
      const opt = c.make([m.w, m.b], c.options);
      lossAndGrad(m, dtype);
      opt.step();
      for (const [key, value] of Object.entries(opt.state.get(m.w) ?? {})) {
        if (key !== "step") expect(value).toBeInstanceOf(ARRAY[dtype]);
      }
    });
  });
});

describe("param groups (PyTorch's semantics and messages)", () => {
  const p = (n = 2): Param => ({ data: new Float64Array(n), grad: null });

  it("fills group options from the defaults and keeps group overrides", () => {
    const w = p();
    const b = p();
    const opt = new SGD(
      [
        { params: [w], lr: 0.1 },
        { params: [b], weightDecay: 0 },
      ],
      {
        lr: 0.01,
        momentum: 0.9,
        weightDecay: 1e-4,
      },
    );
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.weightDecay])).toEqual([
      [0.1, 0.9, 1e-4],
      [0.01, 0.9, 0],
    ]);
    expect(opt.paramGroups[0].params).toEqual([w]);
  });

  it("accepts a single parameter as a group's params and adds groups later", () => {
    const w = p();
    const opt = new Adam([{ params: w }]);
    const late = p();
    opt.addParamGroup({ params: [late], lr: 0.5, betas: [0.8, 0.9] });
    expect(opt.paramGroups[1].lr).toBe(0.5);
    expect(opt.paramGroups[1].betas).toEqual([0.8, 0.9]);
    expect(opt.paramGroups[0].params).toEqual([w]);
  });

  it("does not share the defaults' betas array between groups", () => {
    const opt = new Adam([{ params: [p()] }, { params: [p()] }]);
    expect(opt.paramGroups[0].betas).not.toBe(opt.paramGroups[1].betas);
  });

  it.each([
    ["an empty parameter list", () => new SGD([]), "optimizer got an empty parameter list"],
    [
      "a parameter in two groups",
      () => {
        const w = p();
        return new SGD([{ params: [w] }, { params: [w, p()] }]);
      },
      "some parameters appear in more than one parameter group",
    ],
    [
      "addParamGroup with a parameter already present",
      () => {
        const w = p();
        new SGD([w]).addParamGroup({ params: [w] });
      },
      "some parameters appear in more than one parameter group",
    ],
    [
      "a duplicate inside one group",
      () => {
        const w = p();
        return new SGD([w, w]);
      },
      "optimizer contains a parameter group with duplicate parameters",
    ],
    [
      "a Set of parameters",
      () => new SGD([{ params: new Set([p()]) }]),
      "optimizer parameters need to be organized in ordered collections",
    ],
    ["a single parameter instead of a list", () => new SGD(p() as never), "should be an iterable of Params"],
    [
      "a parameter with non-float data",
      () => new SGD([{ data: new Int32Array(2), grad: null } as never]),
      "optimizer can only optimize Params ({ data: Float32Array | Float64Array, grad }), but parameter 0 of param group 0 is an object whose data is Int32Array",
    ],
    [
      "a snake_case group option",
      () => new SGD([{ params: [p()], weight_decay: 0.1 } as never]),
      `unknown option "weight_decay" in param group 0 (did you mean weightDecay?)`,
    ],
    [
      "an unknown nonFinite policy",
      () => new SGD([p()], { nonFinite: "ignore" as never }),
      "Invalid nonFinite value",
    ],
  ])("rejects %s", (_, make, message) => {
    expect(make).toThrow(message);
  });

  it("zeroGrad sets grads to null by default, or fills them with zeros", () => {
    const w: Param = { data: new Float64Array(2), grad: { data: new Float64Array([1, 2]) } };
    const opt = new SGD([w]);
    const grad = w.grad;
    opt.zeroGrad(false);
    expect(w.grad).toBe(grad);
    expect([...(w.grad?.data ?? [])]).toEqual([0, 0]);
    opt.zeroGrad();
    expect(w.grad).toBeNull();
  });

  it("step(closure) calls the closure first and returns its loss", () => {
    const w: Param = { data: new Float64Array([1]), grad: null };
    const opt = new SGD([w], { lr: 0.5 });
    const loss = opt.step(() => {
      w.grad = { data: new Float64Array([2]) };
      return 42;
    });
    expect(loss).toBe(42);
    expect(w.data[0]).toBe(0);
  });
});

describe("gradient checks at step()", () => {
  it("names a gradient whose length differs from its parameter's, and changes nothing", () => {
    const a: Param = { data: new Float64Array([1, 2]), grad: { data: new Float64Array([1, 1]) } };
    const b: Param = { data: new Float64Array([1, 2, 3]), grad: { data: new Float64Array([1, 1]) } };
    const opt = new Adam([{ params: [a] }, { params: [b] }]);
    expect(() => opt.step()).toThrow(
      "Adam.step: the gradient of param 0 in param group 1 has 2 elements, but the parameter has 3",
    );
    expect([...a.data]).toEqual([1, 2]);
    expect(opt.state.size).toBe(0);
  });

  it("names a gradient that is not a float typed array", () => {
    const a = { data: new Float64Array(2), grad: { data: [1, 2] } } as unknown as Param;
    expect(() => new SGD([a]).step()).toThrow(
      "SGD.step: the gradient of param 0 in param group 0 must have data of type Float32Array or Float64Array, got [1, 2]",
    );
  });

  it("accepts a float32 gradient for a float64 parameter", () => {
    const a: Param = { data: new Float64Array([1]), grad: { data: new Float32Array([0.5]) } };
    new SGD([a], { lr: 1 }).step();
    expect(a.data[0]).toBe(0.5);
  });
});

describe("non-finite gradients", () => {
  const setup = (nonFinite?: "error" | "skip" | "propagate") => {
    const a: Param = { data: new Float64Array([1, 2]), grad: { data: new Float64Array([0.5, 0.5]) } };
    const b: Param = { data: new Float64Array([3]), grad: { data: new Float64Array([Number.NaN]) } };
    const opt = new Adam([a, b], { lr: 0.1, nonFinite });
    return { a, b, opt };
  };

  it('default "error": throws naming the parameter and element, before changing anything', () => {
    const { a, b, opt } = setup();
    expect(opt.nonFinite).toBe("error");
    expect(() => opt.step()).toThrow(
      "Adam.step: non-finite gradient (NaN at element 0) for param 1 in param group 0",
    );
    const error = (() => {
      try {
        opt.step();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NonFiniteGradientError);
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ groupIndex: 0, paramIndex: 1, elementIndex: 0, value: Number.NaN });
    expect([...a.data, ...b.data]).toEqual([1, 2, 3]);
    expect(opt.state.size).toBe(0);
  });

  it('"skip": skips the whole step and counts it; the next finite step proceeds', () => {
    const { a, b, opt } = setup("skip");
    opt.step();
    expect([...a.data, ...b.data]).toEqual([1, 2, 3]);
    expect(opt.state.size).toBe(0);
    expect(opt.skippedSteps).toBe(1);
    b.grad = { data: new Float64Array([Number.POSITIVE_INFINITY]) };
    opt.step();
    expect(opt.skippedSteps).toBe(2);
    b.grad = { data: new Float64Array([1]) };
    opt.step();
    expect(opt.state.get(a)?.step).toBe(1);
    expect(a.data[0]).toBeLessThan(1);
    expect(opt.stateDict().skippedSteps).toBe(2);
  });

  it('"propagate": PyTorch\'s behaviour, the NaN reaches the parameter and the state', () => {
    const { b, opt } = setup("propagate");
    opt.step();
    expect(Number.isNaN(b.data[0])).toBe(true);
    expect(Number.isNaN(opt.state.get(b)?.expAvg[0] ?? 0)).toBe(true);
  });

  it("state holding NaN, ±Infinity and −0 survives JSON bit-exactly", () => {
    const { b, opt } = setup("propagate");
    opt.step();
    const s = opt.state.get(b);
    if (s === undefined) throw new Error("no state");
    s.expAvgSq[0] = Number.POSITIVE_INFINITY;
    const a = opt.paramGroups[0].params[0];
    const sa = opt.state.get(a);
    if (sa === undefined) throw new Error("no state");
    sa.expAvg[0] = -0;
    sa.expAvg[1] = Number.NEGATIVE_INFINITY;
    opt.paramGroups[0].lr = -0;
    const json = JSON.stringify(opt.stateDict());
    const c: Param = { data: new Float64Array(2), grad: null };
    const d: Param = { data: new Float64Array(1), grad: null };
    const other = new Adam([c, d], { nonFinite: "propagate" });
    other.loadStateDict(JSON.parse(json));
    expect(Object.is(other.state.get(c)?.expAvg[0], -0)).toBe(true);
    expect(other.state.get(c)?.expAvg[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(other.state.get(d)?.expAvg[0])).toBe(true);
    expect(other.state.get(d)?.expAvgSq[0]).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(other.paramGroups[0].lr, -0)).toBe(true);
  });
});

describe("loadStateDict validation names what does not match", () => {
  function trained(): { opt: SGD; sd: OptimizerStateDict } {
    const w: Param = { data: new Float64Array([1, 2]), grad: { data: new Float64Array([1, 1]) } };
    const b: Param = { data: new Float64Array([3]), grad: { data: new Float64Array([1]) } };
    const opt = new SGD([{ params: [w] }, { params: [b] }], { lr: 0.1, momentum: 0.9 });
    opt.step();
    return { opt, sd: JSON.parse(JSON.stringify(opt.stateDict())) };
  }
  const fresh = () =>
    new SGD([
      { params: [{ data: new Float64Array(2), grad: null }] },
      { params: [{ data: new Float64Array(1), grad: null }] },
    ]);

  it("has the documented layout", () => {
    const { sd } = trained();
    expect(sd).toEqual({
      format: "descent-optim-state",
      version: 1,
      kind: "SGD",
      paramGroups: [
        {
          lr: 0.1,
          momentum: 0.9,
          dampening: 0,
          nesterov: false,
          weightDecay: 0,
          maximize: false,
          params: [0],
        },
        {
          lr: 0.1,
          momentum: 0.9,
          dampening: 0,
          nesterov: false,
          weightDecay: 0,
          maximize: false,
          params: [1],
        },
      ],
      state: {
        "0": { step: 1, momentumBuffer: { dtype: "float64", values: [1, 1] } },
        "1": { step: 1, momentumBuffer: { dtype: "float64", values: [1] } },
      },
      skippedSteps: 0,
    });
  });

  const cases: [string, (sd: OptimizerStateDict) => unknown, string][] = [
    [
      "another kind",
      (sd) => ({ ...sd, kind: "Adam" }),
      'SGD.loadStateDict: the state dict is for "Adam", not SGD',
    ],
    ["another format", (sd) => ({ ...sd, format: "torch" }), "not an optimizer state dict"],
    ["another version", (sd) => ({ ...sd, version: 2 }), "unsupported state dict version 2"],
    [
      "a different number of groups",
      (sd) => ({ ...sd, paramGroups: sd.paramGroups.slice(0, 1) }),
      "loaded state dict has a different number of parameter groups (1 saved, 2 in the optimizer)",
    ],
    [
      "a group of another size",
      (sd) => ({ ...sd, paramGroups: [sd.paramGroups[0], { ...sd.paramGroups[1], params: [1, 2] }] }),
      "loaded state dict contains a parameter group that doesn't match the size of optimizer's group (param group 1: 2 saved parameters, 1 in the optimizer)",
    ],
    [
      "a state array of another length",
      (sd) => ({
        ...sd,
        state: { ...sd.state, "1": { step: 1, momentumBuffer: { dtype: "float64", values: [1, 2] } } },
      }),
      "SGD.loadStateDict: state of parameter 1 (param group 1): momentumBuffer has 2 values, but the parameter has 1 elements",
    ],
    [
      "an unknown buffer",
      (sd) => ({
        ...sd,
        state: { ...sd.state, "0": { step: 1, expAvg: { dtype: "float64", values: [1, 2] } } },
      }),
      'state of parameter 0 (param group 0) has an unknown buffer "expAvg"',
    ],
    [
      "a bad step count",
      (sd) => ({ ...sd, state: { ...sd.state, "0": { ...sd.state["0"], step: -1 } } }),
      "state of parameter 0 (param group 0): step is -1",
    ],
    [
      "an invalid group option",
      (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], lr: -1 }, sd.paramGroups[1]] }),
      "Invalid learning rate: -1 (loaded param group 0)",
    ],
    [
      "state for a parameter index no group has",
      (sd) => ({ ...sd, state: { ...sd.state, "7": sd.state["0"] } }),
      "state of parameter 7: no parameter with this index",
    ],
  ];

  it.each(cases)("rejects %s, and leaves the optimizer unchanged", (_, mutate, message) => {
    const { sd } = trained();
    const opt = fresh();
    const before = JSON.stringify(opt.stateDict());
    expect(() => opt.loadStateDict(mutate(sd) as OptimizerStateDict)).toThrow(message);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  it("casts loaded state to the parameter's array type, as PyTorch does", () => {
    const { sd } = trained();
    const w: Param = { data: new Float32Array(2), grad: null };
    const b: Param = { data: new Float32Array(1), grad: null };
    const opt = new SGD([{ params: [w] }, { params: [b] }]);
    opt.loadStateDict(sd);
    expect(opt.state.get(w)?.momentumBuffer).toEqual(new Float32Array([1, 1]));
  });

  it("keeps the group objects (a scheduler holding one sees the loaded lr)", () => {
    const { sd } = trained();
    const opt = fresh();
    const group = opt.paramGroups[0];
    opt.loadStateDict(sd);
    expect(opt.paramGroups[0]).toBe(group);
    expect(group.lr).toBe(0.1);
  });
});

describe("no runtime dependency on an engine", () => {
  it("the package source imports nothing outside itself", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const { dirname, join, relative, sep } = await import("node:path");
    const src = import.meta.dirname;
    // Runtime files only (tests and test utilities are not built nor published), in every folder.
    const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter(
      (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".testutil.ts"),
    );
    expect(files).toContain(join("schedulers", "scheduler.ts"));
    const offenders: string[] = [];
    for (const f of files) {
      for (const [, spec] of readFileSync(join(src, f), "utf8").matchAll(/(?:from|import)\s+"([^"]+)"/g)) {
        const inside =
          spec.startsWith(".") && !relative(src, join(src, dirname(f), spec)).startsWith(`..${sep}`);
        if (!inside) offenders.push(`${f}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("warns nothing on normal use", () => {
    const warn = vi.spyOn(console, "warn");
    const w: Param = { data: new Float64Array(2), grad: { data: new Float64Array([1, 1]) } };
    new AdamW([w]).step();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});

describe("property: save → JSON → load at any step continues bit-identically", () => {
  const rules: [string, Make, fc.Arbitrary<Record<string, unknown>>][] = [
    [
      "SGD",
      (p, o) => new SGD(p, o),
      fc.record({
        lr: fc.double({ min: 0, max: 0.1, noNaN: true }),
        momentum: fc.constantFrom(0, 0.5, 0.9),
        dampening: fc.constantFrom(0, 0.3),
        weightDecay: fc.constantFrom(0, 0.01),
        maximize: fc.boolean(),
      }),
    ],
    [
      "Adagrad",
      (p, o) => new Adagrad(p, o),
      fc.record({
        lr: fc.double({ min: 0, max: 0.5, noNaN: true }),
        lrDecay: fc.constantFrom(0, 0.1),
        initialAccumulatorValue: fc.constantFrom(0, 0.1),
        maximize: fc.boolean(),
      }),
    ],
    [
      "RMSprop",
      (p, o) => new RMSprop(p, o),
      fc.record({
        lr: fc.double({ min: 0, max: 0.05, noNaN: true }),
        alpha: fc.double({ min: 0, max: 0.999, noNaN: true }),
        momentum: fc.constantFrom(0, 0.5),
        centered: fc.boolean(),
        maximize: fc.boolean(),
      }),
    ],
    [
      "Adam",
      (p, o) => new Adam(p, o),
      fc.record({
        lr: fc.double({ min: 0, max: 0.1, noNaN: true }),
        betas: fc.tuple(
          fc.double({ min: 0, max: 0.99, noNaN: true }),
          fc.double({ min: 0, max: 0.999, noNaN: true }),
        ),
        amsgrad: fc.boolean(),
        weightDecay: fc.constantFrom(0, 0.01),
        maximize: fc.boolean(),
      }),
    ],
    [
      "AdamW",
      (p, o) => new AdamW(p, o),
      fc.record({
        lr: fc.double({ min: 0, max: 0.1, noNaN: true }),
        amsgrad: fc.boolean(),
        maximize: fc.boolean(),
      }),
    ],
  ];

  it.each(rules)("%s", (_, make, options) => {
    // Gradients per step for two parameters of sizes 3 and 2; null means "no gradient this step".
    const grads = fc.array(
      fc.tuple(
        fc.option(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 })),
        fc.option(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 2 })),
      ),
      { minLength: 2, maxLength: 12 },
    );
    fc.assert(
      fc.property(options, grads, fc.nat(), fc.constantFrom("float32", "float64"), (o, steps, cut, dtype) => {
        const split = cut % steps.length;
        const Arr = ARRAY[dtype as Dtype];
        const fresh = (): [Param, Param] => [
          { data: Arr.from([0.5, -1, 2]), grad: null },
          { data: Arr.from([0.25, -0.75]), grad: null },
        ];
        const feed = ([a, b]: [Param, Param], [ga, gb]: (typeof steps)[number]) => {
          a.grad = ga === null ? null : { data: Arr.from(ga) };
          b.grad = gb === null ? null : { data: Arr.from(gb) };
        };
        const straight = fresh();
        const optA = make([{ params: [straight[0]] }, { params: [straight[1]] }], o);
        const resumed = fresh();
        let optB = make([{ params: [resumed[0]] }, { params: [resumed[1]] }], o);
        steps.forEach((g, t) => {
          if (t === split) {
            const saved = JSON.parse(JSON.stringify(optB.stateDict()));
            optB = make([{ params: [resumed[0]] }, { params: [resumed[1]] }], {});
            optB.loadStateDict(saved);
          }
          feed(straight, g);
          feed(resumed, g);
          optA.step();
          optB.step();
        });
        expect(
          bitsEqual(resumed[0].data, straight[0].data) && bitsEqual(resumed[1].data, straight[1].data),
        ).toBe(true);
        expect(optB.stateDict()).toEqual(optA.stateDict());
      }),
      { numRuns: 60, seed: 20261128 },
    );
  });
});

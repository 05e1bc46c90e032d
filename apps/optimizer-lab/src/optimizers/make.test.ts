import type { Param } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { makeOptimizer, retune } from "./make.js";
import { CATALOG, getRule, valuesFor } from "./rules.js";
import { TEST_CATALOG } from "./test-catalog.testutil.js";

const param = (): Param => ({ data: new Float64Array([1, 2]), grad: { data: new Float64Array([0.5, -1]) } });

describe("makeOptimizer", () => {
  it("builds every catalog rule (and the test rules) from its values, each value reaching the groups", () => {
    for (const entry of TEST_CATALOG) {
      const values = valuesFor(entry);
      for (const h of entry.hyperparameters) {
        if (h.kind !== "number") continue;
        // A value inside the typical range that differs from the default.
        const [lo, hi] = h.typical;
        let v = h.scale === "log" && lo > 0 ? Math.sqrt(lo * hi) : (lo + hi) / 2;
        if (h.integer === true) v = Math.round(v);
        if (v === h.default) v = h.integer === true ? v + 1 : v * 0.5 + hi * 0.5;
        values[h.key] = v;
      }
      const opt = makeOptimizer(entry, [param()], values);
      const g = opt.paramGroups[0];
      for (const h of entry.hyperparameters) {
        if (h.kind !== "number") continue;
        const stored = h.index === undefined ? g[h.option] : (g[h.option] as number[])[h.index];
        expect(stored, `${entry.id} ${h.key}`).toBe(values[h.key]);
      }
    }
  });

  it("passes the optimizer's own error for a combination it rejects", () => {
    const momentum = getRule(CATALOG, "momentum");
    const values = { ...valuesFor(momentum), nesterov: true, dampening: 0.5 };
    expect(() => makeOptimizer(momentum, [param()], values)).toThrow(/Nesterov momentum requires/);
  });
});

describe("retune", () => {
  it("writes the numeric hyperparameters into every group, tuples whole, and leaves on/off options", () => {
    const adam = getRule(CATALOG, "adam");
    const opt = makeOptimizer(adam, [param()], valuesFor(adam));
    retune(opt, adam, { ...valuesFor(adam), lr: 0.25, beta2: 0.95, eps: 1e-6, amsgrad: true });
    const g = opt.paramGroups[0];
    expect(g.lr).toBe(0.25);
    expect(g["betas"]).toEqual([0.9, 0.95]);
    expect(g["eps"]).toBe(1e-6);
    expect(g["amsgrad"]).toBe(false);
  });
});

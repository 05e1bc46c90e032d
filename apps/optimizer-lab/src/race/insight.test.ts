import type { Optimizer, Param } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { CATALOG, getRule, type HyperValues, valuesFor } from "../optimizers/rules.js";
import { SIGNUM_ENTRY, TEST_CATALOG } from "../optimizers/test-catalog.testutil.js";
import { getSurface } from "../surfaces/surfaces.js";
import { readInsight } from "./insight.js";
import { Racer } from "./race.js";

const RTOL = 1e-12;
const close = (a: number, b: number) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(RTOL * Math.max(1, Math.abs(b)));

/** A racer of rule `id` on the quadratic from (2, 1), after `steps` steps; g = (2, 50) at the start. */
function racer(id: string, over: HyperValues = {}, steps = 1): Racer {
  const entry = getRule(TEST_CATALOG, id);
  const r = new Racer(entry, getSurface("quadratic"), [2, 1], { ...valuesFor(entry), ...over });
  for (let i = 0; i < steps; i++) r.step();
  return r;
}

describe("readInsight", () => {
  it("Adam: m = (1 − β₁)·g after one step, v = (1 − β₂)·g² in the state, the step rescaled per axis", () => {
    const ins = racer("adam", { lr: 0.1 }).insight!;
    expect(ins.grad).toEqual([2, 50]);
    expect(ins.moment?.key).toBe("expAvg");
    close(ins.moment!.value[0], 0.1 * 2);
    close(ins.moment!.value[1], 0.1 * 50);
    const v = ins.state.find((s) => s.key === "expAvgSq")!.value as number[];
    close(v[0], 0.001 * 4);
    close(v[1], 0.001 * 2500);
    // m̂ = g and v̂ = g² after one step: Δp = −lr·g/(|g| + ε), so Δp ÷ (−lr·g) = 1/(|g| + ε) per axis.
    close(ins.step[0], (-0.1 * 2) / (2 + 1e-8));
    close(ins.step[1], (-0.1 * 50) / (50 + 1e-8));
    close(ins.ratio[0]!, 1 / (2 + 1e-8));
    close(ins.ratio[1]!, 1 / (50 + 1e-8));
  });

  it("SGD + momentum: the momentum buffer b, no other state, and no rescaling at the first step", () => {
    const r = racer("momentum", { lr: 0.01, momentum: 0.9 }, 2);
    // b₁ = g₁ = (2, 50); p₁ = (1.98, 0.5); g₂ = (1.98, 25); b₂ = 0.9·b₁ + g₂.
    const ins = r.insight!;
    expect(ins.moment?.label).toBe("momentum buffer b");
    close(ins.moment!.value[0], 0.9 * 2 + 1.98);
    close(ins.moment!.value[1], 0.9 * 50 + 25);
    expect(ins.state).toEqual([]);
    for (const v of racer("momentum", { lr: 0.01 }).insight!.ratio) close(v!, 1);
  });

  it("plain SGD keeps nothing: no momentum, no state, a ratio of 1 (to rounding of p − p₀)", () => {
    const ins = racer("sgd", { lr: 0.01 }).insight!;
    expect(ins.moment).toBeNull();
    expect(ins.state).toEqual([]);
    for (const v of ins.ratio) close(v!, 1);
  });

  it("Adagrad and centered RMSprop: their buffers by state key, no momentum", () => {
    const a = racer("adagrad").insight!;
    expect(a.moment).toBeNull();
    expect(a.state).toEqual([{ key: "sum", value: [4, 2500] }]);
    const r = racer("rmsprop", { centered: true, alpha: 0.9 }).insight!;
    expect(r.moment).toBeNull();
    expect(r.state.map((s) => s.key).sort()).toEqual(["gradAvg", "squareAvg"]);
    // RMSprop with momentum keeps a momentum buffer: the arrow follows it.
    expect(racer("rmsprop", { momentum: 0.5 }).insight!.moment?.key).toBe("momentumBuffer");
  });

  it("a rule the lab has never seen: recognised by the shape of its state, not by its id", () => {
    const ins = racer(SIGNUM_ENTRY.id, { lr: 0.01, beta: 0.5 }).insight!;
    expect(ins.moment).toEqual({ key: "expAvg", label: "running average of gradients m", value: [1, 25] });
    close(ins.step[0], -0.01);
    close(ins.step[1], -0.01);
  });

  it("reads a flat state kept on the first parameter only (as L-BFGS keeps it), and skips lists", () => {
    const x: Param = { data: new Float64Array([0]), grad: null };
    const y: Param = { data: new Float64Array([0]), grad: null };
    const opt = {
      paramGroups: [{ lr: 1 }],
      state: new Map([
        [x, { step: 3, d: new Float64Array([0.5, -2]), t: 0.25, oldDirs: [new Float64Array(2)] }],
      ]),
    } as unknown as Optimizer;
    const ins = readInsight(opt, x, y, [1, 4], [-0.5, -1]);
    expect(ins.moment).toBeNull();
    expect(ins.state).toEqual([
      { key: "d", value: [0.5, -2] },
      { key: "t", value: 0.25 },
    ]);
    expect(ins.ratio).toEqual([0.5, 0.25]);
    expect(readInsight(opt, x, y, [0, 4], [0, -1]).ratio).toEqual([null, 0.25]);
  });

  it("every rule of the catalog gives an insight whose step is the move it made", () => {
    for (const entry of TEST_CATALOG) {
      // A small lr keeps every rule on the surface for three steps (some defaults, e.g.
      // Schedule-Free SGD's lr 1, leave the quadratic's steep valley at once).
      const r = racer(entry.id, { lr: 1e-3 }, 3);
      expect(r.status, entry.id).toBe("running");
      const ins = r.insight!;
      close(ins.step[0], r.trail[6] - r.trail[4]);
      close(ins.step[1], r.trail[7] - r.trail[5]);
      for (const s of ins.state) expect(s.key).not.toBe("step");
    }
    expect(CATALOG.length).toBeGreaterThan(0);
  });
});

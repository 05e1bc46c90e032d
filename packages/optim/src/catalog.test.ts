import { describe, expect, it } from "vitest";
import { OPTIMIZER_CATALOG } from "./catalog.js";
import type { NumberHyperparameter, OptimizerEntry } from "./catalog-entry.js";
import {
  checkHyperparameter,
  createOptimizer,
  defaultValues,
  optimizerEntry,
  optionsFromValues,
  rangeText,
} from "./catalog-values.js";
import type { Param } from "./param.js";

// Every entry of the catalog is checked against its own class: the catalog's defaults are the
// class's, its valid ranges are what the class accepts, and an optimizer built from the catalog
// takes a step. A rule added to the catalog is covered here with no edit.

/** A parameter of 3 elements; for entries that need a shape (Muon: a matrix), a 1×3 matrix. */
const param = (entry?: OptimizerEntry): Param => ({
  data: new Float64Array([1, -2, 3]),
  grad: { data: new Float64Array([0.5, -1, 2]) },
  ...(entry?.needsShape === true ? { shape: [1, 3] } : {}),
});

function numbers(entry: OptimizerEntry): NumberHyperparameter[] {
  return entry.hyperparameters.filter((h): h is NumberHyperparameter => h.kind === "number");
}

/** Builds `entry` with one number hyperparameter set to `value` (the rest at defaults). */
function buildWith(entry: OptimizerEntry, h: NumberHyperparameter, value: number): void {
  const options = optionsFromValues(entry);
  if (h.index !== undefined) {
    const tuple = [...(options[h.option] as number[])];
    tuple[h.index] = value;
    options[h.option] = tuple;
  } else {
    options[h.option] = value;
  }
  entry.create([param(entry)], options);
}

/** A value just outside `[min, max]` on the given side, or undefined where the bound is open-ended. */
function outside(h: NumberHyperparameter, side: "min" | "max"): number | undefined {
  const bound = h[side];
  if (!Number.isFinite(bound)) return undefined;
  const exclusive = side === "min" ? h.minExclusive === true : h.maxExclusive === true;
  if (exclusive) return bound;
  const step = Math.max(Math.abs(bound) * 1e-9, 1e-12);
  return side === "min" ? bound - step : bound + step;
}

describe("the optimizer catalog", () => {
  it("has unique lower-case ids and unique hyperparameter keys per entry", () => {
    const ids = OPTIMIZER_CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of OPTIMIZER_CATALOG) {
      expect(entry.id).toMatch(/^[a-z][a-z0-9-]*$/);
      const keys = entry.hyperparameters.map((h) => h.key);
      expect(new Set(keys).size, entry.id).toBe(keys.length);
      expect(keys[0], `${entry.id}: lr comes first`).toBe("lr");
      expect(entry.summary.length, entry.id).toBeGreaterThan(20);
      expect(entry.update.length, entry.id).toBeGreaterThan(3);
      expect(entry.reference.url, entry.id).toMatch(/^https:\/\//);
    }
  });

  for (const entry of OPTIMIZER_CATALOG) {
    describe(entry.id, () => {
      it("builds its class from the defaults, and the class's defaults are the catalog's", () => {
        const opt = entry.create([param(entry)], optionsFromValues(entry));
        expect(opt.kind).toBe(entry.className);
        const bare = entry.create([param(entry)], { ...entry.fixed });
        for (const h of entry.hyperparameters) {
          const value = (bare.defaults as unknown as Record<string, unknown>)[h.option];
          const expected =
            h.kind === "number" && h.index !== undefined ? (value as number[])[h.index] : value;
          // A named setting (SGD + momentum) may default an option differently from its class.
          if (opt.kind === entry.id || entry.id === entry.className.toLowerCase()) {
            expect(expected, `${entry.id} ${h.key}`).toEqual(h.default);
          }
        }
      });

      it("takes a step from the catalog's defaults", () => {
        const p = param(entry);
        const before = [...p.data];
        const opt = createOptimizer(entry.id, [p]);
        if (entry.needsClosure === true) opt.step(() => 1);
        else opt.step();
        expect([...p.data]).not.toEqual(before);
        expect([...p.data].every(Number.isFinite)).toBe(true);
      });

      for (const h of numbers(entry)) {
        it(`${h.key}: default and typical range inside the valid range ${rangeText(h)}, bounds as the class checks them`, () => {
          expect(checkHyperparameter(h, h.default)).toBeNull();
          expect(checkHyperparameter(h, h.typical[0])).toBeNull();
          expect(checkHyperparameter(h, h.typical[1])).toBeNull();
          expect(h.typical[0]).toBeLessThan(h.typical[1]);
          if (h.scale === "log") expect(h.typical[0], "log scale needs a positive range").toBeGreaterThan(0);
          for (const value of [h.typical[0], h.typical[1], h.default]) buildWith(entry, h, value);
          for (const side of ["min", "max"] as const) {
            const bad = outside(h, side);
            if (bad === undefined) continue;
            expect(checkHyperparameter(h, bad), `${h.key} = ${bad}`).not.toBeNull();
            expect(() => buildWith(entry, h, bad), `${entry.className} accepts ${h.key} = ${bad}`).toThrow();
          }
          for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, "1"]) {
            expect(checkHyperparameter(h, bad)).not.toBeNull();
            expect(
              () => buildWith(entry, h, bad as number),
              `${entry.className} accepts ${h.key} = ${String(bad)}`,
            ).toThrow();
          }
        });
      }
    });
  }

  it("entries that need a shape say so, and their classes name the missing shape", () => {
    const shaped = OPTIMIZER_CATALOG.filter((e) => e.needsShape === true).map((e) => e.id);
    expect(shaped).toEqual(["muon", "adafactor"]);
    for (const id of shaped) {
      expect(() => createOptimizer(id, [param()])).toThrow(/needs the shape of each parameter/);
    }
  });

  it("maps values by key onto constructor options, pairs included", () => {
    const adam = optimizerEntry("adam");
    expect(optionsFromValues(adam, { lr: 0.01, beta1: 0.8 })).toEqual({
      lr: 0.01,
      betas: [0.8, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
    });
    expect(defaultValues(adam)).toMatchObject({ lr: 1e-3, beta1: 0.9, beta2: 0.999, amsgrad: false });
  });

  it("names unknown ids and keys with a suggestion, and invalid values with the range", () => {
    expect(() => optimizerEntry("adamm")).toThrow('unknown optimizer "adamm" (did you mean adam?)');
    expect(() => optimizerEntry("constructor")).toThrow("unknown optimizer");
    expect(() => optionsFromValues(optimizerEntry("adam"), { beta_1: 0.5 })).toThrow(
      'Adam has no hyperparameter "beta_1" (did you mean beta1?)',
    );
    expect(() => optionsFromValues(optimizerEntry("adam"), { beta1: 1 })).toThrow(
      "Adam: beta1 must be in [0, 1), got 1",
    );
    expect(() => optionsFromValues(optimizerEntry("adam"), { amsgrad: 1 })).toThrow(
      "Adam: amsgrad must be true or false, got 1",
    );
  });
});

it("writes valid ranges in interval notation, open at infinite ends", () => {
  const base = optimizerEntry("adam").hyperparameters[0] as NumberHyperparameter;
  expect(rangeText({ ...base, min: 0, max: Number.POSITIVE_INFINITY })).toBe("[0, ∞)");
  expect(rangeText({ ...base, min: 0, max: 1, maxExclusive: true })).toBe("[0, 1)");
  expect(rangeText({ ...base, min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY })).toBe(
    "(−∞, ∞)",
  );
  expect(rangeText({ ...base, min: 0, minExclusive: true, max: 2 })).toBe("(0, 2]");
});

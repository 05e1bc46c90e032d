import { describe, expect, it } from "vitest";
import { DATASETS, makeDataset, splitPoints } from "./datasets.js";
import { Random } from "./random.js";

describe("Random", () => {
  it("is deterministic per seed and stream, and uniform() lies in [0, 1)", () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(42, 1);
    const xs = Array.from({ length: 1000 }, () => a.uniform());
    expect(Array.from({ length: 1000 }, () => b.uniform())).toEqual(xs);
    expect(c.uniform()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it("normal() has mean ≈ 0 and variance ≈ 1 (20 000 samples, 5 standard errors)", () => {
    const r = new Random(7);
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    const mean = s / n;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - mean * mean - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it("rejects a bad seed by name", () => {
    expect(() => new Random(-1)).toThrow(/seed must be an integer in \[0, 2\^32\)/);
  });
});

describe("data sets", () => {
  for (const id of DATASETS) {
    it(`${id}: balanced labels, points within [−1.2, 1.2]² without noise, reproducible from the seed`, () => {
      const p = makeDataset(id, { count: 200, noise: 0, seed: 3 });
      expect(p.labels.filter((l) => l === 1).length).toBe(100);
      for (const v of p.x) expect(Math.abs(v)).toBeLessThanOrEqual(1.2);
      expect(makeDataset(id, { count: 200, noise: 0.1, seed: 3 })).toEqual(
        makeDataset(id, { count: 200, noise: 0.1, seed: 3 }),
      );
      expect(makeDataset(id, { count: 200, noise: 0.1, seed: 4 }).x).not.toEqual(
        makeDataset(id, { count: 200, noise: 0.1, seed: 3 }).x,
      );
    });
  }

  it("puts each class where its shape says (noise 0)", () => {
    const c = makeDataset("circles", { count: 100, noise: 0, seed: 1 });
    const x = makeDataset("xor", { count: 100, noise: 0, seed: 1 });
    for (let i = 0; i < 100; i++) {
      const r = Math.hypot(c.x[2 * i], c.x[2 * i + 1]);
      expect(r).toBeCloseTo(c.labels[i] === 0 ? 0.5 : 1, 12);
      expect(x.x[2 * i] * x.x[2 * i + 1] < 0).toBe(x.labels[i] === 1);
    }
  });

  it("splits 30% to test without losing or duplicating points", () => {
    const p = makeDataset("moons", { count: 301, noise: 0.1, seed: 5 });
    const { train, test } = splitPoints(p, 5);
    expect(test.labels.length).toBe(90);
    expect(train.labels.length).toBe(211);
    const key = (x: Float64Array, i: number) => `${x[2 * i]},${x[2 * i + 1]}`;
    const all = new Set(Array.from({ length: 301 }, (_, i) => key(p.x, i)));
    const got = [
      ...Array.from({ length: 211 }, (_, i) => key(train.x, i)),
      ...Array.from({ length: 90 }, (_, i) => key(test.x, i)),
    ];
    expect(new Set(got)).toEqual(all);
  });
});

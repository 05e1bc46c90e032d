import { describe, expect, it } from "vitest";
import { rand, randint, randn, randperm } from "./creation.js";
import { Generator, manualSeed } from "./random.js";

/**
 * Reference streams from an independent Python transcription of splitmix32 + xoshiro128**
 * (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c), arbitrary-precision ints.
 */
const STREAMS: Record<number, number[]> = {
  0: [1789933344, 44971166, 2521387044, 3848737593],
  42: [660444221, 3652823732, 77672526, 910233633],
  1099511627783: [2098392644, 4155793745, 3939309091, 154303161],
};

describe("Generator", () => {
  it("reproduces the reference xoshiro128** stream", () => {
    for (const [seed, words] of Object.entries(STREAMS)) {
      const g = new Generator(Number(seed));
      expect(words.map(() => g.nextUint32())).toEqual(words);
    }
  });

  it("random() builds a 53-bit double from two words", () => {
    const g = new Generator(42);
    expect(g.random()).toBe(0.15377165265745885);
    expect(g.random()).toBe(0.018084542542176507);
  });

  it("normal() has mean ≈ 0 and variance ≈ 1", () => {
    const g = new Generator(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = g.normal();
      s += v;
      s2 += v * v;
    }
    const m = s / n;
    // 5 standard errors: |mean| < 5/√n, |var − 1| < 5·√(2/n)
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - m * m - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it("randint covers [low, high) uniformly", () => {
    const g = new Generator(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[g.randint(-2, 4) + 2]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => g.randint(3, 3)).toThrow(/low < high/);
  });

  it("state round-trips through JSON", () => {
    const g = new Generator(123);
    g.normal(); // leaves a spare deviate
    const saved = JSON.parse(JSON.stringify(g.getState()));
    const a = [g.normal(), g.random(), g.normal()];
    g.setState(saved);
    expect([g.normal(), g.random(), g.normal()]).toEqual(a);
    expect(() => g.setState({ algorithm: "mt", s: [1, 2, 3, 4] } as never)).toThrow(/invalid state/);
    expect(() => new Generator(1.5)).toThrow(/safe integer/);
  });

  it("manualSeed makes the default generator reproducible", () => {
    manualSeed(5);
    const a = randn([4], { dtype: "float64" });
    manualSeed(5);
    const b = randn([4], { dtype: "float64" });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it("rand/randn/randint/randperm take an explicit generator, dtype and requiresGrad", () => {
    const r = rand([2, 3], { generator: new Generator(42), dtype: "float64", requiresGrad: true });
    expect(r.shape).toEqual([2, 3]);
    expect(r.requiresGrad).toBe(true);
    expect(r.data[0]).toBe(0.15377165265745885);
    const f = rand([1000], { generator: new Generator(1) });
    expect(f.dtype).toBe("float32");
    for (const v of f.data) expect(v >= 0 && v < 1).toBe(true);
    const i = randint(0, 10, [100], { generator: new Generator(1) });
    for (const v of i.data) expect(Number.isInteger(v) && v >= 0 && v < 10).toBe(true);
    const a = randint(0, 10, [5], { generator: new Generator(4) });
    expect(Array.from(randint(10, [5], { generator: new Generator(4) }).data)).toEqual(Array.from(a.data));
    expect(Array.from(randint([5], { high: 10, generator: new Generator(4) }).data)).toEqual(
      Array.from(a.data),
    );
    expect(() => randint([5], {})).toThrow("randint: need integers low < high, got low=0, high=undefined");
    const p = randperm(10, { generator: new Generator(1) });
    expect(Array.from(p.data).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

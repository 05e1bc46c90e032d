import { describe, expect, it } from "vitest";
import { Random } from "./random.js";

/** xoshiro128** written independently with BigInt, from the reference C code (prng.di.unimi.it). */
function referenceXoshiro(state: bigint[], count: number): number[] {
  const s = [...state];
  const M = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1] * 5n) & M, 7n) * 9n) & M));
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

describe("Random", () => {
  it("is xoshiro128** (matches an independent BigInt implementation)", () => {
    const r = new Random(0);
    r.setState([1, 2, 3, 4]);
    const got = Array.from({ length: 50 }, () => r.nextUint32());
    expect(got).toEqual(referenceXoshiro([1n, 2n, 3n, 4n], 50));
    // Published first output for state {1, 2, 3, 4}: 11520 (= rotl(2·5, 7)·9).
    expect(got[0]).toBe(11520);
  });

  it("same seed and stream, same stream of numbers; different seed or stream, different numbers", () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new Random(42)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new Random(42)),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new Random(43)),
    );
    const d = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.uniform()
      )(new Random(42, 1)),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(d);
  });

  it("uniform() is in [0, 1) with mean ≈ 1/2 and normal() has mean ≈ 0, variance ≈ 1", () => {
    const r = new Random(7);
    const n = 100_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      su += u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    // 5 standard errors: uniform sd 0.2887/√n, normal mean sd 1/√n, variance sd √2/√n.
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const FIVE_SE = 5 / Math.sqrt(n);
    expect(Math.abs(su / n - 0.5)).toBeLessThan(0.2887 * FIVE_SE);
    expect(Math.abs(sn / n)).toBeLessThan(FIVE_SE);
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(Math.SQRT2 * FIVE_SE);
  });

  it("permutation() is a permutation and int() stays in range", () => {
    const r = new Random(3);
    const p = Array.from(r.permutation(1000)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (let i = 0; i < 1000; i++) {
      const k = r.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
    }
  });

  it("getState/setState resumes the exact stream", () => {
    const r = new Random(11);
    r.uniform();
    const saved = r.getState();
    const next = [r.uniform(), r.uniform()];
    const q = new Random(999);
    q.setState(saved);
    expect([q.uniform(), q.uniform()]).toEqual(next);
  });

  it("rejects bad seeds and states", () => {
    expect(() => new Random(1.5)).toThrow(/seed must be a safe integer/);
    expect(() => new Random(0).setState([0, 0, 0, 0])).toThrow(/not all zero/);
    expect(() => new Random(0).setState([1, 2, 3])).toThrow(/four unsigned/);
    expect(() => new Random(0).setState([1, 2, 3, 2 ** 32])).toThrow(/four unsigned/);
  });
});

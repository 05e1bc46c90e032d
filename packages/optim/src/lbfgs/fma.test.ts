import { describe, expect, it } from "vitest";
import { fma, fmaF32 } from "./fma.js";

// An independent reference: the exact value of a·b + c as a BigInt times a power of two, rounded
// to `precision` bits, ties to even (results in the normal range only).

interface Exact {
  n: bigint;
  e: number;
}

const view = new DataView(new ArrayBuffer(8));

function decompose(x: number): Exact {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  const n = biased === 0 ? frac : frac | (1n << 52n);
  const e = (biased === 0 ? 1 : biased) - 1075;
  return { n: hi >>> 31 ? -n : n, e };
}

function exactFma(a: number, b: number, c: number): Exact {
  const A = decompose(a);
  const B = decompose(b);
  const C = decompose(c);
  const pe = A.e + B.e;
  const e = Math.min(pe, C.e);
  return { n: ((A.n * B.n) << BigInt(pe - e)) + (C.n << BigInt(C.e - e)), e };
}

function round({ n, e }: Exact, precision: number): number {
  if (n === 0n) return 0;
  const negative = n < 0n;
  let m = negative ? -n : n;
  let shift = m.toString(2).length - precision;
  if (shift > 0) {
    const rem = m & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    m >>= BigInt(shift);
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
  } else {
    shift = 0;
  }
  const value = Number(m) * 2 ** (e + shift);
  return negative ? -value : value;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("fma (float64)", () => {
  it("is a·b + c with one rounding, on random operands and near-cancellations", () => {
    const random = rng(1);
    const value = () => (random() - 0.5) * 2 ** Math.floor(random() * 80 - 40);
    let checked = 0;
    for (let i = 0; i < 20000; i++) {
      const a = value();
      const b = value();
      // Every 3rd case c nearly cancels a·b, where rounding twice is most often wrong.
      const c = i % 3 === 0 ? -(a * b) * (1 + (random() - 0.5) * 2 ** -30) : value();
      const expected = round(exactFma(a, b, c), 53);
      if (Math.abs(expected) < 2 ** -1000) continue; // outside the reference's normal range
      expect(fma(a, b, c)).toBe(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(19000);
  });

  it("is right where a·b + c with two roundings is not", () => {
    // a² = 1 + 2^-51 + 2^-104; + 2^-53 lands just above the tie between 1 + 2^-51 and
    // 1 + 3·2^-52. Rounding a² first drops the 2^-104 and makes it an exact tie (to even: down).
    const a = 1 + 2 ** -52;
    expect(fma(a, a, 2 ** -53)).toBe(1 + 3 * 2 ** -52);
    expect(a * a + 2 ** -53).toBe(1 + 2 ** -51);
    expect(round(exactFma(a, a, 2 ** -53), 53)).toBe(1 + 3 * 2 ** -52);
  });

  it("gives IEEE results for zeros, infinities and NaN", () => {
    expect(fma(0, 5, 2)).toBe(2);
    expect(fma(2, 3, Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(fma(Number.POSITIVE_INFINITY, 2, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(fma(Number.NaN, 2, 1)).toBeNaN();
    expect(fma(2, 3, Number.NaN)).toBeNaN();
    expect(fma(1e300, 1e300, 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("fmaF32", () => {
  it("is a·b + c rounded once to float32, for float32 operands", () => {
    const random = rng(2);
    const value = () => Math.fround((random() - 0.5) * 2 ** Math.floor(random() * 40 - 20));
    for (let i = 0; i < 20000; i++) {
      const a = value();
      const b = value();
      const c = i % 3 === 0 ? Math.fround(-(a * b) * (1 + (random() - 0.5) * 2 ** -12)) : value();
      expect(fmaF32(a, b, c)).toBe(Math.fround(round(exactFma(a, b, c), 24)));
    }
  });

  it("is right where rounding a·b + c to float64 and then to float32 is not", () => {
    // a·b = 2^-24 − 2^-60 exactly; + (1 + 2^-23) is just below the float32 tie 1 + 3·2^-24, but
    // rounds to that tie in float64 (then to even: up).
    const a = 2 ** -12 * (1 + 2 ** -18);
    const b = 2 ** -12 * (1 - 2 ** -18);
    const c = 1 + 2 ** -23;
    expect([a, b, c].every((v) => Math.fround(v) === v)).toBe(true);
    expect(fmaF32(a, b, c)).toBe(1 + 2 ** -23);
    expect(Math.fround(a * b + c)).toBe(1 + 2 ** -22);
  });
});

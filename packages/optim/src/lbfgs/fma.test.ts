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

  it("is right next to ties: a·b + c within one unit of a midpoint, or on it", () => {
    // a, b: odd 27-bit integers, so a·b has 54 bits (p = RN(a·b) is off by ±1); c = ±2^60 makes
    // the sum's unit 2^8, and keeping only a·b ≡ 127, 128 or 129 (mod 256) puts the sum within 1 of a
    // midpoint of that unit, or on it. Then scaled by a random power of two.
    const random = rng(3);
    let checked = 0;
    let twoRoundingsWrong = 0;
    while (checked < 4000) {
      const a = 2 * Math.floor(random() * 2 ** 25) + 2 ** 26 + 1;
      const b = Math.floor(random() * 2 ** 26) + 2 ** 26; // odd or even: even gives exact ties
      const low = Number((BigInt(a) * BigInt(b)) % 256n);
      if (low < 127 || low > 129) continue;
      const scale = 2 ** Math.floor(random() * 60 - 30);
      const sign = random() < 0.5 ? -1 : 1;
      const x = a * scale;
      const c = sign * (2 ** 60 + 256 * Math.floor(random() * 2 ** 20)) * scale;
      const expected = round(exactFma(x, b, c), 53);
      expect(fma(x, b, c)).toBe(expected);
      if (x * b + c !== expected) twoRoundingsWrong++;
      checked++;
    }
    expect(twoRoundingsWrong).toBeGreaterThan(200); // measured 399
  });

  it("breaks ties that the rounding of c + RN(a·b) creates, by the sign of a·b's rounding error", () => {
    // (1 + 2^-27)(1 − 2^-27 + 2^-53) = 1 + 2^-54 + 2^-80 rounds to 1, and (1 + 2^-27)(1 − 2^-27) =
    // 1 − 2^-54 rounds (a tie) to 1: with c = 2^53 or 2^53 + 2 the sum c + 1 is a tie in
    // float64 that the dropped ±2^-54 decides. Scaled by powers of two, with all signs.
    const random = rng(5);
    const pairs: [number, number][] = [
      [1 + 2 ** -27, 1 - 2 ** -27 + 2 ** -53],
      [1 + 2 ** -27, 1 - 2 ** -27],
    ];
    let twoRoundingsWrong = 0;
    for (let i = 0; i < 400; i++) {
      const [a0, b0] = pairs[i % 2];
      const k = Math.floor(random() * 200 - 100);
      const sign = random() < 0.5 ? -1 : 1;
      const a = sign * a0 * 2 ** k;
      const b = b0 * 2 ** Math.floor(random() * 20);
      const c = sign * (2 ** 53 + 2 * (i % 4 < 2 ? 0 : 1)) * (a / (sign * a0)) * (b / b0);
      const expected = round(exactFma(a, b, c), 53);
      expect(fma(a, b, c)).toBe(expected);
      if (a * b + c !== expected) twoRoundingsWrong++;
    }
    expect(twoRoundingsWrong).toBeGreaterThan(100);
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

  it("is right next to float32 ties that rounding to float64 first lands on", () => {
    // (2^12 + 1)(2^24 − 2^12 + 1) = 2^36 + 1 exactly; + (2^60 + k·2^37) is 1 above a float32
    // midpoint, which float64 (unit 2^8 there) rounds onto. ± signs and power-of-two scales.
    const random = rng(4);
    const a = 4097;
    const b = 16773121;
    let twoRoundingsWrong = 0;
    for (let i = 0; i < 2000; i++) {
      const scale = 2 ** Math.floor(random() * 40 - 80);
      const sa = random() < 0.5 ? -1 : 1;
      const sc = random() < 0.5 ? -1 : 1;
      const x = sa * a * scale;
      const c = sc * (2 ** 60 + 2 ** 37 * Math.floor(random() * 2 ** 20)) * scale * 2 ** -10;
      const y = b * 2 ** -10;
      expect([x, y, c].every((v) => Math.fround(v) === v)).toBe(true);
      const expected = Math.fround(round(exactFma(x, y, c), 24));
      expect(fmaF32(x, y, c)).toBe(expected);
      if (Math.fround(x * y + c) !== expected) twoRoundingsWrong++;
    }
    expect(twoRoundingsWrong).toBeGreaterThan(500);
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

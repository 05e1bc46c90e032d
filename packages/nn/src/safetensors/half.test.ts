import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bf16BitsToNumber, f16BitsToNumber, numberToBf16Bits, numberToF16Bits } from "./half.js";

describe("F16", () => {
  // Bit patterns from IEEE 754-2008 binary16 (e.g. the table in Wikipedia "Half-precision floating-point format").
  const known: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [2 ** -14, 0x0400],
    [2 ** -24, 0x0001],
    [(1023 / 1024) * 2 ** -14, 0x03ff],
    [0.333251953125, 0x3555],
    [0.0999755859375, 0x2e66],
    [Number.POSITIVE_INFINITY, 0x7c00],
    [Number.NEGATIVE_INFINITY, 0xfc00],
  ];
  it.each(known)("%d <-> 0x%s", (x, bits) => {
    expect(numberToF16Bits(x)).toBe(bits);
    expect(Object.is(f16BitsToNumber(bits), x)).toBe(true);
  });

  it("rounds to nearest, ties to even, and overflows to infinity", () => {
    expect(numberToF16Bits(1 / 3)).toBe(0x3555);
    expect(numberToF16Bits(0.1)).toBe(0x2e66);
    expect(numberToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even mantissa 0
    expect(numberToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even mantissa 2
    expect(numberToF16Bits(65519)).toBe(0x7bff); // below the halfway point 65520
    expect(numberToF16Bits(65520)).toBe(0x7c00); // tie between 65504 and 2^16 → even → inf
    expect(numberToF16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24 → even
    expect(numberToF16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 ulps → 2
    expect(numberToF16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up into the smallest normal
    expect(numberToF16Bits(Number.NaN)).toBe(0x7e00);
  });

  it("rounds through float32 first, as PyTorch's double → Half conversion does", () => {
    // In double, 1 + 2^-11 + 2^-40 is just above the tie and would round up to 0x3C01; as a
    // float32 it is exactly the tie 1 + 2^-11, which rounds to even (0x3C00).
    expect(numberToF16Bits(1 + 2 ** -11 + 2 ** -40)).toBe(0x3c00);
  });

  it("round-trips every non-NaN bit pattern exactly", () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const x = f16BitsToNumber(bits);
      const isNaNPattern = (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
      if (Number.isNaN(x) !== isNaNPattern) wrong.push(bits);
      else if (!isNaNPattern && numberToF16Bits(x) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });
});

describe("BF16", () => {
  it("known values", () => {
    expect(numberToBf16Bits(1)).toBe(0x3f80);
    expect(numberToBf16Bits(-2)).toBe(0xc000);
    expect(numberToBf16Bits(Math.PI)).toBe(0x4049); // f32 0x40490FDB: low half 0x0FDB < 0x8000
    expect(numberToBf16Bits(1 / 3)).toBe(0x3eab); // f32 0x3EAAAAAB: low half 0xAAAB > 0x8000
    expect(numberToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(numberToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even
    expect(numberToBf16Bits(Number.NaN)).toBe(0x7fc0);
    expect(numberToBf16Bits(Number.NEGATIVE_INFINITY)).toBe(0xff80);
    expect(bf16BitsToNumber(0x4049)).toBe(3.140625);
  });

  it("round-trips every non-NaN bit pattern exactly", () => {
    const wrong: number[] = [];
    let nans = 0;
    for (let bits = 0; bits < 0x10000; bits++) {
      const x = bf16BitsToNumber(bits);
      if (Number.isNaN(x)) nans++;
      else if (numberToBf16Bits(x) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
    expect(nans).toBe(2 * 127); // exponent all ones, 7-bit mantissa ≠ 0, either sign
  });
});

describe("F16 rounding against an independent nearest-value search", () => {
  // All finite non-negative binary16 values in increasing order (bit patterns 0x0000..0x7BFF are monotonic).
  const finite = Array.from({ length: 0x7c00 }, (_, bits) => f16BitsToNumber(bits));

  /** Reference: the nearest binary16 to float32(x) by binary search, ties to the even bit pattern. */
  function nearestF16Bits(x: number): number {
    const f = Math.fround(x);
    const sign = f < 0 || Object.is(f, -0) ? 0x8000 : 0;
    const a = Math.abs(f);
    if (a >= 65520) return sign | 0x7c00; // 65520 = 65504 + half an ulp: ties go to even (∞)
    let lo = 0;
    let hi = finite.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (finite[mid] <= a) lo = mid;
      else hi = mid;
    }
    const dLo = a - finite[lo];
    const dHi = finite[hi] - a;
    const bits = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
    return sign | bits;
  }

  it("agrees on 20 000 random doubles across the whole range", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: -70000, max: 70000, noNaN: true }),
          fc.double({ min: -1e-3, max: 1e-3, noNaN: true }),
          // exact ties: the midpoint of two neighbouring binary16 values (12 significant bits, exact in float32)
          fc.integer({ min: 0, max: 0x7bfe }).map((b) => (f16BitsToNumber(b) + f16BitsToNumber(b + 1)) / 2),
        ),
        (x) => numberToF16Bits(x) === nearestF16Bits(x),
      ),
      { seed: 7, numRuns: 20_000 },
    );
  });
});

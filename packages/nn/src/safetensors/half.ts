/**
 * IEEE 754 binary16 (F16) and bfloat16 (BF16) <-> JavaScript numbers.
 *
 * Encoding follows PyTorch: `c10::Half` and `c10::BFloat16` are built from a `float`, so a double
 * is first rounded to float32 (`Math.fround`) and then to 16 bits, both steps round-to-nearest-even.
 * NaN encodes as the quiet NaN PyTorch produces (0x7E00 for F16, 0x7FC0 for BF16).
 */

const F32_VIEW = new DataView(new ArrayBuffer(4));

/** Round to the nearest integer, ties to even. Exact for |v| < 2^52. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5 || (d === 0.5 && f % 2 !== 0)) return f + 1;
  return f;
}

/**
 * binary16 bits → number.
 *   e = 0:      (−1)^s · m · 2^−24          (subnormal)
 *   0 < e < 31: (−1)^s · (1 + m/1024) · 2^(e−15)
 *   e = 31:     ±∞ (m = 0) or NaN
 */
export function f16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/** number → binary16 bits, via float32, round-to-nearest-even; overflow gives ±∞. */
export function numberToF16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const f = Math.fround(x);
  const sign = f < 0 || Object.is(f, -0) ? 0x8000 : 0;
  let a = Math.abs(f);
  if (a === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  if (a < 2 ** -14) {
    // Subnormal (or zero): the unit is 2^-24; a rounds up into the smallest normal naturally.
    return sign | roundHalfEven(a * 2 ** 24);
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  if (2 ** (e + 1) <= a) e += 1;
  let m = roundHalfEven(a * 2 ** (10 - e)); // in [1024, 2048]
  if (m === 2048) {
    m = 1024;
    e += 1;
  }
  if (e > 15) return sign | 0x7c00;
  a = m - 1024;
  return sign | ((e + 15) << 10) | a;
}

/** bfloat16 bits → number: the upper half of a float32. */
export function bf16BitsToNumber(bits: number): number {
  F32_VIEW.setUint32(0, (bits & 0xffff) << 16);
  return F32_VIEW.getFloat32(0);
}

/** number → bfloat16 bits, via float32, round-to-nearest-even (PyTorch's `round_to_nearest_even`). */
export function numberToBf16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  F32_VIEW.setFloat32(0, x);
  const u = F32_VIEW.getUint32(0);
  const bias = 0x7fff + ((u >>> 16) & 1);
  // u + bias < 2^32 for every non-NaN float32, so plain arithmetic is exact.
  return Math.floor((u + bias) / 0x10000) & 0xffff;
}

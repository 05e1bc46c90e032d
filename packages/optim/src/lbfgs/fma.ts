/**
 * Fused multiply-add, `a·b + c` with a single rounding, which JavaScript lacks (there is no
 * `Math.fma`). ATen computes `x.add_(y, alpha=s)` as a fused multiply-add on CPUs with FMA (its
 * vectorized loop, and on x86-64 builds its scalar loop as well), and L-BFGS does three such
 * updates per history entry, so an exact port needs it.
 *
 * Both functions compute the exact sum and round it once: `a·b` is split into a rounded product
 * and its exact error (Dekker), added to `c` with Knuth's error-free TwoSum, and the two small
 * error terms are combined with rounding to odd, which makes the final round-to-nearest correct
 * (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using
 * rounding to odd", IEEE Trans. Computers 57(4), 2008).
 */

/** Veltkamp's splitter for float64: 2^27 + 1. */
const SPLITTER = 134217729;
/** Above this magnitude `SPLITTER·a` overflows. */
const SPLIT_LIMIT = 2 ** 995;
/** Below this magnitude of `a·b` the product's error term can underflow. */
const TINY_PRODUCT = 2 ** -900;

const word = new Float64Array(1);
const halves = new Uint32Array(word.buffer);
/** Index of the low 32 bits of a float64 in `halves` (0 on little-endian hosts). */
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;

/**
 * `x + y` rounded to odd: exact if representable, else whichever of the two neighbouring float64
 * values has an odd last significand bit.
 */
function addRoundToOdd(x: number, y: number): number {
  const s = x + y;
  const yy = s - x;
  const err = x - (s - yy) + (y - yy);
  if (err === 0 || !Number.isFinite(s)) return s; // exact, or ±Infinity / NaN (err is NaN)
  word[0] = s;
  if ((halves[LOW] & 1) !== 0) return s;
  // s is even and inexact (so not 0): step one unit in the last place towards the exact sum.
  if (s > 0 === err > 0) {
    halves[LOW] += 1; // even, so no carry
  } else if (halves[LOW] === 0) {
    halves[LOW] = 0xffffffff;
    halves[HIGH] -= 1;
  } else {
    halves[LOW] -= 1;
  }
  return word[0];
}

/**
 * `a·b + c` rounded once to float64 (IEEE 754 fusedMultiplyAdd), for finite operands with
 * `|a|, |b| < 2^995` and `a·b` zero or above `2^-900` in magnitude, which covers any optimizer
 * state; outside that range (and for infinite or NaN operands) it returns `a·b + c` with two
 * roundings.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!(Math.abs(a) < SPLIT_LIMIT && Math.abs(b) < SPLIT_LIMIT && Math.abs(p) >= TINY_PRODUCT)) {
    return p + c; // also a·b = 0, ±Infinity and NaN, where p + c is already the fused result
  }
  if (!Number.isFinite(c)) return p + c;
  // Dekker: a·b = p + e exactly.
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const e = ah * bh - p + ah * bl + al * bh + al * bl;
  // TwoSum: c + p = s + u exactly.
  const s = c + p;
  const pp = s - c;
  const u = c - (s - pp) + (p - pp);
  return s + addRoundToOdd(u, e);
}

/**
 * `a·b + c` rounded once to float32, for float32 values `a`, `b`, `c`: the product of two float32
 * values is exact in float64, their sum is rounded to odd in float64 and then to float32, which is
 * the correctly rounded float32 result (float64 has more than 24 + 2 bits).
 */
export function fmaF32(a: number, b: number, c: number): number {
  return Math.fround(addRoundToOdd(a * b, c));
}

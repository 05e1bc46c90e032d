/**
 * erf and erfc in float64, accurate to about one ulp (erf; correctly rounded in practice for |x| ≥ 1) and a few ulps relative (erfc), so that
 * `gelu` matches PyTorch, whose CPU kernel calls a correctly rounded-ish `std::erf`.
 *
 * Method (no series with cancellation, no rounded x² inside an exponential):
 *   |x| ≤ 6: Taylor expansion around the nearest grid point c = k/4 (|h| = |x − c| ≤ 1/8; c = 0 for
 *     |x| < 3/8),
 *     erf(c + h) = erf(c) + (2/√π)·e^{−c²}·Σ_{n≥1} (−1)^{n−1} H_{n−1}(c) hⁿ/n!
 *     (dⁿ/dxⁿ e^{−x²} = (−1)ⁿ Hₙ(x) e^{−x²}, physicists' Hermite polynomials,
 *      H₀ = 1, H₁ = 2c, H_{k+1} = 2c·H_k − 2k·H_{k−1}); likewise erfc(c + h) = erfc(c) − (same sum).
 *   x ≥ 5.875 (erfc): the Laplace continued fraction
 *     erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
 *     by the modified Lentz method, with x² split exactly into hi + lo (Dekker) for the exponential.
 *
 * erf(x) for |x| ≥ 1 is 1 − erfc(|x|), which is then (almost always) correctly rounded.
 *
 * The grid values erf(k/4), erfc(k/4), e^{−(k/4)²} (k = 0…24) were computed with mpmath 1.3.0 at
 * 50 significant digits and rounded to the nearest float64.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

const ERF_AT = [
  0.0, 0.27632639016823696, 0.5204998778130465, 0.7111556336535151, 0.8427007929497149, 0.9229001282564583,
  0.9661051464753108, 0.9866716712191824, 0.9953222650189527, 0.9985372834133188, 0.999593047982555,
  0.9998993780778803, 0.9999779095030014, 0.9999956972205363, 0.9999992569016276, 0.9999998862727434,
  0.9999999845827421, 0.9999999981494259, 0.9999999998033839, 0.9999999999815149, 0.9999999999984626,
  0.9999999999998869, 0.9999999999999927, 0.9999999999999996, 1.0,
];
const ERFC_AT = [
  1.0, 0.7236736098317631, 0.4795001221869535, 0.28884436634648486, 0.15729920705028513, 0.07709987174354177,
  0.033894853524689274, 0.013328328780817557, 0.004677734981047266, 0.0014627165866811518,
  0.0004069520174449589, 0.00010062192211963683, 2.209049699858544e-5, 4.302779463675122e-6,
  7.430983723414128e-7, 1.1372725656979665e-7, 1.541725790028002e-8, 1.8505741373867425e-9,
  1.9661604415428876e-10, 1.8485047721485312e-11, 1.537459794428035e-12, 1.1310313266887154e-13,
  7.357847917974398e-15, 4.232136617425738e-16, 2.1519736712498913e-17,
];
const EXP_NEG_SQ = [
  1.0, 0.9394130628134758, 0.7788007830714049, 0.569782824730923, 0.36787944117144233, 0.2096113871510978,
  0.10539922456186433, 0.04677062238395898, 0.01831563888873418, 0.006329715427485747, 0.0019304541362277093,
  0.0005195746821548384, 0.00012340980408667956, 2.586810022265412e-5, 4.785117392129009e-6,
  7.811489408304491e-7, 1.1253517471925912e-7, 1.4307241918567688e-8, 1.6052280551856116e-9,
  1.5893910094516368e-10, 1.3887943864964021e-11, 1.0709232382508077e-12, 7.287724095819692e-14,
  4.37661850287085e-15, 2.3195228302435696e-16,
];

/** Σ_{n≥1} (−1)^{n−1} H_{n−1}(c) hⁿ/n! · (2/√π)·e^{−c²}: the Taylor correction from grid point k. */
function taylorCorrection(k: number, h: number): number {
  const c = k / 4;
  let hPrev = 0; // H_{n−2}
  let hCur = 1; // H_{n−1}
  let p = 1; // hⁿ/n!
  let sum = 0;
  let prevTerm = 0;
  for (let n = 1; n < 60; n++) {
    p *= h / n;
    const term = (n % 2 === 1 ? hCur : -hCur) * p;
    sum += term;
    // Two consecutive negligible terms (at c = 0 every other term is exactly 0).
    if (n > 1 && Math.abs(term) + Math.abs(prevTerm) <= 1e-18 * Math.abs(sum)) break;
    prevTerm = term;
    // H_n = 2c·H_{n−1} − 2(n−1)·H_{n−2}
    const hNext = 2 * c * hCur - 2 * (n - 1) * hPrev;
    hPrev = hCur;
    hCur = hNext;
  }
  return TWO_OVER_SQRT_PI * EXP_NEG_SQ[k] * sum;
}

/** The error function erf(x) = 2/√π ∫₀ˣ e^{−t²} dt. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax > 6) return x < 0 ? -1 : 1; // erfc(6) ≈ 2e-17 < ulp(1)/2
  if (ax >= 1) {
    // erfc ≤ 0.16 here and has a few ulps of RELATIVE error, far below ulp(erf): 1 − erfc is then
    // (almost always) the correctly rounded erf, which is what gelu's 1 + erf(x/√2) needs.
    const r = 1 - erfc(ax);
    return x < 0 ? -r : r;
  }
  // Near 0 the Maclaurin series (c = 0) avoids cancelling against erf(1/4).
  const k = ax < 0.375 ? 0 : Math.round(ax * 4);
  const r = ERF_AT[k] + taylorCorrection(k, ax - k / 4);
  return x < 0 ? -r : r;
}

/** Splits a float64 into a high part with 26 significant bits and the exact remainder (Dekker). */
function split(a: number): [number, number] {
  const t = 134217729 * a; // 2²⁷ + 1
  const hi = t - (t - a);
  return [hi, a - hi];
}

/** e^{−x²} without the rounding error of x² (which e^{−x²} would amplify by x²). */
function expNegSquare(x: number): number {
  const hi = x * x;
  const [xh, xl] = split(x);
  const lo = xh * xh - hi + 2 * xh * xl + xl * xl; // x² = hi + lo exactly (up to rounding of lo)
  return Math.exp(-hi) * (1 - lo);
}

/** The complementary error function erfc(x) = 1 − erf(x), with relative accuracy where it is tiny. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0.5) return 1 - erf(x);
  if (x < 5.875) {
    const k = Math.round(x * 4);
    return ERFC_AT[k] - taylorCorrection(k, x - k / 4);
  }
  if (x > 27.3) return 0;
  // Lentz: f = b0 + a1/(b1 + a2/(b2 + ...)), with b_i = x, a_i = i/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let i = 1; i < 500; i++) {
    const a = i / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * expNegSquare(x)) / f;
}

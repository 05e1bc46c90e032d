/** 2^27 + 1: Veltkamp's constant, splitting a double into two 26-bit halves. */
const SPLIT = 134217729;

/**
 * `x^n` for a non-negative integer n, correctly rounded but for ties closer than about 2^-100:
 * exponentiation by squaring in double-double arithmetic (Dekker's exact products). Python's
 * `x ** n` is C's `pow`, which glibc computes to within 0.52 ulp (correctly rounded for all but
 * about 1 in 4000 arguments), while V8's `**` is off by one ulp for about 6 % of them (e.g.
 * `0.999 ** t`); this agrees with Python except where glibc misrounds. Falls back to `x ** n` for
 * results beyond the double range (where the splitting overflows).
 */
export function powInt(x: number, n: number): number {
  let rh = 1;
  let rl = 0;
  let bh = x;
  let bl = 0;
  let e = n;
  while (e > 0) {
    if (e % 2 === 1) {
      const p = ddMul(rh, rl, bh, bl);
      rh = p[0];
      rl = p[1];
    }
    e = Math.floor(e / 2);
    if (e > 0) {
      const q = ddMul(bh, bl, bh, bl);
      bh = q[0];
      bl = q[1];
    }
  }
  return Number.isFinite(rh) && Number.isFinite(rl) ? rh : x ** n;
}

/**
 * `x^y` as Python's `x ** y` on floats: {@link powInt} for integer exponents (the common ones:
 * `β2^t`, `lrMax^2`), V8's `**` otherwise.
 */
export function pythonPow(x: number, y: number): number {
  return Number.isSafeInteger(y) && y >= 0 && Number.isFinite(x) ? powInt(x, y) : x ** y;
}

const PAIR: [number, number] = [0, 0];

/** (ah + al)·(bh + bl) in double-double, normalized; returns a shared pair. */
function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const p = ah * bh;
  let t = SPLIT * ah;
  const a1 = t - (t - ah);
  const a2 = ah - a1;
  t = SPLIT * bh;
  const b1 = t - (t - bh);
  const b2 = bh - b1;
  const err = a1 * b1 - p + a1 * b2 + a2 * b1 + a2 * b2 + (ah * bl + al * bh);
  const s = p + err;
  PAIR[0] = s;
  PAIR[1] = err - (s - p);
  return PAIR;
}

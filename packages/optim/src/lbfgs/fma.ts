/**
 * Fused multiply-add, `a·b + c` with a single rounding, which JavaScript lacks (there is no
 * `Math.fma`). ATen computes `x.add_(y, alpha=s)` as a fused multiply-add on CPUs with FMA (its
 * vectorized loop, and on x86-64 builds its scalar loop as well), and L-BFGS does three such
 * updates per history entry, so an exact port needs it.
 *
 * float64: a·b = p + e exactly (Dekker's product), c + p = s + u exactly (Knuth's TwoSum),
 * u + e = v + w exactly, s + v = r + q exactly, so a·b + c = r + q + w, and r = RN(s + v). w ≠ 0
 * only if u ≠ 0 and e ≠ 0; u ≠ 0 means c + p was inexact, hence |s| ≥ max(|c|, |p|)/2 and v is
 * within a few units in the last place of s. Then q and the midpoints around r lie on the grid of
 * v's last place while |w| is at most half of it, so r + q + w rounds to r, except when q is
 * exactly half the gap from r to its neighbour r + 2q: a tie, which w's sign breaks.
 * float32: a·b is exact in float64, and rounding a·b + c to float64 and then to float32 is right
 * unless the float64 sum is exactly a float32 tie, which its TwoSum error breaks.
 */

/** Veltkamp's splitter for float64: 2^27 + 1. */
const SPLITTER = 134217729;
/** Below this magnitude of `a·b` the product's error term can underflow. */
const TINY_PRODUCT = 2 ** -900;

/**
 * `a·b + c` rounded once to float64 (IEEE 754 fusedMultiplyAdd), whenever `|a·b| ≥ 2^-900` and
 * no intermediate overflows (`|a|, |b| < 2^996` suffice), which covers any optimizer state;
 * otherwise (also for a·b = 0 and for infinite or NaN operands) it returns `a·b + c` with two
 * roundings, which is the fused result in those cases except near underflow or overflow.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  // Dekker: a·b = p + e.
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const e = ah * bh - p + ah * bl + al * bh + al * bl;
  // TwoSum: c + p = s + u.
  const s = c + p;
  const sp = s - c;
  const u = c - (s - sp) + (p - sp);
  // TwoSum: u + e = v + w.
  const v = u + e;
  const ve = v - u;
  const w = u - (v - ve) + (e - ve);
  // TwoSum: s + v = r + q.
  const r = s + v;
  const rv = r - s;
  const q = s - (r - rv) + (v - rv);
  // An overflow or a non-finite operand makes r NaN or infinite. (Checked once, at the end: a
  // guard on the operands up front makes the loops that call this several times slower.)
  if (!(r - r === 0 && Math.abs(p) >= TINY_PRODUCT)) return p + c;
  // If q is exactly half the gap to the neighbour n = r + 2q, s + v was a tie (rounded to even);
  // the exact sum lies beyond it when w points the same way as q. (Ties are rare: tested first.)
  const n = r + 2 * q;
  return n - r === 2 * q && q !== 0 && w !== 0 && w > 0 === q > 0 ? n : r;
}

/** `a·b + c` rounded once to float32, for float32 values `a`, `b`, `c`. */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b; // exact
  const r = p + c;
  const f = Math.fround(r);
  // n is the float32 value on the other side of r, if r lies halfway between two float32 values.
  const n = 2 * r - f;
  if (Math.fround(n) !== n || n === f) return f;
  // r is such a tie, rounded to even; the exact sum lies beyond it when q points towards n.
  const rp = r - p;
  const q = p - (r - rp) + (c - rp); // p + c = r + q
  return q !== 0 && q > 0 === n > r ? n : f;
}

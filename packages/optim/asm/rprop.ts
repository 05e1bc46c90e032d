// Fused Rprop step over float32 arrays, f32x4 SIMD, PyTorch's float32 arithmetic
// (`_single_tensor_rprop`), in place on chunks the caller copied into memory:
//
//   g ← −∇ if maximize, else ∇
//   s ← sign(g·prev)                     ATen's sign: (0 < x) − (x < 0), so 0 for ±0 and NaN
//   s ← etaplus where s > 0;  then etaminus where s < 0;  then 1 where s = 0  (in that order)
//   η ← min(max(η·s, lo), hi)            std::max / std::min: pmax / pmin (NaN propagates)
//   g ← +0 where s = etaminus
//   p ← p + ((−sign(g))·η)               addcmul_(sign(g), η, value = −1): −1·sign(g) is −0 for 0
//   prev ← g
//
// The factors and bounds arrive rounded to float32, as PyTorch casts them to the tensor's dtype.
// Works on ⌈n/4⌉·4 lanes (the caller pads every region to a multiple of 4 floats).

export function rpropF32(
  p: usize,
  g: usize,
  prev: usize,
  eta: usize,
  n: i32,
  etaminus: f32,
  etaplus: f32,
  lo: f32,
  hi: f32,
  maximize: bool,
): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const vminus = f32x4.splat(etaminus);
  const vplus = f32x4.splat(etaplus);
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    const prod = f32x4.mul(gi, v128.load(prev + o));
    let s = f32x4.sub(
      v128.bitselect(one, zero, f32x4.gt(prod, zero)),
      v128.bitselect(one, zero, f32x4.lt(prod, zero)),
    );
    s = v128.bitselect(vplus, s, f32x4.gt(s, zero));
    s = v128.bitselect(vminus, s, f32x4.lt(s, zero));
    s = v128.bitselect(one, s, f32x4.eq(s, zero));
    const e = f32x4.pmin(f32x4.pmax(f32x4.mul(v128.load(eta + o), s), vlo), vhi);
    v128.store(eta + o, e);
    gi = v128.andnot(gi, f32x4.eq(s, vminus));
    const sg = f32x4.sub(
      v128.bitselect(one, zero, f32x4.gt(gi, zero)),
      v128.bitselect(one, zero, f32x4.lt(gi, zero)),
    );
    v128.store(p + o, f32x4.add(v128.load(p + o), f32x4.mul(f32x4.neg(sg), e)));
    v128.store(prev + o, gi);
  }
}

// Fused Lion step over float32 arrays, f32x4 SIMD, one pass, Optax's arithmetic (`scale_by_lion`,
// `add_decayed_weights`, `scale_by_learning_rate`: every op rounds to float32, the Python-float
// hyperparameters are rounded to float32 first), in place on chunks the caller copied into memory:
//
//   g ← −∇ if maximize, else ∇
//   u ← sign(w1·g + β1·m), w1 = 1 − β1    jnp.sign: ±1, and x itself for ±0 and NaN
//   m ← w2·g + β2·m,       w2 = 1 − β2
//   u ← u + λ·p                           (`useDecay`: λ ≠ 0 as a float64 option)
//   p ← p + (−γ)·u
//
// Works on ⌈n/4⌉·4 lanes: the caller pads every region to a multiple of 4 floats and ignores the
// padding lanes.

export function lionF32(
  p: usize,
  g: usize,
  m: usize,
  n: i32,
  w1: f32,
  beta1: f32,
  w2: f32,
  beta2: f32,
  weightDecay: f32,
  negLr: f32,
  useDecay: bool,
  maximize: bool,
): void {
  const vw1 = f32x4.splat(w1);
  const vb1 = f32x4.splat(beta1);
  const vw2 = f32x4.splat(w2);
  const vb2 = f32x4.splat(beta2);
  const vwd = f32x4.splat(weightDecay);
  const vlr = f32x4.splat(negLr);
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const signBit = i32x4.splat(0x80000000);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    const mi = v128.load(m + o);
    const x = f32x4.add(f32x4.mul(vw1, gi), f32x4.mul(vb1, mi));
    // sign: copysign(1, x) where x < 0 or x > 0; x itself (±0, NaN) elsewhere.
    const nonZero = v128.or(f32x4.lt(x, zero), f32x4.gt(x, zero));
    let u = v128.bitselect(v128.or(v128.and(x, signBit), one), x, nonZero);
    v128.store(m + o, f32x4.add(f32x4.mul(vw2, gi), f32x4.mul(vb2, mi)));
    const pi = v128.load(p + o);
    if (useDecay) u = f32x4.add(u, f32x4.mul(vwd, pi));
    v128.store(p + o, f32x4.add(pi, f32x4.mul(vlr, u)));
  }
}

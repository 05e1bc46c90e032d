// Fused RMSprop step over float32 arrays, f32x4 SIMD, PyTorch's float32 arithmetic
// (`_single_tensor_rmsprop`):
//
//   g ← −∇ if maximize, else ∇;   g ← g + λ·p            (λ = weightDecay ≠ 0)
//   v ← α·v + ((1 − α)·g)·g        (mul_, addcmul_)
//   centered:  ḡ ← lerp(ḡ, g, 1 − α);   a ← √(v − ḡ·ḡ) + ε      else  a ← √v + ε
//   μ > 0:     b ← μ·b + g / a;   p ← p + (−γ)·b                else  p ← p + ((−γ)·g) / a
//   (addcdiv_ computes self + (value·t1) / t2)
//
// `oneMinusAlpha` is 1 − α rounded once from float64, as PyTorch passes its Python float.
// `gavg` / `buf` are read only when centered / μ > 0. Works on ⌈n/4⌉·4 lanes (the caller pads
// every region to a multiple of 4 floats).

// Which optional terms apply (`useDecay`, `useMomentum`, `useL2`) is decided by the caller on the
// float64 options, as PyTorch's Python tests them: an option that is nonzero but rounds to 0 in
// float32 still runs its term (e.g. g + 0·p, which turns −0 into +0 and an infinite p into NaN).

export function rmspropF32(
  p: usize,
  g: usize,
  sq: usize,
  gavg: usize,
  buf: usize,
  n: i32,
  negLr: f32,
  alpha: f32,
  oneMinusAlpha: f32,
  eps: f32,
  weightDecay: f32,
  momentum: f32,
  useDecay: bool,
  useMomentum: bool,
  centered: bool,
  maximize: bool,
): void {
  const vlr = f32x4.splat(negLr);
  const va = f32x4.splat(alpha);
  const w = oneMinusAlpha;
  const vw = f32x4.splat(w);
  const vwc = f32x4.splat(<f32>1 - w);
  const lerpLow = abs<f32>(w) < 0.5; // ATen's is_lerp_weight_small; w < 0 when α > 1
  const veps = f32x4.splat(eps);
  const vwd = f32x4.splat(weightDecay);
  const vmu = f32x4.splat(momentum);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    const pi = v128.load(p + o);
    if (useDecay) gi = f32x4.add(gi, f32x4.mul(vwd, pi));
    const v = f32x4.add(f32x4.mul(v128.load(sq + o), va), f32x4.mul(f32x4.mul(vw, gi), gi));
    v128.store(sq + o, v);
    let a: v128;
    if (centered) {
      const ga0 = v128.load(gavg + o);
      const ga = lerpLow
        ? f32x4.add(ga0, f32x4.mul(vw, f32x4.sub(gi, ga0)))
        : f32x4.sub(gi, f32x4.mul(f32x4.sub(gi, ga0), vwc));
      v128.store(gavg + o, ga);
      a = f32x4.add(f32x4.sqrt(f32x4.sub(v, f32x4.mul(ga, ga))), veps);
    } else {
      a = f32x4.add(f32x4.sqrt(v), veps);
    }
    if (useMomentum) {
      const b = f32x4.add(f32x4.mul(v128.load(buf + o), vmu), f32x4.div(gi, a));
      v128.store(buf + o, b);
      v128.store(p + o, f32x4.add(pi, f32x4.mul(vlr, b)));
    } else {
      v128.store(p + o, f32x4.add(pi, f32x4.div(f32x4.mul(vlr, gi), a)));
    }
  }
}

// Fused RAdam step over float32 arrays, f32x4 SIMD, one pass, PyTorch's float32 arithmetic
// (`_single_tensor_radam`: every tensor op rounds to float32, Python-float scalars are rounded to
// float32 first), in place on chunks the caller copied into memory:
//
//   g ← −∇ if maximize, else ∇
//   p ← p·(1 − γλ)                      decoupled decay (`decay` = 1 − γλ, else 1)
//   g ← g + λ·p                         coupled decay (`l2` = λ, `useL2`)               add(alpha)
//   m ← lerp(m, g, w1), w1 = 1 − β1     = m + w1·(g − m) if w1 < 0.5, else g − (g − m)·(1 − w1)
//   v ← β2·v + ((1 − β2)·g)·g           mul_, addcmul_
//   s ← (m / (1 − β1^t))·γ              div, mul
//   rectified:  p ← p − (s·((1 / (√v + ε))·√(1 − β2^t)))·r      reciprocal, mul, mul, add(alpha=−1)
//   else:       p ← p − s
//
// `rectified` (ρ_t > 5) and the rectification `rect` are computed by the caller. Works on ⌈n/4⌉·4
// lanes: the caller pads every region to a multiple of 4 floats and ignores the padding lanes.
// Whether the L2 term applies is decided by the caller on the float64 option, as PyTorch's Python
// tests it.

export function radamF32(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  w1: f32,
  beta2: f32,
  w2: f32,
  bc1: f32,
  lr: f32,
  eps: f32,
  bc2Sqrt: f32,
  rect: f32,
  l2: f32,
  decay: f32,
  rectified: bool,
  useL2: bool,
  maximize: bool,
): void {
  const vw1 = f32x4.splat(w1);
  const vb2 = f32x4.splat(beta2);
  const vw2 = f32x4.splat(w2);
  const vbc1 = f32x4.splat(bc1);
  const vlr = f32x4.splat(lr);
  const veps = f32x4.splat(eps);
  const vbc2 = f32x4.splat(bc2Sqrt);
  const vrect = f32x4.splat(rect);
  const vl2 = f32x4.splat(l2);
  const vdecay = f32x4.splat(decay);
  const one = f32x4.splat(1);
  const lerpLow = w1 < 0.5;
  const vw1c = f32x4.splat(<f32>1 - w1);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    let pi = v128.load(p + o);
    if (decay !== 1) pi = f32x4.mul(pi, vdecay);
    if (useL2) gi = f32x4.add(gi, f32x4.mul(vl2, pi));
    let mi = v128.load(m + o);
    mi = lerpLow
      ? f32x4.add(mi, f32x4.mul(vw1, f32x4.sub(gi, mi)))
      : f32x4.sub(gi, f32x4.mul(f32x4.sub(gi, mi), vw1c));
    v128.store(m + o, mi);
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(vw2, gi), gi));
    v128.store(v + o, vi);
    const s = f32x4.mul(f32x4.div(mi, vbc1), vlr);
    if (rectified) {
      const adaptive = f32x4.mul(f32x4.div(one, f32x4.add(f32x4.sqrt(vi), veps)), vbc2);
      v128.store(p + o, f32x4.sub(pi, f32x4.mul(f32x4.mul(s, adaptive), vrect)));
    } else {
      v128.store(p + o, f32x4.sub(pi, s));
    }
  }
}

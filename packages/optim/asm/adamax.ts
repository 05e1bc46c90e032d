// Fused Adamax step over float32 arrays, f32x4 SIMD, one pass, PyTorch's float32 arithmetic
// (`_single_tensor_adamax`: every tensor op rounds to float32, Python-float scalars are rounded to
// float32 first), in place on chunks the caller copied into memory:
//
//   g ← −∇ if maximize, else ∇
//   g ← g + λ·p                         (`l2` = λ, `useL2`)                            add(alpha)
//   m ← lerp(m, g, w1), w1 = 1 − β1     = m + w1·(g − m) if w1 < 0.5, else g − (g − m)·(1 − w1)
//   u ← max(u·β2, |g| + ε)              mul_, abs, add_, maximum (NaN propagates)
//   p ← p + (negClr·m) / u              addcdiv_, negClr = −γ/(1 − β1^t)
//
// Works on ⌈n/4⌉·4 lanes: the caller pads every region to a multiple of 4 floats and ignores the
// padding lanes. Whether the L2 term applies is decided by the caller on the float64 option, as
// PyTorch's Python tests it.

export function adamaxF32(
  p: usize,
  g: usize,
  m: usize,
  u: usize,
  n: i32,
  w1: f32,
  beta2: f32,
  eps: f32,
  negClr: f32,
  l2: f32,
  useL2: bool,
  maximize: bool,
): void {
  const vw1 = f32x4.splat(w1);
  const vb2 = f32x4.splat(beta2);
  const veps = f32x4.splat(eps);
  const vclr = f32x4.splat(negClr);
  const vl2 = f32x4.splat(l2);
  const lerpLow = w1 < 0.5;
  const vw1c = f32x4.splat(<f32>1 - w1);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    const pi = v128.load(p + o);
    if (useL2) gi = f32x4.add(gi, f32x4.mul(vl2, pi));
    let mi = v128.load(m + o);
    mi = lerpLow
      ? f32x4.add(mi, f32x4.mul(vw1, f32x4.sub(gi, mi)))
      : f32x4.sub(gi, f32x4.mul(f32x4.sub(gi, mi), vw1c));
    v128.store(m + o, mi);
    const ui = f32x4.max(f32x4.mul(v128.load(u + o), vb2), f32x4.add(f32x4.abs(gi), veps));
    v128.store(u + o, ui);
    v128.store(p + o, f32x4.add(pi, f32x4.div(f32x4.mul(vclr, mi), ui)));
  }
}

// Fused Adam / AdamW step over float32 arrays, f32x4 SIMD, one pass (PyTorch semantics,
// `_single_tensor_adam` without amsgrad), in place on a chunk the caller copied into memory:
//
//   g ← −∇ if maximize, else ∇
//   p ← p·(1 − γλ)                      AdamW (decoupled decay: `decay` = 1 − γλ, else 1)
//   g ← g + λ·p                         Adam with L2 (`l2` = λ, else 0)
//   m ← lerp(m, g, w1), w1 = 1 − β1     = m + w1·(g − m) if w1 < 0.5, else g − (g − m)·(1 − w1)
//   v ← β2·v + ((1 − β2)·g)·g           (torch.addcmul's order)
//   p ← p − (γ / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
//
// Arithmetic is float32, as PyTorch's float32 CPU kernels; `negStep` = −γ/(1 − β1^t),
// `bc2Sqrt` = √(1 − β2^t). The tail (n mod 4) runs the same formula one lane at a time.

export function adamF32(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  w1: f32,
  beta2: f32,
  w2: f32,
  bc2Sqrt: f32,
  eps: f32,
  negStep: f32,
  l2: f32,
  decay: f32,
  maximize: bool,
): void {
  const vw1 = f32x4.splat(w1);
  const vb2 = f32x4.splat(beta2);
  const vw2 = f32x4.splat(w2);
  const vbc2 = f32x4.splat(bc2Sqrt);
  const veps = f32x4.splat(eps);
  const vstep = f32x4.splat(negStep);
  const vl2 = f32x4.splat(l2);
  const vdecay = f32x4.splat(decay);
  const lerpLow = w1 < 0.5;
  const vw1c = f32x4.splat(1 - w1);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    let pi = v128.load(p + o);
    if (decay !== 1) pi = f32x4.mul(pi, vdecay);
    if (l2 !== 0) gi = f32x4.add(gi, f32x4.mul(vl2, pi));
    let mi = v128.load(m + o);
    mi = lerpLow
      ? f32x4.add(mi, f32x4.mul(vw1, f32x4.sub(gi, mi)))
      : f32x4.sub(gi, f32x4.mul(f32x4.sub(gi, mi), vw1c));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(vw2, gi), gi));
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), vbc2), veps);
    pi = f32x4.add(pi, f32x4.mul(vstep, f32x4.div(mi, denom)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(p + o, pi);
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    let gi = load<f32>(g + o);
    if (maximize) gi = -gi;
    let pi = load<f32>(p + o);
    if (decay !== 1) pi = pi * decay;
    if (l2 !== 0) gi = gi + l2 * pi;
    let mi = load<f32>(m + o);
    mi = lerpLow ? mi + w1 * (gi - mi) : gi - (gi - mi) * (1 - w1);
    const vi = load<f32>(v + o) * beta2 + w2 * gi * gi;
    const denom = sqrt<f32>(vi) / bc2Sqrt + eps;
    pi = pi + negStep * (mi / denom);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, pi);
  }
}

// Fused NAdam step over float32 arrays, f32x4 SIMD, one pass, PyTorch's float32 arithmetic
// (`_single_tensor_nadam`: every tensor op rounds to float32, Python-float scalars are rounded to
// float32 first), in place on chunks the caller copied into memory:
//
//   g ← −∇ if maximize, else ∇
//   p ← p·(1 − γλ)                      decoupled decay (`decay` = 1 − γλ, else 1)
//   g ← g + λ·p                         coupled decay (`l2` = λ, `useL2`)               add(alpha)
//   m ← lerp(m, g, w1), w1 = 1 − β1     = m + w1·(g − m) if w1 < 0.5, else g − (g − m)·(1 − w1)
//   v ← β2·v + ((1 − β2)·g)·g           mul_, addcmul_
//   d ← √(v / (1 − β2^t)) + ε           div, sqrt, add_
//   p ← p + (gradStep·g) / d            addcdiv_, gradStep = −γ(1 − μ)/(1 − Π)
//   p ← p + (momentumStep·m) / d        addcdiv_, momentumStep = −γμ'/(1 − Πμ')
//
// The scalars (including the float32 running product Π of the momentum schedule) are computed by
// the caller. Works on ⌈n/4⌉·4 lanes: the caller pads every region to a multiple of 4 floats and
// ignores the padding lanes. Whether the L2 term applies is decided by the caller on the float64
// option, as PyTorch's Python tests it.

export function nadamF32(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  w1: f32,
  beta2: f32,
  w2: f32,
  bc2: f32,
  eps: f32,
  gradStep: f32,
  momentumStep: f32,
  l2: f32,
  decay: f32,
  useL2: bool,
  maximize: bool,
): void {
  const vw1 = f32x4.splat(w1);
  const vb2 = f32x4.splat(beta2);
  const vw2 = f32x4.splat(w2);
  const vbc2 = f32x4.splat(bc2);
  const veps = f32x4.splat(eps);
  const vgs = f32x4.splat(gradStep);
  const vms = f32x4.splat(momentumStep);
  const vl2 = f32x4.splat(l2);
  const vdecay = f32x4.splat(decay);
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
    const d = f32x4.add(f32x4.sqrt(f32x4.div(vi, vbc2)), veps);
    pi = f32x4.add(pi, f32x4.div(f32x4.mul(vgs, gi), d));
    v128.store(p + o, f32x4.add(pi, f32x4.div(f32x4.mul(vms, mi), d)));
  }
}

// Fused AdEMAMix step over float32 arrays, f32x4 SIMD, one pass, with the arithmetic of the
// reference PyTorch class on float32 tensors (every tensor op rounds to float32, Python-float
// scalars are rounded to float32 first), in place on chunks the caller copied into memory:
//
//   g ← −∇ if maximize, else ∇
//   m1 ← m1·β1 + w1·g                  (`useFast`: β1 ≠ 0; else m1 is g)    mul_, add_(alpha)
//   m2 ← m2·β3 + w3·g                                                      mul_, add_(alpha)
//   ν ← ν·β2 + (w2·g)·g                                                    mul_, addcmul_
//   d ← √ν / √(1 − β2^t) + ε                                               sqrt, div, add_
//   u ← (m1 / (1 − β1^t) + m2·α) / d + λ·p                                 div, mul, add, div, add_(alpha)
//   p ← p + u·(−γ)                                                         mul, add_
//
// The scalars (β3 and α at this step included) are computed by the caller. Works on ⌈n/4⌉·4
// lanes: the caller pads every region to a multiple of 4 floats and ignores the padding lanes.

export function ademamixF32(
  p: usize,
  g: usize,
  m1: usize,
  m2: usize,
  nu: usize,
  n: i32,
  beta1: f32,
  w1: f32,
  beta3: f32,
  w3: f32,
  beta2: f32,
  w2: f32,
  bc1: f32,
  bc2Sqrt: f32,
  eps: f32,
  alpha: f32,
  weightDecay: f32,
  negLr: f32,
  useFast: bool,
  maximize: bool,
): void {
  const vb1 = f32x4.splat(beta1);
  const vw1 = f32x4.splat(w1);
  const vb3 = f32x4.splat(beta3);
  const vw3 = f32x4.splat(w3);
  const vb2 = f32x4.splat(beta2);
  const vw2 = f32x4.splat(w2);
  const vbc1 = f32x4.splat(bc1);
  const vbc2 = f32x4.splat(bc2Sqrt);
  const veps = f32x4.splat(eps);
  const valpha = f32x4.splat(alpha);
  const vwd = f32x4.splat(weightDecay);
  const vlr = f32x4.splat(negLr);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    let mf = gi;
    if (useFast) {
      mf = f32x4.add(f32x4.mul(v128.load(m1 + o), vb1), f32x4.mul(vw1, gi));
      v128.store(m1 + o, mf);
    }
    const ms = f32x4.add(f32x4.mul(v128.load(m2 + o), vb3), f32x4.mul(vw3, gi));
    v128.store(m2 + o, ms);
    const v = f32x4.add(f32x4.mul(v128.load(nu + o), vb2), f32x4.mul(f32x4.mul(vw2, gi), gi));
    v128.store(nu + o, v);
    const d = f32x4.add(f32x4.div(f32x4.sqrt(v), vbc2), veps);
    const pi = v128.load(p + o);
    const u = f32x4.add(
      f32x4.div(f32x4.add(f32x4.div(mf, vbc1), f32x4.mul(ms, valpha)), d),
      f32x4.mul(vwd, pi),
    );
    v128.store(p + o, f32x4.add(pi, f32x4.mul(u, vlr)));
  }
}

// Fused Schedule-Free AdamW and SGD steps over float32 arrays, f32x4 SIMD, one pass, the
// reference's float32 arithmetic (`schedulefree` 1.4.1, per-tensor path: every tensor op rounds to
// float32, Python-float scalars are rounded to float32 first), in place on chunks the caller copied
// into memory. The parameter holds y:
//
//   g ← −∇ if maximize, else ∇
//   AdamW:  v ← β2·v + ((1 − β2)·g)·g                 mul_, addcmul_
//           ĝ ← g / (√(v / bc2) + ε)                    div, sqrt_, add_, div_
//           ĝ ← ĝ + λ·y                                 if useDecay (add with alpha)
//   SGD:    ĝ ← g + λ·y                                 if useDecay
//   y ← lerp(y, z, c)        = y + c·(z − y) if |c| < 0.5, else z − (z − y)·(1 − c)
//   y ← y + yStep·ĝ          yStep = γ·(β·(1 − c) − 1)  add with alpha
//   z ← z + (−γ)·ĝ                                      sub with alpha
//
// Works on ⌈n/4⌉·4 lanes: the caller pads every region to a multiple of 4 floats and ignores the
// padding lanes. `useDecay` is decided by the caller on the float64 option, as the reference's
// Python `if decay != 0` decides it.

export function scheduleFreeAdamWF32(
  y: usize,
  g: usize,
  z: usize,
  v: usize,
  n: i32,
  beta2: f32,
  w2: f32,
  bc2: f32,
  eps: f32,
  weightDecay: f32,
  ckp1: f32,
  yStep: f32,
  negLr: f32,
  useDecay: bool,
  maximize: bool,
): void {
  const vb2 = f32x4.splat(beta2);
  const vw2 = f32x4.splat(w2);
  const vbc2 = f32x4.splat(bc2);
  const veps = f32x4.splat(eps);
  const vwd = f32x4.splat(weightDecay);
  const vc = f32x4.splat(ckp1);
  const vcc = f32x4.splat(<f32>1 - ckp1);
  const lerpLow = Mathf.abs(ckp1) < 0.5;
  const vys = f32x4.splat(yStep);
  const vnl = f32x4.splat(negLr);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    const yi = v128.load(y + o);
    const zi = v128.load(z + o);
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(vw2, gi), gi));
    v128.store(v + o, vi);
    let gn = f32x4.div(gi, f32x4.add(f32x4.sqrt(f32x4.div(vi, vbc2)), veps));
    if (useDecay) gn = f32x4.add(gn, f32x4.mul(vwd, yi));
    const d = f32x4.sub(zi, yi);
    const l = lerpLow ? f32x4.add(yi, f32x4.mul(vc, d)) : f32x4.sub(zi, f32x4.mul(d, vcc));
    v128.store(y + o, f32x4.add(l, f32x4.mul(vys, gn)));
    v128.store(z + o, f32x4.add(zi, f32x4.mul(vnl, gn)));
  }
}

export function scheduleFreeSGDF32(
  y: usize,
  g: usize,
  z: usize,
  n: i32,
  weightDecay: f32,
  ckp1: f32,
  yStep: f32,
  negLr: f32,
  useDecay: bool,
  maximize: bool,
): void {
  const vwd = f32x4.splat(weightDecay);
  const vc = f32x4.splat(ckp1);
  const vcc = f32x4.splat(<f32>1 - ckp1);
  const lerpLow = Mathf.abs(ckp1) < 0.5;
  const vys = f32x4.splat(yStep);
  const vnl = f32x4.splat(negLr);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    const yi = v128.load(y + o);
    const zi = v128.load(z + o);
    if (useDecay) gi = f32x4.add(gi, f32x4.mul(vwd, yi));
    const d = f32x4.sub(zi, yi);
    const l = lerpLow ? f32x4.add(yi, f32x4.mul(vc, d)) : f32x4.sub(zi, f32x4.mul(d, vcc));
    v128.store(y + o, f32x4.add(l, f32x4.mul(vys, gi)));
    v128.store(z + o, f32x4.add(zi, f32x4.mul(vnl, gi)));
  }
}

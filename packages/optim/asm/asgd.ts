// Fused ASGD step over float32 arrays, f32x4 SIMD, PyTorch's float32 arithmetic
// (`_single_tensor_asgd`), in place on chunks the caller copied into memory:
//
//   g ← −∇ if maximize, else ∇;   g ← g + λ_wd·p          (when useDecay)
//   p ← p·(1 − λη)                                       mul_(1 − lambd·eta)
//   p ← p + (−η)·g                                       add_(grad, alpha = −eta)
//   ax ← ax + (p − ax)·μ   if average (μ ≠ 1),  else ax ← p
//
// `decay` = 1 − λη and −η arrive rounded to float32 from the float64 values PyTorch computes in
// Python; μ is already a float32 value. Works on ⌈n/4⌉·4 lanes (the caller pads every region to
// a multiple of 4 floats).

export function asgdF32(
  p: usize,
  g: usize,
  ax: usize,
  n: i32,
  decay: f32,
  negEta: f32,
  mu: f32,
  weightDecay: f32,
  useDecay: bool,
  average: bool,
  maximize: bool,
): void {
  const vdecay = f32x4.splat(decay);
  const veta = f32x4.splat(negEta);
  const vmu = f32x4.splat(mu);
  const vwd = f32x4.splat(weightDecay);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    let pi = v128.load(p + o);
    if (useDecay) gi = f32x4.add(gi, f32x4.mul(vwd, pi));
    pi = f32x4.mul(pi, vdecay);
    pi = f32x4.add(pi, f32x4.mul(veta, gi));
    v128.store(p + o, pi);
    if (average) {
      const a = v128.load(ax + o);
      v128.store(ax + o, f32x4.add(a, f32x4.mul(f32x4.sub(pi, a), vmu)));
    } else {
      v128.store(ax + o, pi);
    }
  }
}

// Fused Adagrad step over float32 arrays, f32x4 SIMD, PyTorch's float32 arithmetic
// (`_single_tensor_adagrad`):
//
//   g ← −∇ if maximize, else ∇;   g ← g + λ·p            (λ = weightDecay ≠ 0)
//   s ← s + g·g                    (addcmul_, value 1)
//   p ← p + ((−γ̃)·g) / (√s + ε),  γ̃ = γ / (1 + (t − 1)·η)   (addcdiv_: value·t1 / t2)
//
// Works on ⌈n/4⌉·4 lanes (the caller pads every region to a multiple of 4 floats).

// Which optional terms apply (`useDecay`, `useMomentum`, `useL2`) is decided by the caller on the
// float64 options, as PyTorch's Python tests them: an option that is nonzero but rounds to 0 in
// float32 still runs its term (e.g. g + 0·p, which turns −0 into +0 and an infinite p into NaN).

export function adagradF32(
  p: usize,
  g: usize,
  sum: usize,
  n: i32,
  negClr: f32,
  weightDecay: f32,
  eps: f32,
  useDecay: bool,
  maximize: bool,
): void {
  const vlr = f32x4.splat(negClr);
  const vwd = f32x4.splat(weightDecay);
  const veps = f32x4.splat(eps);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    const pi = v128.load(p + o);
    if (useDecay) gi = f32x4.add(gi, f32x4.mul(vwd, pi));
    const s = f32x4.add(v128.load(sum + o), f32x4.mul(gi, gi));
    v128.store(sum + o, s);
    const std = f32x4.add(f32x4.sqrt(s), veps);
    v128.store(p + o, f32x4.add(pi, f32x4.div(f32x4.mul(vlr, gi), std)));
  }
}

// Fused SGD step (momentum, dampening, Nesterov, weight decay, maximize) over float32 arrays,
// f32x4 SIMD, PyTorch's float32 arithmetic (`_single_tensor_sgd`):
//
//   d ← −∇ if maximize, else ∇;   d ← d + λ·p            (λ = weightDecay ≠ 0)
//   if μ ≠ 0:  b ← d at the first step, else μ·b + (1 − τ)·d
//              d ← d + μ·b if nesterov, else b
//   p ← p + (−γ)·d
//
// Works on ⌈n/4⌉·4 lanes: the caller pads every region to a multiple of 4 floats and ignores
// the padding lanes.

// Which optional terms apply (`useDecay`, `useMomentum`, `useL2`) is decided by the caller on the
// float64 options, as PyTorch's Python tests them: an option that is nonzero but rounds to 0 in
// float32 still runs its term (e.g. g + 0·p, which turns −0 into +0 and an infinite p into NaN).

export function sgdF32(
  p: usize,
  g: usize,
  buf: usize,
  n: i32,
  negLr: f32,
  weightDecay: f32,
  momentum: f32,
  oneMinusDampening: f32,
  useDecay: bool,
  useMomentum: bool,
  first: bool,
  nesterov: bool,
  maximize: bool,
): void {
  const vlr = f32x4.splat(negLr);
  const vwd = f32x4.splat(weightDecay);
  const vmu = f32x4.splat(momentum);
  const vdamp = f32x4.splat(oneMinusDampening);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let d = v128.load(g + o);
    if (maximize) d = f32x4.neg(d);
    const pi = v128.load(p + o);
    if (useDecay) d = f32x4.add(d, f32x4.mul(vwd, pi));
    if (useMomentum) {
      const b = first ? d : f32x4.add(f32x4.mul(v128.load(buf + o), vmu), f32x4.mul(vdamp, d));
      v128.store(buf + o, b);
      d = nesterov ? f32x4.add(d, f32x4.mul(vmu, b)) : b;
    }
    v128.store(p + o, f32x4.add(pi, f32x4.mul(vlr, d)));
  }
}

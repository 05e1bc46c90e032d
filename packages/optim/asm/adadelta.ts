// Fused Adadelta step over float32 arrays, f32x4 SIMD, PyTorch's float32 arithmetic
// (`_single_tensor_adadelta`: every tensor op rounds to float32, Python-float scalars are rounded
// to float32 first), in place on chunks the caller copied into memory:
//
//   g ← −∇ if maximize, else ∇;   g ← g + λ·p            (λ = weightDecay, when useDecay)
//   v ← ρ·v + ((1 − ρ)·g)·g                              mul_, addcmul_
//   Δ ← (√(u + ε) / √(v + ε))·g                          add, sqrt_, div_, mul_
//   u ← ρ·u + ((1 − ρ)·Δ)·Δ                              mul_, addcmul_
//   p ← p + (−γ)·Δ                                       add_(alpha = −γ)
//
// `oneMinusRho` is 1 − ρ rounded once from float64, as PyTorch passes its Python float. Whether
// the decay term applies (`useDecay`) is decided by the caller on the float64 option, as PyTorch's
// Python tests it. Works on ⌈n/4⌉·4 lanes (the caller pads every region to a multiple of 4 floats).

export function adadeltaF32(
  p: usize,
  g: usize,
  v: usize,
  u: usize,
  n: i32,
  negLr: f32,
  rho: f32,
  oneMinusRho: f32,
  eps: f32,
  weightDecay: f32,
  useDecay: bool,
  maximize: bool,
): void {
  const vlr = f32x4.splat(negLr);
  const vrho = f32x4.splat(rho);
  const vw = f32x4.splat(oneMinusRho);
  const veps = f32x4.splat(eps);
  const vwd = f32x4.splat(weightDecay);
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    let gi = v128.load(g + o);
    if (maximize) gi = f32x4.neg(gi);
    const pi = v128.load(p + o);
    if (useDecay) gi = f32x4.add(gi, f32x4.mul(vwd, pi));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), vrho), f32x4.mul(f32x4.mul(vw, gi), gi));
    v128.store(v + o, vi);
    const u0 = v128.load(u + o);
    const ratio = f32x4.div(f32x4.sqrt(f32x4.add(u0, veps)), f32x4.sqrt(f32x4.add(vi, veps)));
    const delta = f32x4.mul(ratio, gi);
    v128.store(u + o, f32x4.add(f32x4.mul(u0, vrho), f32x4.mul(f32x4.mul(vw, delta), delta)));
    v128.store(p + o, f32x4.add(pi, f32x4.mul(vlr, delta)));
  }
}

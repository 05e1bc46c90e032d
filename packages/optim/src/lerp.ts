/**
 * PyTorch's `torch.lerp(start, end, weight)` on one element, with its branch for accuracy
 * (`aten/src/ATen/native/Lerp.h`): `start + w·(end − start)` when `|w| < 0.5`, else
 * `end − (end − start)·(1 − w)`. Adam's first moment (`exp_avg.lerp_(grad, 1 − β1)`) and centered
 * RMSprop's gradient average use it; it equals `β·start + (1 − β)·end` up to rounding.
 */
export function lerp(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight);
}

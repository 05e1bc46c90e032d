/**
 * Places labels along one axis so that none overlaps another: each label wants to sit at
 * `wanted[i]` (e.g. the y of its curve's last point), labels must stay `gap` apart (a line of text)
 * and inside [lo, hi]. Labels keep their order and move as little as this simple scheme allows:
 * pushed down past the label above, then pulled back up from the bottom edge.
 *
 * @returns the position of each label, in the order of `wanted`; null when `wanted.length` labels
 *   cannot fit in [lo, hi] `gap` apart (the caller then relies on the legend alone).
 */
export function spreadLabels(
  wanted: readonly number[],
  gap: number,
  lo: number,
  hi: number,
): number[] | null {
  const n = wanted.length;
  if (n === 0) return [];
  if ((n - 1) * gap > hi - lo) return null;
  const order = wanted
    .map((w, i) => [Number.isFinite(w) ? w : hi, i] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const pos = order.map(([w]) => Math.min(hi, Math.max(lo, w)));
  for (let k = 1; k < n; k++) pos[k] = Math.max(pos[k], pos[k - 1] + gap);
  pos[n - 1] = Math.min(pos[n - 1], hi);
  const slack = 1e-9 * Math.max(1, hi - lo); // rounding of the forward pass is not a collision
  for (let k = n - 2; k >= 0; k--) {
    if (pos[k] + gap > pos[k + 1] + slack) pos[k] = Math.max(lo, pos[k + 1] - gap);
  }
  const out = new Array<number>(n);
  order.forEach(([, i], k) => {
    out[i] = pos[k];
  });
  return out;
}

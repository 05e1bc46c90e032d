/**
 * Number and word formats shared by every place the demo prints: terminal lines, the compare
 * table, the HTML report.
 */

/**
 * A loss (or any non-negative measurement of that kind) with 4 significant digits, in one format
 * from 1e-6 to 1e30 and beyond: plain decimals for 1e-4 ≤ |v| < 1e4 (`0.2500`, `12.35`, `1235`),
 * scientific notation elsewhere (`3.052e+8`, `2.470e+28`, `1.234e-6`); `0`, `NaN`, `Infinity`,
 * `-Infinity` as such.
 */
export function formatLoss(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e-4) {
    const fixed = v.toPrecision(4);
    if (!fixed.includes("e")) return fixed;
  }
  return v.toExponential(3);
}

/** `1 epoch`, `2 epochs`, `0 epochs`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

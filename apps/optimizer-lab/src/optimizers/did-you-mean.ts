/**
 * Edit distance between two strings, case-insensitive: insertions, deletions, substitutions and
 * swaps of two neighbours (`sdg` is one edit from `sgd`), each counting 1.
 */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let before: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        row[j] = Math.min(row[j], before[j - 2] + 1);
      }
    }
    before = prev;
    prev = row;
  }
  return prev[y.length];
}

/**
 * The entry of `known` closest to a mistyped `name`, or undefined if none is close: at most about a
 * third of the name's length in edits (at least 1), or `known` starting with `name` (`ada` → `adagrad`).
 * Ties go to the earlier entry of `known`. Names longer than 64 characters are not compared.
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  if (name.length === 0 || name.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  const lower = name.toLowerCase();
  return name.length >= 3 ? known.find((k) => k.toLowerCase().startsWith(lower)) : undefined;
}

/** ` (did you mean X?)` for the closest of `known`, or an empty string. */
export function didYouMean(name: string, known: readonly string[]): string {
  const hint = closest(name, known);
  return hint === undefined ? "" : ` (did you mean ${hint}?)`;
}

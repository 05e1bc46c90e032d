/**
 * "Did you mean" hints for mistyped names (options, commands, choices).
 *
 * Distance is the optimal-string-alignment edit distance: insertions, deletions, substitutions
 * and swaps of two neighbouring characters each cost 1, so `--epoch` → `--epochs` is 1 and
 * `--lr` → `--rl` is 1.
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  // Three rows of the dynamic-programming table: i − 2, i − 1 and i.
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let row = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    row[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row[j] = d;
    }
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[n];
}

/** Lower case without `-` and `_`: `batchSize`, `batch_size` and `Batch-Size` all become `batchsize`. */
function normalise(s: string): string {
  return s.toLowerCase().replace(/[-_]/g, "");
}

/**
 * The candidate closest to `input`, if it is close enough to be a likely typo: the same name
 * up to case, `-` and `_`, or within an edit distance of max(1, ⌊length / 3⌋). Ties keep the
 * first candidate.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const norm = normalise(input);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (normalise(c) === norm) return c;
    const d = editDistance(norm, normalise(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(norm.length / 3)) ? best : undefined;
}

/** `" (did you mean X?)"` for the closest candidate, or `""`. `show` formats the suggestion. */
export function didYouMean(
  input: string,
  candidates: Iterable<string>,
  show: (s: string) => string = (s) => s,
): string {
  const c = closest(input, candidates);
  return c === undefined ? "" : ` (did you mean ${show(c)}?)`;
}

/** `key` in camelCase: `weight_decay` → `weightDecay`. */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Levenshtein distance between two strings, case-insensitively. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length];
}

/**
 * The closest of `known` to a misspelled `name`, or undefined if none is close: the camelCase form
 * of a snake_case name first (`retain_graph` → `retainGraph`), else the nearest name within about
 * a third of its length in edits (case-insensitive).
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  const camel = snakeToCamel(name);
  if (camel !== name && known.includes(camel)) return camel;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(camel, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean X?)` for the closest of `known`, or an empty string. */
export function didYouMean(name: string, known: readonly string[]): string {
  const hint = closest(name, known);
  return hint === undefined ? "" : ` (did you mean ${hint}?)`;
}

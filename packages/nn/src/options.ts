/**
 * Options objects of the package's functions and constructors: every key must be one the function
 * knows, so a misspelled option (`bias_`, `set_to_none`, PyTorch's snake_case) is an error that
 * names the closest known option instead of being silently ignored.
 */
import type { RandomSource } from "./random.js";

/** `number 1`, `string "a"`, `an array of length 2`, `an object (Map)` — for error messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  switch (typeof v) {
    case "undefined":
      return "undefined";
    case "string":
      return `string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof v} ${String(v)}`;
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default: {
      const name = (v as object).constructor?.name;
      return name && name !== "Object" ? `an object (${name})` : "an object";
    }
  }
}

/**
 * `opts` if it is `undefined` (→ `{}`) or a plain object whose own keys are all in `known`; else a
 * TypeError naming `op`, the unknown key and the closest known one.
 */
export function checkOptions<T extends object>(op: string, opts: T | undefined, known: readonly string[]): T {
  if (opts === undefined) return {} as T;
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw new TypeError(`${op}: options must be an object, got ${describe(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw new TypeError(`${op}: ${unknownName("option", key, known)}`);
  }
  return opts;
}

/** `unknown option "bias_" (did you mean "bias"?); known options: bias, dtype, generator` */
export function unknownName(kind: string, name: string, known: readonly string[]): string {
  const hint = suggest(name, known);
  const list = known.length === 0 ? `no ${kind}s are accepted` : `known ${kind}s: ${known.join(", ")}`;
  return `unknown ${kind} ${JSON.stringify(name)}${hint === null ? "" : ` (did you mean ${JSON.stringify(hint)}?)`}; ${list}`;
}

/**
 * The known name closest to `name`: one equal up to case, `_` and `-` (snake_case for camelCase),
 * else the nearest within an edit distance of a third of the name's length.
 */
export function suggest(name: string, known: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, "");
  const n = norm(name);
  for (const k of known) if (norm(k) === n) return k;
  let best: string | null = null;
  let bestD = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(n, norm(k));
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** A boolean option. */
export function checkBoolean(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new TypeError(`${op}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/** A `generator` option: `undefined` or an object with `random()` and `normal()`. */
export function checkGenerator(op: string, g: unknown): RandomSource | undefined {
  if (g === undefined) return undefined;
  const r = g as Partial<RandomSource> | null;
  if (
    typeof r !== "object" ||
    r === null ||
    typeof r.random !== "function" ||
    typeof r.normal !== "function"
  ) {
    throw new TypeError(
      `${op}: generator must have random() and normal() methods (e.g. a Generator), got ${describe(g)}`,
    );
  }
  return g as RandomSource;
}

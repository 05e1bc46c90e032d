import { TENSOR_BRAND } from "./brand.js";
import type { Tensor } from "./tensor.js";

/**
 * Argument checks for the public entry points, for callers that bypass the types (plain
 * JavaScript): one `typeof`/`instanceof` per argument, nothing per element.
 *
 * Error classes (documented in the README): `TypeError` for an argument of the wrong kind or an
 * operation that does not apply to its tensor (backward without grad, a freed graph, a non-leaf);
 * `RangeError` for a value out of range (shapes, dims, indices, sizes, non-finite parameters).
 */

/** Whether `v` is a `Tensor` of this package (what `instanceof Tensor` answers, without the import). */
export function isTensor(v: unknown): v is Tensor {
  return typeof v === "object" && v !== null && (v as { [TENSOR_BRAND]?: unknown })[TENSOR_BRAND] === true;
}

/** A short description of any value for an error message: `number 2`, `string "a"`, `undefined`. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (isTensor(v)) return `a Tensor of shape [${v.shape.join(", ")}]`;
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

/** `v` if it is a Tensor, else a TypeError naming the op and the argument. */
export function checkTensor(op: string, name: string, v: unknown): Tensor {
  if (isTensor(v)) return v;
  throw new TypeError(`${op}: argument '${name}' must be a Tensor, got ${describeValue(v)}`);
}

/**
 * An options argument: `undefined` or a plain object (not `null`, an array, or a string) whose own
 * keys are all in `known`. An unknown key is an error that suggests the closest known name
 * (`retain_graph` → "did you mean 'retainGraph'?"), so a misspelled option is never silently ignored.
 */
export function checkOptions<T extends object>(op: string, opts: T | undefined, known: readonly string[]): T {
  if (opts === undefined) return {} as T;
  if (typeof opts !== "object" || opts === null || Array.isArray(opts) || isTensor(opts)) {
    throw new TypeError(`${op}: options must be an object, got ${describeValue(opts)}`);
  }
  for (const key in opts) {
    if (!Object.hasOwn(opts, key) || known.includes(key)) continue;
    throw new TypeError(`${op}: ${unknownName("option", key, known)}`);
  }
  return opts;
}

/**
 * `unknown option 'retain_graph' (did you mean 'retainGraph'?); known options: retainGraph` —
 * the text of an unknown-name error, shared by options and other named lookups.
 */
export function unknownName(kind: string, name: string, known: readonly string[]): string {
  const hint = suggest(name, known);
  const list = known.length === 0 ? `${kind}s are not accepted here` : `known ${kind}s: ${known.join(", ")}`;
  return `unknown ${kind} ${JSON.stringify(name)}${hint === null ? "" : ` (did you mean ${JSON.stringify(hint)}?)`}; ${list}`;
}

/**
 * The known name closest to `name`: one that differs only in case, `_` or `-` (snake_case or
 * kebab-case for camelCase), else the nearest within an edit distance of a third of its length.
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

/** Levenshtein distance (insertions, deletions, substitutions; names are short). */
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

/** A boolean flag (`keepdim`, `requiresGrad`, …). */
export function checkBoolean(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean")
    throw new TypeError(`${op}: ${name} must be a boolean, got ${describeValue(v)}`);
  return v;
}

/** A callback argument. */
export function checkFunction(op: string, name: string, v: unknown): void {
  if (typeof v !== "function")
    throw new TypeError(`${op}: argument '${name}' must be a function, got ${describeValue(v)}`);
}

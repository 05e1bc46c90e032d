import type { JsonValue } from "../state-dict.js";
import { show } from "../validate.js";

export type { JsonValue };

/**
 * The state of a scheduler as a plain JSON object: the counters, the base and last learning rates
 * and the options. Functions (a `LambdaLR`'s `lrLambda`, a `CyclicLR`'s `scaleFn`) are never part
 * of it.
 */
export interface SchedulerState {
  /** The class that wrote this state, checked on load. */
  kind: string;
  [key: string]: JsonValue;
}

/**
 * Checks the frame of a state given to `loadStateDict`: an object written by the same kind of
 * scheduler, with exactly the keys `keys` (an unknown key, e.g. from another version or a typo, is
 * an error too). Returns it typed.
 */
export function checkStateFrame(kind: string, state: unknown, keys: readonly string[]): SchedulerState {
  const where = `${kind}.loadStateDict`;
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new TypeError(`${where}: expected a state object, got ${show(state)}`);
  }
  const s = state as Record<string, unknown>;
  if (s.kind !== kind) throw new TypeError(`${where}: the state was written by ${show(s.kind)}`);
  for (const key of Object.keys(s)) {
    if (!keys.includes(key)) throw new TypeError(`${where}: unknown key ${JSON.stringify(key)} in the state`);
  }
  for (const key of keys) {
    if (!(key in s)) throw new TypeError(`${where}: the state has no ${JSON.stringify(key)}`);
  }
  return s as SchedulerState;
}

/**
 * Encodes a number that may be ±Infinity (which `JSON.stringify` would turn into `null`) as a JSON
 * value: finite numbers as themselves, the others as the strings `"Infinity"`, `"-Infinity"`.
 */
export function encodeFloat(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** The inverse of {@link encodeFloat}: a number (not NaN), or `"Infinity"` / `"-Infinity"`. */
export function decodeFloat(value: unknown, label: string): number {
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (typeof value !== "number") throw new TypeError(`${label} must be a number, got ${show(value)}`);
  if (Number.isNaN(value)) throw new RangeError(`${label} must not be NaN`);
  return value;
}

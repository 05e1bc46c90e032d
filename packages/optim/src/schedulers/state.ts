import type { JsonValue } from "../state-dict.js";

export type { JsonValue };

/**
 * The state of a scheduler as a plain JSON object: the counters, the base and last learning rates
 * and the options. Functions (a `LambdaLR`'s `lrLambda`) are never part of it.
 */
export interface SchedulerState {
  /** The class that wrote this state, checked on load. */
  kind: string;
  [key: string]: JsonValue;
}

/** Reads a finite number `key` of a scheduler state, or throws an error naming the key. */
export function readNumber(state: SchedulerState, key: string): number {
  const value = state[key];
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${state.kind}.loadStateDict: '${key}' must be a number, got ${describe(value)}`);
  }
  return value;
}

/** Reads an array of numbers `key`; with `length`, also checks how many there are. */
export function readNumbers(state: SchedulerState, key: string, length?: number): number[] {
  const value = state[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "number")) {
    throw new TypeError(
      `${state.kind}.loadStateDict: '${key}' must be an array of numbers, got ${describe(value)}`,
    );
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(
      `${state.kind}.loadStateDict: '${key}' has ${value.length} values but the optimizer has ${length} param groups`,
    );
  }
  return value.slice() as number[];
}

/** Reads a string `key` that must be one of `allowed`. */
export function readChoice<T extends string>(state: SchedulerState, key: string, allowed: readonly T[]): T {
  const value = state[key];
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new TypeError(
      `${state.kind}.loadStateDict: '${key}' must be one of ${allowed.join(", ")}, got ${describe(value)}`,
    );
  }
  return value as T;
}

/** Reads a boolean `key`. */
export function readBoolean(state: SchedulerState, key: string): boolean {
  const value = state[key];
  if (typeof value !== "boolean") {
    throw new TypeError(`${state.kind}.loadStateDict: '${key}' must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/**
 * Encodes a number that may be ±Infinity or NaN (which `JSON.stringify` would turn into `null`)
 * as a JSON value: finite numbers as themselves, the others as the strings `"Infinity"`,
 * `"-Infinity"`, `"NaN"`.
 */
export function encodeFloat(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** The inverse of {@link encodeFloat}, for the state key `key`. */
export function readFloat(state: SchedulerState, key: string): number {
  const value = state[key];
  if (typeof value === "number") return value;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (value === "NaN") return Number.NaN;
  throw new TypeError(`${state.kind}.loadStateDict: '${key}' must be a number, got ${describe(value)}`);
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return (value as object).constructor?.name ?? "an object";
}

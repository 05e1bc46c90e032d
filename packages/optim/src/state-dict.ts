import type { FloatArray } from "./param.js";
import { show } from "./validate.js";

/**
 * The saved state of an optimizer: plain JSON, so `JSON.parse(JSON.stringify(sd))` loads back
 * bit-identically.
 *
 * Like PyTorch's `state_dict()`, parameters are not saved: each group lists the indices of its
 * parameters (numbered in group order), and `state` maps those indices to the per-parameter state.
 * Numbers survive JSON exactly (a float64 prints as its shortest round-trip decimal, and a float32
 * value is a float64 value), except NaN, ±Infinity and −0, which JSON cannot hold: in state arrays
 * they are the strings `"NaN"`, `"Infinity"`, `"-Infinity"` and `"-0"`, in group options the
 * object `{ "$number": "NaN" }` (etc.). NaN payload bits are not preserved.
 */
export interface OptimizerStateDict {
  format: typeof STATE_DICT_FORMAT;
  version: typeof STATE_DICT_VERSION;
  /** The optimizer's class, e.g. `"Adam"`; loading into another kind is an error. */
  kind: string;
  /** Each group's options (`lr`, `betas`, `initialLr`, ...) and the indices of its parameters. */
  paramGroups: SavedParamGroup[];
  /** Per-parameter state by parameter index; parameters never stepped have no entry. */
  state: Record<string, SavedParamState>;
  /** Steps skipped by the `"skip"` non-finite policy. */
  skippedSteps: number;
}

/** The `format` tag of an {@link OptimizerStateDict}. */
export const STATE_DICT_FORMAT = "descent-optim-state";
/** The version of the {@link OptimizerStateDict} layout written by this build. */
export const STATE_DICT_VERSION = 1;

/** A saved param group: its options, JSON-encoded, and the indices of its parameters. */
export interface SavedParamGroup {
  params: number[];
  [option: string]: JsonValue;
}

/**
 * A saved parameter state: its step count, its buffers (e.g. `expAvg`) and its scalars (e.g.
 * NAdam's `muProduct`, saved as a {@link SavedNumber}).
 */
export interface SavedParamState {
  step: number;
  [buffer: string]: SavedNumber | SavedArray;
}

/** A saved typed array. */
export interface SavedArray {
  dtype: "float32" | "float64";
  values: SavedNumber[];
}

/** A number as saved in a state array. */
export type SavedNumber = number | "NaN" | "Infinity" | "-Infinity" | "-0";

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The dtype name of a float typed array, or undefined if `x` is not one (works across realms). */
export function floatDtype(x: unknown): "float32" | "float64" | undefined {
  if (!ArrayBuffer.isView(x)) return undefined;
  const tag = (x as unknown as { [Symbol.toStringTag]: unknown })[Symbol.toStringTag];
  return tag === "Float64Array" ? "float64" : tag === "Float32Array" ? "float32" : undefined;
}

/** A zero-filled array of the same type and length as `like`. */
export function zerosLike(like: FloatArray): FloatArray {
  return floatDtype(like) === "float32" ? new Float32Array(like.length) : new Float64Array(like.length);
}

function encodeNumber(x: number): SavedNumber {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (Object.is(x, -0)) return "-0";
  return x;
}

function decodeNumber(x: unknown): number | undefined {
  if (typeof x === "number") return x;
  switch (x) {
    case "NaN":
      return Number.NaN;
    case "Infinity":
      return Number.POSITIVE_INFINITY;
    case "-Infinity":
      return Number.NEGATIVE_INFINITY;
    case "-0":
      return -0;
    default:
      return undefined;
  }
}

/** Encodes a per-parameter scalar exactly (non-finite values and −0 as strings, as in arrays). */
export function encodeScalar(x: number): SavedNumber {
  return encodeNumber(x);
}

/** Decodes a saved scalar; `where` names it in errors. */
export function decodeScalar(saved: unknown, where: string): number {
  const x = decodeNumber(saved);
  if (x === undefined) throw new TypeError(`${where} is ${show(saved)}, expected a number`);
  return x;
}

/** Encodes a typed array exactly. */
export function encodeArray(a: FloatArray): SavedArray {
  const values: SavedNumber[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) values[i] = encodeNumber(a[i]);
  return { dtype: floatDtype(a) ?? "float64", values };
}

/**
 * Decodes a saved array into a new array of the type of `like` (PyTorch casts loaded state to the
 * parameter's dtype), checking its length against `length` (default: `like`'s); `where` names it
 * in errors.
 */
export function decodeArray(
  saved: unknown,
  like: FloatArray,
  where: string,
  length: number = like.length,
): FloatArray {
  if (typeof saved !== "object" || saved === null || !Array.isArray((saved as SavedArray).values)) {
    throw new TypeError(`${where} is ${show(saved)}, expected { dtype, values }`);
  }
  const { dtype, values } = saved as SavedArray;
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(`${where} has dtype ${show(dtype)}, expected "float32" or "float64"`);
  }
  if (values.length !== length) {
    throw new RangeError(
      length === like.length
        ? `${where} has ${values.length} values, but the parameter has ${like.length} elements`
        : `${where} has ${values.length} values, expected ${length} for this parameter's shape`,
    );
  }
  const out = floatDtype(like) === "float32" ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < values.length; i++) {
    const x = decodeNumber(values[i]);
    if (x === undefined) throw new TypeError(`${where}: value ${i} is ${show(values[i])}, not a number`);
    out[i] = x;
  }
  return out;
}

/** Encodes a group option as JSON: numbers exactly, arrays and plain objects recursively. */
export function encodeValue(value: unknown, where: string): JsonValue {
  if (typeof value === "number") {
    const saved = encodeNumber(value);
    return typeof saved === "number" ? saved : { $number: saved };
  }
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${where}[${i}]`));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeValue(v, `${where}.${k}`);
    return out;
  }
  throw new TypeError(`stateDict: ${where} is ${show(value)}, which cannot be saved as JSON`);
}

/** Inverse of {@link encodeValue}. */
export function decodeValue(value: unknown, where: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${where}[${i}]`));
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === "$number") {
      const x = decodeNumber(entries[0][1]);
      if (x === undefined || typeof entries[0][1] === "number") {
        throw new TypeError(`${where} is ${show(entries[0][1])}, not a saved number`);
      }
      return x;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = decodeValue(v, `${where}.${k}`);
    return out;
  }
  return value;
}

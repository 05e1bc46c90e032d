import { Tensor } from "./tensor.js";

/**
 * Argument checks for the public entry points, for callers that bypass the types (plain
 * JavaScript): one `typeof`/`instanceof` per argument, nothing per element.
 *
 * Error classes (documented in the README): `TypeError` for an argument of the wrong kind or an
 * operation that does not apply to its tensor (backward without grad, a freed graph, a non-leaf);
 * `RangeError` for a value out of range (shapes, dims, indices, sizes, non-finite parameters).
 */

/** A short description of any value for an error message: `number 2`, `string "a"`, `undefined`. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Tensor) return `a Tensor of shape [${v.shape.join(", ")}]`;
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
  if (v instanceof Tensor) return v;
  throw new TypeError(`${op}: argument '${name}' must be a Tensor, got ${describeValue(v)}`);
}

/** An options argument: `undefined` or a plain object (not `null`, an array, or a string). */
export function checkOptions<T extends object>(op: string, opts: T | undefined): T {
  if (opts === undefined) return {} as T;
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw new TypeError(`${op}: options must be an object, got ${describeValue(opts)}`);
  }
  return opts;
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

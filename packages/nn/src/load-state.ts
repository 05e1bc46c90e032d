/**
 * Validation of a state dict before anything is written: `Module.loadStateDict` is all or nothing.
 *
 * Every value is read once and copied into a staged array of its parameter's dtype, so that a
 * failure anywhere — a bad name, shape, dtype, element, a getter that throws, two names of one
 * shared parameter holding different values — leaves every parameter as it was, and the copy that
 * is finally written cannot fail half-way.
 */
import type { Tensor } from "@descent/tensor";
import { describe, suggest } from "./options.js";

/** What `loadStateDict` accepts per key: a tensor, or any `{ shape, data }` (e.g. from `decodeSafetensors`). */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Value dtypes that may load into a float parameter (tensor and safetensors names). */
const FLOAT_DTYPES = new Set(["float32", "float64", "float16", "bfloat16", "F32", "F64", "F16", "BF16"]);

export interface Staged {
  /** Parameter → the values to copy into it, already in its dtype. */
  writes: Map<Tensor, Float32Array | Float64Array>;
  missingKeys: string[];
  unexpectedKeys: string[];
  /** One line per problem (empty when the load may go ahead). */
  problems: string[];
}

/**
 * Checks `input` against the module's `(key, parameter)` pairs and stages the values. `strict`
 * turns missing and unexpected keys into problems; non-finite values are problems unless
 * `allowNonFinite`.
 */
export function stageStateDict(
  own: readonly [string, Tensor][],
  input: unknown,
  strict: boolean,
  allowNonFinite: boolean,
): Staged {
  if (typeof input !== "object" || input === null || Array.isArray(input) || ArrayBuffer.isView(input)) {
    throw new TypeError(
      `loadStateDict: expected an object mapping parameter names to tensors, got ${describe(input)}`,
    );
  }
  if (input instanceof Map) {
    throw new TypeError(
      "loadStateDict: expected an object mapping parameter names to tensors, got a Map (use Object.fromEntries(map))",
    );
  }
  // Read every entry once: a getter that changes its answer cannot pass validation and then write
  // something else.
  const given = new Map<string, unknown>();
  for (const key of Object.keys(input)) given.set(key, (input as Record<string, unknown>)[key]);

  const ownKeys = new Set(own.map(([k]) => k));
  const missingKeys = own.map(([k]) => k).filter((k) => !given.has(k));
  const unexpectedKeys = [...given.keys()].filter((k) => !ownKeys.has(k));
  const problems: string[] = [];
  const writes = new Map<Tensor, Float32Array | Float64Array>();
  const from = new Map<Tensor, string>();
  for (const [key, param] of own) {
    if (!given.has(key)) continue;
    const staged = stageValue(given.get(key), param, allowNonFinite);
    if (typeof staged === "string") {
      problems.push(`${key}: ${staged}`);
      continue;
    }
    const earlier = writes.get(param);
    if (earlier !== undefined && !sameBits(earlier, staged)) {
      problems.push(
        `${key}: names the same parameter as "${from.get(param)}" (a shared parameter) but holds different values`,
      );
      continue;
    }
    writes.set(param, staged);
    from.set(param, key);
  }
  if (strict && missingKeys.length > 0) {
    problems.push(`missing key(s) in state dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}`);
  }
  if (strict && unexpectedKeys.length > 0) {
    const hints = unexpectedKeys.map((k) => {
      const near = suggest(k, missingKeys);
      return near === null ? `"${k}"` : `"${k}" (did you mean "${near}"?)`;
    });
    problems.push(`unexpected key(s) in state dict: ${hints.join(", ")}`);
  }
  return { writes, missingKeys, unexpectedKeys, problems };
}

function sameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The values of `v` as a new array of `param`'s dtype, or a description of what is wrong. */
function stageValue(
  v: unknown,
  param: Tensor,
  allowNonFinite: boolean,
): Float32Array | Float64Array | string {
  if (typeof v !== "object" || v === null)
    return `value is not a tensor ({ shape, data }), got ${describe(v)}`;
  const { shape, data, dtype } = v as { shape?: unknown; data?: unknown; dtype?: unknown };
  if (!Array.isArray(shape)) return `value is not a tensor ({ shape, data }): shape is ${describe(shape)}`;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    return `shape ${JSON.stringify(shape)} is not a list of non-negative integers`;
  }
  const want = param.shape;
  if (shape.length !== want.length || shape.some((d, i) => d !== want[i])) {
    return `shape [${shape.join(", ")}] in the state dict does not match [${want.join(", ")}] in the model`;
  }
  if (dtype !== undefined && !(typeof dtype === "string" && FLOAT_DTYPES.has(dtype))) {
    return `dtype ${typeof dtype === "string" ? dtype : describe(dtype)} cannot load into a ${param.dtype} parameter`;
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return `integer (64-bit) data cannot load into a ${param.dtype} parameter`;
  }
  const isFloat =
    data instanceof Float32Array ||
    data instanceof Float64Array ||
    (ArrayBuffer.isView(data) && data.constructor.name === "Float16Array");
  if (ArrayBuffer.isView(data) && !isFloat) {
    return `integer data (${data.constructor.name}) cannot load into a ${param.dtype} parameter`;
  }
  if (!isFloat && !Array.isArray(data)) {
    return `data must be a Float32Array, a Float64Array or an array of numbers, got ${describe(data)}`;
  }
  const values = data as ArrayLike<unknown>;
  if (values.length !== param.size) return `data has ${values.length} elements, shape needs ${param.size}`;
  const out = param.dtype === "float64" ? new Float64Array(param.size) : new Float32Array(param.size);
  let bad = -1;
  let count = 0;
  for (let i = 0; i < out.length; i++) {
    const x = values[i];
    if (typeof x !== "number") return `data element ${i} is not a number, got ${describe(x)}`;
    out[i] = x;
    if (Number.isFinite(out[i])) continue;
    if (Number.isFinite(x)) return `value ${x} at index ${i} overflows ${param.dtype}`;
    if (!allowNonFinite) {
      if (bad < 0) bad = i;
      count++;
    }
  }
  if (bad >= 0) {
    return (
      `value ${values[bad]} at index ${bad} is not finite (${count} of ${out.length} values); a NaN or infinite ` +
      "weight is taken for a corrupt state dict (pass { allowNonFinite: true } to load it anyway)"
    );
  }
  return out;
}

import { describeValue } from "./check.js";
import { allocate, allocateShape, type DType, type FloatArray } from "./dtype.js";
import { checkedSizeOf, checkShape, fmtShape, MAX_DIMS, sizeOf } from "./shape.js";

/** A number or arbitrarily nested arrays of numbers. */
export type NestedArray = number | readonly NestedArray[];

/** Values `tensor()` accepts. */
export type TensorData = NestedArray | ArrayLike<number>;

/** Reads nested arrays (checking they are rectangular and numeric) into flat storage. */
export function parseNested(
  op: string,
  values: TensorData,
  dtype: DType,
): { data: FloatArray; shape: number[] } {
  if (typeof values === "number") {
    const data = allocate(dtype, 1);
    data[0] = values;
    return { data, shape: [] };
  }
  if (ArrayBuffer.isView(values)) {
    const v = values as unknown as ArrayLike<number>;
    const data = allocateShape(op, dtype, [v.length]);
    for (let i = 0; i < v.length; i++) data[i] = Number(v[i]);
    return { data, shape: [v.length] };
  }
  if (!Array.isArray(values)) {
    throw new TypeError(
      `${op}: expected a number, nested arrays of numbers or a typed array, got ${describeValue(values)}`,
    );
  }
  // Shape from the first element at each depth (a loop: no depth reaches the call stack; a tensor
  // has at most MAX_DIMS dims, which also stops an array that contains itself).
  const shape: number[] = [];
  let cur: unknown = values;
  while (Array.isArray(cur)) {
    if (shape.length === MAX_DIMS) {
      throw new RangeError(
        `${op}: nested arrays are more than ${MAX_DIMS} levels deep (a tensor has at most ${MAX_DIMS} dims)`,
      );
    }
    shape.push(cur.length);
    cur = cur[0];
  }
  checkedSizeOf(op, shape);
  const data = allocateShape(op, dtype, shape);
  let k = 0;
  const path: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== "number") {
        throw new TypeError(
          `${op}: element at [${path.join(", ")}] is ${describeValue(v)}, expected a number (ragged nested array?)`,
        );
      }
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new RangeError(
        `${op}: ragged nested array: at [${path.join(", ")}] expected ${shape[depth]} elements, got ` +
          `${Array.isArray(v) ? v.length : `a ${typeof v}`} (shape so far ${fmtShape(shape.slice(0, depth + 1))})`,
      );
    }
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      walk(v[i], depth + 1);
      path.pop();
    }
  };
  walk(values, 0);
  return { data, shape };
}

/** Reshapes flat values to `shape`, checking the element count. */
export function withShape(op: string, parsed: { data: FloatArray; shape: number[] }, shape: unknown) {
  const s = checkShape(op, shape);
  if (sizeOf(s) !== parsed.data.length) {
    throw new RangeError(
      `${op}: ${parsed.data.length} values cannot have shape ${fmtShape(s)} (size ${sizeOf(s)})`,
    );
  }
  return { data: parsed.data, shape: s };
}

/**
 * Nested arrays of the values of a contiguous tensor of `shape` (a number for a 0-d tensor). The
 * recursion is as deep as the tensor has dims, at most `MAX_DIMS`.
 */
export function toNested(data: FloatArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0];
  const last = shape.length - 1;
  const rec = (dim: number, off: number, stride: number): NestedArray => {
    const n = shape[dim];
    const inner = n === 0 ? 0 : stride / n;
    const out: NestedArray[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = dim === last ? data[off + i] : rec(dim + 1, off + i * inner, inner);
    return out;
  };
  return rec(0, 0, data.length);
}

import { describeValue } from "./check.js";

/** A tensor shape: sizes of each dimension, outermost first. `[]` is a 0-d (scalar) tensor. */
export type Shape = readonly number[];

/**
 * Largest number of elements a tensor may hold: 2³¹ − 1 (flat offsets and indices are kept in
 * `Int32Array`s; JS engines also cap typed arrays near 2³² elements).
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Largest number of dims a tensor may have, as in PyTorch (64). It also bounds every recursion
 * over dims (nested arrays, `toArray()`, printing) far below the call stack's limit.
 */
export const MAX_DIMS = 64;

/** `ndim` if a tensor may have that many dims, else a RangeError naming the op. */
export function checkNdim(op: string, ndim: number): number {
  if (ndim > MAX_DIMS) {
    throw new RangeError(`${op}: a tensor has at most ${MAX_DIMS} dims, the result would have ${ndim}`);
  }
  return ndim;
}

/**
 * `n` if a tensor of `n` elements can be allocated, else a RangeError naming the op and the count
 * (`what` describes the tensor, e.g. `a tensor of shape [1000000, 1000000]`).
 */
export function checkNumel(op: string, n: number, what = "the result"): number {
  if (n > MAX_ELEMENTS) {
    throw new RangeError(
      `${op}: ${what} would have ${n} elements, too large for a tensor (at most ${MAX_ELEMENTS})`,
    );
  }
  return n;
}

/** Number of elements of `shape`, checked against {@link MAX_ELEMENTS}. */
export function checkedSizeOf(op: string, shape: Shape): number {
  const n = sizeOf(shape);
  return n > MAX_ELEMENTS ? checkNumel(op, n, `a tensor of shape ${fmtShape(shape)}`) : n;
}

/** Number of elements of a shape (1 for `[]`). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/**
 * Product of `shape[from..to)` (1 for an empty range). Tensor shapes are frozen arrays, whose
 * `slice`/`filter`/`concat` take V8's slow path (≈ 0.4 µs): the ops use these loops instead.
 */
export function sizeOfRange(shape: Shape, from: number, to = shape.length): number {
  let n = 1;
  for (let i = from < 0 ? from + shape.length : from; i < (to < 0 ? to + shape.length : to); i++)
    n *= shape[i];
  return n;
}

/** A mutable copy of `shape` (a loop: fast also for frozen arrays). */
export function copyShape(shape: Shape): number[] {
  const out = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) out[i] = shape[i];
  return out;
}

/** `shape` without the dims for which `drop(i)` holds (a loop, see {@link sizeOfRange}). */
export function dropDims(shape: Shape, drop: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) if (!drop(i)) out.push(shape[i]);
  return out;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** `[2, 3]` — how shapes appear in error messages. */
export function fmtShape(shape: Shape): string {
  return Array.isArray(shape) ? `[${shape.join(", ")}]` : describeValue(shape);
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Validates a user-supplied shape: an array of non-negative integers. */
export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape))
    throw new TypeError(`${op}: shape must be an array of integers, got ${describeValue(shape)}`);
  checkNdim(op, shape.length);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== "number") {
      throw new TypeError(
        `${op}: shape must be an array of integers, got ${describeValue(d)} at position ${i}`,
      );
    }
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${op}: invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
    }
  }
  checkedSizeOf(op, shape);
  return copyShape(shape);
}

/**
 * NumPy broadcasting: align trailing dims; each pair must be equal or contain a 1.
 * @throws naming the op and both shapes when they are incompatible.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new RangeError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together ` +
          `(dim ${i - n}: ${da} vs ${db})`,
      );
    }
  }
  checkedSizeOf(op, out);
  return out;
}

/**
 * Strides that read a contiguous tensor of `shape` as if broadcast to `outShape`
 * (stride 0 along broadcast dims). `shape` must broadcast to `outShape`.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const n = outShape.length;
  const off = n - shape.length;
  const s = new Array<number>(n).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i + off] = shape[i] === 1 && outShape[i + off] !== 1 ? 0 : acc;
    acc *= shape[i];
  }
  return s;
}

/** Normalises a possibly negative dim into `[0, ndim)`; a 0-d tensor accepts `0` and `-1`. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  if (typeof dim !== "number")
    throw new TypeError(`${op}: dim must be an integer, got ${describeValue(dim)}`);
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(
      `${op}: dim ${dim} out of range for a ${ndim}-D tensor (expected an integer in [${-n}, ${n - 1}])`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** Sorted unique normalised dims; `undefined` or `[]` means all dims (as PyTorch's `dim=[]`). */
export function normalizeDims(
  op: string,
  dim: number | readonly number[] | undefined,
  ndim: number,
): number[] {
  if (dim !== undefined && typeof dim !== "number" && !Array.isArray(dim)) {
    throw new TypeError(
      `${op}: dim must be an integer, a list of integers or undefined (all dims), got ${describeValue(dim)}`,
    );
  }
  if (dim === undefined || (typeof dim !== "number" && dim.length === 0)) {
    return Array.from({ length: ndim }, (_, i) => i);
  }
  const list = typeof dim === "number" ? [dim] : dim;
  const out: number[] = [];
  for (const d of list) {
    const nd = Math.min(normalizeDim(op, d, ndim), Math.max(ndim - 1, 0));
    if (out.includes(nd)) throw new RangeError(`${op}: dim ${d} appears more than once in ${fmtShape(list)}`);
    out.push(nd);
  }
  return ndim === 0 ? [] : out.sort((x, y) => x - y);
}

/**
 * Normalises the position of a NEW dim (`unsqueeze`, `stack`): an input of rank `ndim` has
 * `ndim + 1` insertion points, `[-ndim - 1, ndim]`.
 */
export function normalizeNewDim(op: string, dim: number, ndim: number, what = `a ${ndim}-D input`): number {
  if (typeof dim !== "number")
    throw new TypeError(`${op}: dim must be an integer, got ${describeValue(dim)}`);
  checkNdim(op, ndim + 1);
  if (!Number.isInteger(dim) || dim < -ndim - 1 || dim > ndim) {
    throw new RangeError(
      `${op}: dim ${dim} out of range [${-ndim - 1}, ${ndim}] for ${what} ` +
        `(${op} accepts ndim + 1 positions)`,
    );
  }
  return dim < 0 ? dim + ndim + 1 : dim;
}

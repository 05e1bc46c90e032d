import { floatDtype } from "./state-dict.js";

/**
 * Throws unless `array` (null: an absent buffer) has `length` elements; the kernels call it once
 * per array, before their loop.
 */
export function checkLength(
  kernel: string,
  name: string,
  array: ArrayLike<number> | null,
  length: number,
): void {
  if (array !== null && array.length !== length) {
    throw new RangeError(`${kernel}: ${name} has ${array.length} elements, but the parameter has ${length}`);
  }
}

/** Rounds to the nearest float32: the float32 loops apply it after every operation. */
export const f = Math.fround;

/**
 * Whether `a` is a Float32Array, from this realm or another (an iframe's, a `node:vm` context's),
 * as `floatDtype` sees it. A rule updates in float32 arithmetic when the parameter, its gradient
 * and its state all are.
 */
export function isFloat32(a: ArrayLike<number>): a is Float32Array {
  return a instanceof Float32Array || floatDtype(a) === "float32";
}

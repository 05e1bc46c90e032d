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
 * True when every present array is a Float32Array (from any realm: an iframe's or a `node:vm`
 * context's too, as `floatDtype` sees them): the update then runs in float32 arithmetic.
 */
export function allFloat32(...arrays: readonly (ArrayLike<number> | null)[]): boolean {
  for (const a of arrays) {
    if (a !== null && !(a instanceof Float32Array) && floatDtype(a) !== "float32") return false;
  }
  return true;
}

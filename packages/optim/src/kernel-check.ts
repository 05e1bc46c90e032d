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

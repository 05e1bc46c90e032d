import type { Param } from "./param.js";
import { show } from "./validate.js";

/**
 * The shape of `param` for a rule that needs it (Muon, Adafactor), checked: an array of
 * non-negative integers whose product is the length of `param.data`.
 *
 * @param rule the rule's name, for the message (`"Muon"`).
 * @param where names the parameter (`"parameter 0 of param group 1"`).
 * @throws TypeError if the parameter has no shape; RangeError if the shape is invalid or does not
 *   match the data.
 */
export function paramShape(param: Param, rule: string, where: string): readonly number[] {
  const shape = param.shape as unknown;
  if (shape === undefined || shape === null) {
    throw new TypeError(
      `${rule} needs the shape of each parameter, but ${where} has none: give it a shape ({ data, grad, shape: [rows, cols] }) or pass a tensor, which has one`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new RangeError(
      `${rule}: the shape of ${where} must be an array of non-negative integers, got ${show(shape)}`,
    );
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (size !== param.data.length) {
    throw new RangeError(
      `${rule}: the shape ${show(shape)} of ${where} has ${size} elements, but its data has ${param.data.length}`,
    );
  }
  return shape as readonly number[];
}

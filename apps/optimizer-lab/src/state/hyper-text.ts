import {
  checkHyperparameter,
  type Hyperparameter,
  type HyperparameterValue,
  rangeText,
} from "@descent/optim";
import { valueText } from "../optimizers/rules.js";

/** A plain decimal number: optional sign, digits with an optional fraction, optional exponent. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/;

/** Longest number text accepted (a float64 needs at most 24 characters). */
const MAX_NUMBER_LENGTH = 32;

/** True for a plain decimal number of at most 32 characters (`0.01`, `-2`, `1e-8`; not `0x1`, `Infinity`). */
export function isPlainNumber(raw: string): boolean {
  return raw.length <= MAX_NUMBER_LENGTH && NUMBER.test(raw);
}

/** A value read from text, or why the text is not a valid value. */
export type ReadValue = { ok: true; value: HyperparameterValue } | { ok: false; problem: string };

/**
 * Reads a hyperparameter's value from text (a URL or a text box), without evaluating anything: a
 * plain decimal number, `true` / `false`, or one of the named choices (`none` for a null choice).
 * The value must pass the catalog's {@link checkHyperparameter}; a problem names the key and, for a
 * number, its valid range.
 */
export function readHyperValue(h: Hyperparameter, raw: string): ReadValue {
  let value: HyperparameterValue;
  switch (h.kind) {
    case "number":
      if (!isPlainNumber(raw)) {
        return { ok: false, problem: `${h.key} must be a plain decimal number in ${rangeText(h)}` };
      }
      value = Number(raw) + 0; // −0 reads as 0: the two would print alike
      break;
    case "boolean":
      if (raw !== "true" && raw !== "false") return { ok: false, problem: `${h.key} must be true or false` };
      value = raw === "true";
      break;
    case "choice": {
      const match = h.choices.find((c) => c === raw) ?? h.choices.find((c) => valueText(c) === raw);
      if (match === undefined) {
        return { ok: false, problem: `${h.key} must be one of ${h.choices.map(valueText).join(", ")}` };
      }
      value = match;
      break;
    }
  }
  const problem = checkHyperparameter(h, value);
  return problem === null ? { ok: true, value } : { ok: false, problem };
}

import { OPTIMIZER_CATALOG } from "./catalog.js";
import type {
  Hyperparameter,
  HyperparameterValue,
  NumberHyperparameter,
  OptimizerEntry,
} from "./catalog-entry.js";
import { didYouMean } from "./did-you-mean.js";
import type { Optimizer, OptimizerOptions } from "./optimizer.js";
import type { Param } from "./param.js";
import { show } from "./validate.js";

/**
 * The catalog entry with this id.
 *
 * @throws RangeError naming the unknown id, the closest known one and the list.
 */
export function optimizerEntry(id: string): OptimizerEntry {
  const entry = OPTIMIZER_CATALOG.find((e) => e.id === id);
  if (entry !== undefined) return entry;
  const ids = OPTIMIZER_CATALOG.map((e) => e.id);
  throw new RangeError(
    `unknown optimizer ${show(id)}${didYouMean(String(id), ids)} (one of: ${ids.join(", ")})`,
  );
}

/** Every hyperparameter of `entry` at its default, by key. */
export function defaultValues(entry: OptimizerEntry): Record<string, HyperparameterValue> {
  const values: Record<string, HyperparameterValue> = {};
  for (const h of entry.hyperparameters) values[h.key] = h.default;
  return values;
}

/** Why `value` is not a valid setting of `h`, in words that name it, or null if it is valid. */
export function checkHyperparameter(h: Hyperparameter, value: unknown): string | null {
  switch (h.kind) {
    case "boolean":
      return typeof value === "boolean" ? null : `${h.key} must be true or false, got ${show(value)}`;
    case "choice":
      return h.choices.includes(value as string | null)
        ? null
        : `${h.key} must be one of ${h.choices.map(show).join(", ")}, got ${show(value)}`;
    case "number":
      return checkNumberValue(h, value);
  }
}

function checkNumberValue(h: NumberHyperparameter, value: unknown): string | null {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return `${h.key} must be a finite number, got ${show(value)}`;
  }
  if (h.integer === true && !Number.isInteger(value))
    return `${h.key} must be an integer, got ${show(value)}`;
  const low = h.minExclusive === true ? value <= h.min : value < h.min;
  const high = h.maxExclusive === true ? value >= h.max : value > h.max;
  if (low || high) return `${h.key} must be in ${rangeText(h)}, got ${show(value)}`;
  return null;
}

/** The valid range of a number hyperparameter in interval notation: `[0, 1)`, `[0, ∞)`. */
export function rangeText(h: NumberHyperparameter): string {
  const lowOpen = h.minExclusive === true || h.min === Number.NEGATIVE_INFINITY;
  const highOpen = h.maxExclusive === true || h.max === Number.POSITIVE_INFINITY;
  const lo = h.min === Number.NEGATIVE_INFINITY ? "−∞" : String(h.min);
  const hi = h.max === Number.POSITIVE_INFINITY ? "∞" : String(h.max);
  return `${lowOpen ? "(" : "["}${lo}, ${hi}${highOpen ? ")" : "]"}`;
}

/**
 * Constructor options from hyperparameter values by key (missing keys take their defaults):
 * `{ lr: 0.01, beta1: 0.8 }` for Adam gives `{ lr: 0.01, betas: [0.8, 0.999], eps: 1e-8, ... }`,
 * plus the entry's fixed options.
 *
 * @throws RangeError for an unknown key (with a did-you-mean) or an invalid value, naming the rule.
 */
export function optionsFromValues(
  entry: OptimizerEntry,
  values: Readonly<Record<string, HyperparameterValue>> = {},
): Record<string, unknown> {
  const keys = entry.hyperparameters.map((h) => h.key);
  for (const key of Object.keys(values)) {
    if (!keys.includes(key)) {
      throw new RangeError(`${entry.name} has no hyperparameter ${show(key)}${didYouMean(key, keys)}`);
    }
  }
  const options: Record<string, unknown> = {};
  for (const h of entry.hyperparameters) {
    const value = Object.hasOwn(values, h.key) ? values[h.key] : h.default;
    const problem = checkHyperparameter(h, value);
    if (problem !== null) throw new RangeError(`${entry.name}: ${problem}`);
    if (h.kind === "number" && h.index !== undefined) {
      const tuple = (options[h.option] as number[] | undefined) ?? [];
      tuple[h.index] = value as number;
      options[h.option] = tuple;
    } else {
      options[h.option] = value;
    }
  }
  return { ...options, ...entry.fixed };
}

/**
 * Builds the optimizer of catalog entry `id` over `params` from hyperparameter values by key
 * (defaults for the rest), with any {@link OptimizerOptions}.
 */
export function createOptimizer(
  id: string,
  params: Iterable<Param>,
  values: Readonly<Record<string, HyperparameterValue>> = {},
  options: OptimizerOptions = {},
): Optimizer {
  const entry = optimizerEntry(id);
  return entry.create(params, { ...optionsFromValues(entry, values), ...options });
}

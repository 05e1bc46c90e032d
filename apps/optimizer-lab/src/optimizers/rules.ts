import {
  checkHyperparameter,
  defaultValues,
  type Hyperparameter,
  type HyperparameterValue,
  type OptimizerEntry,
} from "@descent/optim";
import { SOURCE_CATALOG } from "./catalog-source.js";
import { didYouMean } from "./did-you-mean.js";

/**
 * The lab's view of `@descent/optim`'s optimizer catalog. Everything the lab shows about a rule (its
 * name, hyperparameters, ranges, explanation) and builds (its optimizer) comes from a catalog entry,
 * so a rule added to the package appears in every tab with no edit here. Functions take the catalog
 * as an argument (the package's by default) so tests can pass one with extra entries.
 */
export type Catalog = readonly OptimizerEntry[];

/**
 * The rules of `catalog` the lab can run: all but those that need each parameter's matrix shape
 * (`needsShape`: Muon, Adafactor). The race moves two scalar coordinates, which have no matrix
 * shape; such rules are in the demo, which pairs them with AdamW for non-matrix parameters.
 */
export function labRules(catalog: Catalog): Catalog {
  return Object.freeze(catalog.filter((e) => e.needsShape !== true));
}

/** The package's catalog as the lab runs it (see {@link labRules}), in its display order. */
export const CATALOG: Catalog = labRules(SOURCE_CATALOG);

/** A rule's hyperparameter values by key (`{ lr: 0.01, beta1: 0.9, amsgrad: false }`). */
export type HyperValues = Record<string, HyperparameterValue>;

/**
 * The rules the lab starts with: the classic path from SGD to Adam (race and compare), as far as the
 * catalog has them. A catalog without any of them starts with its first five rules.
 */
export const CLASSIC_RULES: readonly string[] = ["sgd", "momentum", "adagrad", "rmsprop", "adam"];

/** The ids of `catalog`, in its order. */
export function ruleIds(catalog: Catalog = CATALOG): string[] {
  return catalog.map((e) => e.id);
}

/** The entry with this id, or undefined. */
export function findRule(catalog: Catalog, id: string): OptimizerEntry | undefined {
  return catalog.find((e) => e.id === id);
}

/** The entry with this id; throws a RangeError naming the closest id for an unknown one. */
export function getRule(catalog: Catalog, id: string): OptimizerEntry {
  const entry = findRule(catalog, id);
  if (entry === undefined) throw new RangeError(unknownRule(catalog, id));
  return entry;
}

/** `unknown rule "adamm" (did you mean adam?)`: `id` is quoted and cut to 40 characters. */
export function unknownRule(catalog: Catalog, id: string): string {
  const shown = JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id);
  return `unknown rule ${shown}${didYouMean(id, ruleIds(catalog))}`;
}

/** The lab's default choice of rules in `catalog` (see {@link CLASSIC_RULES}), in catalog order. */
export function classicRules(catalog: Catalog = CATALOG): string[] {
  const ids = ruleIds(catalog).filter((id) => CLASSIC_RULES.includes(id));
  return ids.length > 0 ? ids : ruleIds(catalog).slice(0, 5);
}

/** `ids` without duplicates or unknown ids, in catalog order. */
export function inCatalogOrder(catalog: Catalog, ids: Iterable<string>): string[] {
  const wanted = new Set(ids);
  return ruleIds(catalog).filter((id) => wanted.has(id));
}

/** The hyperparameter of `entry` with this key, or undefined. */
export function findHyperparameter(entry: OptimizerEntry, key: string): Hyperparameter | undefined {
  return entry.hyperparameters.find((h) => h.key === key);
}

/**
 * Every hyperparameter of `entry`: its default, overridden by `over` where `over` has a valid value
 * for it (invalid or unknown keys of `over` are ignored).
 */
export function valuesFor(entry: OptimizerEntry, over: Readonly<HyperValues> = {}): HyperValues {
  const values = defaultValues(entry);
  for (const h of entry.hyperparameters) {
    if (Object.hasOwn(over, h.key) && checkHyperparameter(h, over[h.key]) === null)
      values[h.key] = over[h.key];
  }
  return values;
}

/** True when `value` is the hyperparameter's default (numbers compare with `Object.is`: −0 is not 0). */
export function isDefault(h: Hyperparameter, value: HyperparameterValue): boolean {
  return Object.is(value, h.default);
}

/** A value as the page and the URL show it: numbers in JavaScript's shortest round-trip form, null as `none`. */
export function valueText(value: HyperparameterValue): string {
  return value === null ? "none" : String(value);
}

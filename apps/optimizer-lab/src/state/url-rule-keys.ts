import type { OptimizerEntry } from "@descent/optim";
import { didYouMean } from "../optimizers/did-you-mean.js";
import { makeOptimizer } from "../optimizers/make.js";
import {
  CATALOG,
  type Catalog,
  findHyperparameter,
  findRule,
  type HyperValues,
  ruleIds,
  unknownRule,
  valuesFor,
  valueText,
} from "../optimizers/rules.js";
import { readHyperValue } from "./hyper-text.js";
import { compareDefaults, type LabState, raceDefaults, trainDefaults } from "./lab-state.js";
import { quote, type Rejection } from "./url-fields.js";

// The URL's per-rule settings, one per hyperparameter of the catalog: `<rule>.<key>` (race),
// `c.<rule>.<key>` (compare), `opt.<key>` (the network's rule).

/** Where a per-rule key (`adam.lr`, `c.adam.lr`, `opt.lr`) puts its value. */
export type Scope = "race" | "compare" | "train";

/** The hyperparameter values a scope holds for rule `id` (train: only its current rule). */
function valuesOf(s: LabState, scope: Scope, id: string): HyperValues | undefined {
  if (scope === "train") return id === s.train.optimizer ? s.train.hyper : undefined;
  return (scope === "race" ? s.race.hyper : s.compare.hyper)[id];
}

/**
 * Applies a per-rule setting. Returns null when applied, a problem when rejected, or undefined when
 * `key` has none of the per-rule forms.
 */
export function writeRuleValue(
  catalog: Catalog,
  s: LabState,
  key: string,
  raw: string,
): Rejection | null | undefined {
  const parts = key.split(".");
  let scope: Scope;
  let id: string;
  let hkey: string;
  if (parts.length === 3 && parts[0] === "c") [scope, id, hkey] = ["compare", parts[1], parts[2]];
  else if (parts.length === 2 && parts[0] === "opt")
    [scope, id, hkey] = ["train", s.train.optimizer, parts[1]];
  else if (parts.length === 2 && parts[0] !== "c") [scope, id, hkey] = ["race", parts[0], parts[1]];
  else return undefined;
  const entry = findRule(catalog, id);
  if (entry === undefined) return [unknownRule(catalog, id), "setting ignored"];
  const h = findHyperparameter(entry, hkey);
  if (h === undefined) {
    const keys = entry.hyperparameters.map((x) => x.key);
    return [`${entry.name} has no hyperparameter ${quote(hkey)}${didYouMean(hkey, keys)}`, "setting ignored"];
  }
  const read = readHyperValue(h, raw);
  if (!read.ok) return read.problem;
  const values = valuesOf(s, scope, id);
  if (values !== undefined) values[h.key] = read.value;
  return null;
}

/**
 * Why rule `entry` cannot be built with `values` (a combination the optimizer rejects, such as
 * Nesterov momentum with dampening), or null. Every single value has already passed the catalog's
 * checks. The test builds the rule over one plain one-element parameter; a rule that refuses even
 * that with its defaults (one that needs matrices, say) cannot be judged here and passes.
 */
function buildProblem(entry: OptimizerEntry, values: HyperValues): string | null {
  const problem = cachedBuild(entry, values);
  return problem !== null && cachedBuild(entry, valuesFor(entry)) === null ? problem : null;
}

/** What building `entry` with `values` over one one-element parameter throws, or null (cached). */
function cachedBuild(entry: OptimizerEntry, values: HyperValues): string | null {
  let known = buildCache.get(entry);
  if (known === undefined) {
    known = new Map();
    buildCache.set(entry, known);
  }
  const key = JSON.stringify(entry.hyperparameters.map((h) => values[h.key]));
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  let problem: string | null = null;
  try {
    makeOptimizer(entry, [{ data: new Float64Array(1), grad: null }], values);
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  }
  if (known.size >= BUILD_CACHE_SIZE) known.delete(known.keys().next().value as string);
  known.set(key, problem);
  return problem;
}

/** The last answers of {@link buildProblem} per rule (building an optimizer takes a fraction of a millisecond). */
const buildCache = new WeakMap<OptimizerEntry, Map<string, string | null>>();
const BUILD_CACHE_SIZE = 256;

/** The scope and rule a per-rule key (new or old form) sets: `c.adam.lr` → compare, adam. */
export function scopeOf(s: LabState, key: string): [Scope, string] {
  const parts = key.split(".");
  if (parts.length === 1 || parts[0] === "opt") return ["train", s.train.optimizer];
  if (parts[0] === "c") return ["compare", parts[1]];
  return ["race", parts[0]];
}

/**
 * Replaces each hyperparameter set the link changed that cannot build its optimizer by the rule's
 * defaults, with a problem each (`touched`: the scope and rule of each applied per-rule key).
 */
export function checkCombinations(
  catalog: Catalog,
  s: LabState,
  touched: Map<string, [Scope, string]>,
  problems: string[],
): void {
  const where: Record<Scope, string> = { race: "race", compare: "compare", train: "network" };
  for (const [scope, id] of touched.values()) {
    const entry = findRule(catalog, id);
    const values = valuesOf(s, scope, id);
    if (entry === undefined || values === undefined) continue;
    const why = buildProblem(entry, values);
    if (why === null) continue;
    problems.push(`${where[scope]} ${entry.name}: ${why}; its defaults were used`);
    const defaults =
      scope === "race"
        ? raceDefaults(s.race.surface, catalog)[id]
        : scope === "compare"
          ? compareDefaults(catalog)[id]
          : trainDefaults(id, catalog);
    Object.assign(values, defaults);
  }
}
/** Encodes a value for the query, keeping commas readable. */
export function encode(v: string): string {
  return encodeURIComponent(v).replace(/%2C/g, ",");
}

/** `prefix<key>=value` for each value of `values` that differs from `defaults` (all if no defaults). */
export function ruleParts(
  entry: OptimizerEntry,
  prefix: string,
  values: HyperValues,
  defaults?: HyperValues,
): string[] {
  const parts: string[] = [];
  for (const h of entry.hyperparameters) {
    const v = values[h.key];
    if (defaults !== undefined && Object.is(v, defaults[h.key])) continue;
    parts.push(`${prefix}${h.key}=${encode(valueText(v))}`);
  }
  return parts;
}

/** The catalog ids the URL cannot use as rule ids (their per-rule keys would be read as other forms). */
export const RESERVED_IDS: readonly string[] = ["c", "opt"];

/** Ids of `catalog` that are reserved (see {@link RESERVED_IDS}); empty for a usable catalog. */
export function reservedIds(catalog: Catalog = CATALOG): string[] {
  return ruleIds(catalog).filter((id) => RESERVED_IDS.includes(id));
}

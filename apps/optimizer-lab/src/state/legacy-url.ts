import { type Catalog, findHyperparameter, findRule } from "../optimizers/rules.js";
import { isPlainNumber, readHyperValue } from "./hyper-text.js";
import type { LabState } from "./lab-state.js";

/**
 * Links written before the lab read its rules from the catalog, so that they still reproduce their
 * run. They named hyperparameters by short names, and only the ones the lab then exposed:
 *
 * - race: `<rule>.lr`, `momentum.mu`, `rmsprop.alpha`, `adam.b1`, `adam.b2` (now `momentum.momentum`,
 *   `adam.beta1`, `adam.beta2`);
 * - network: `lr`, `mu`, `alpha`, `b1`, `b2`, `wd`, all six always written whatever the rule, each
 *   used only by the rules listed in {@link OLD_NETWORK_KEYS} (now `opt.<key>`);
 * - compare: `c.<rule>`, the rule's learning rate (now `c.<rule>.lr`).
 */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  mu: "momentum",
  b1: "beta1",
  b2: "beta2",
  wd: "weightDecay",
};

/** The network tab's old keys, and the rules that used each (a rule not listed used `lr` only). */
const OLD_NETWORK_KEYS: Readonly<Record<string, readonly string[]>> = {
  lr: [],
  mu: ["momentum"],
  alpha: ["rmsprop"],
  b1: ["adam", "adamw"],
  b2: ["adam", "adamw"],
  wd: ["adamw"],
};

/** The catalog key an old short name stands for. */
function longName(short: string): string {
  return SHORT_NAMES[short] ?? short;
}

/** True for a key in one of the old forms: `lr`, `mu`, …, `c.<rule>`, `<rule>.mu`, `<rule>.b1`, `<rule>.b2`. */
export function isLegacyKey(catalog: Catalog, key: string): boolean {
  if (Object.hasOwn(OLD_NETWORK_KEYS, key)) return true;
  const parts = key.split(".");
  if (parts.length !== 2) return false;
  if (parts[0] === "c") return findRule(catalog, parts[1]) !== undefined;
  const entry = findRule(catalog, parts[0]);
  return (
    entry !== undefined &&
    Object.hasOwn(SHORT_NAMES, parts[1]) &&
    findHyperparameter(entry, parts[1]) === undefined &&
    findHyperparameter(entry, longName(parts[1])) !== undefined
  );
}

/** Applies an old-form setting (see {@link isLegacyKey}); returns why it was rejected, or null. */
export function applyLegacy(catalog: Catalog, s: LabState, key: string, raw: string): string | null {
  if (Object.hasOwn(OLD_NETWORK_KEYS, key)) {
    const users = OLD_NETWORK_KEYS[key];
    const entry = findRule(catalog, s.train.optimizer);
    const h = entry && findHyperparameter(entry, longName(key));
    const used = h !== undefined && (users.length === 0 || users.includes(s.train.optimizer));
    // Old links wrote all six keys; one the rule did not use is checked only for being a number.
    if (!used) return isPlainNumber(raw) ? null : `${key} must be a plain decimal number`;
    const read = readHyperValue(h, raw);
    if (!read.ok) return read.problem;
    s.train.hyper[h.key] = read.value;
    return null;
  }
  const [first, second] = key.split(".");
  const [id, short, values] = first === "c" ? [second, "lr", s.compare.hyper] : [first, second, s.race.hyper];
  const h = findHyperparameter(findRule(catalog, id)!, longName(short));
  if (h === undefined) return `${id} has no hyperparameter ${longName(short)}`;
  const read = readHyperValue(h, raw);
  if (!read.ok) return read.problem;
  values[id][h.key] = read.value;
  return null;
}

import { CATALOG, type Catalog, findRule } from "../optimizers/rules.js";
import { getSurface, inDomain, SURFACES, type SurfaceId } from "../surfaces/surfaces.js";
import { compareDefaults, defaultRace, defaultState, type LabState, raceDefaults } from "./lab-state.js";
import { applyLegacy, isLegacyKey } from "./legacy-url.js";
import { fieldsOf, quote, type Rejection, SURFACE_KEY } from "./url-fields.js";
import {
  checkCombinations,
  encode,
  ruleParts,
  type Scope,
  scopeOf,
  writeRuleValue,
} from "./url-rule-keys.js";

export { parseHidden } from "./url-fields.js";
export { RESERVED_IDS, reservedIds } from "./url-rule-keys.js";

/**
 * The lab's state in the URL query string, so a shared link reproduces the run exactly.
 *
 * Keys: `s` (surface), `tab`, `x`, `y` (start), `sel` (the explained rule), `on` (racing rules),
 * `<rule>.<key>` (a racing hyperparameter: `adam.beta2=0.99`), `ds`, `noise`, `n`, `hidden`, `act`,
 * `opt` (the network's rule), `opt.<key>` (its hyperparameters), `batch`, `seed`, `cmp` (compared
 * rules), `c.<rule>.<key>` (a compared hyperparameter), `epochs`, `curves`. Rules and their
 * hyperparameters come from the catalog. The network rule's hyperparameters are always written; a
 * race or compare hyperparameter only where it differs from the lab's default. Links written before
 * rules came from the catalog still parse (see `legacy-url.ts`).
 *
 * A URL is untrusted input. Parsing never evaluates anything: each value must be a plain decimal
 * number inside its range, or one of a fixed list of words. A value that fails keeps the default
 * and adds a human-readable problem (an unknown rule names the closest one; a bad hyperparameter
 * names its key and valid range); unknown and repeated keys are problems too, and a query longer
 * than {@link MAX_QUERY_LENGTH} is ignored as a whole. The page shows the problems in a notice.
 */
export const MAX_QUERY_LENGTH = 16384;

export interface ParsedState {
  state: LabState;
  /** One line per rejected setting; empty if the link was used as is. */
  problems: string[];
}

/**
 * Reads a state from a query string (`location.search`, with or without the leading `?`), with the
 * rules of `catalog`.
 */
export function parseState(search: string, catalog: Catalog = CATALOG): ParsedState {
  const state = defaultState(catalog);
  const problems: string[] = [];
  const query = search.startsWith("?") ? search.slice(1) : search;
  if (query === "") return { state, problems };
  if (query.length > MAX_QUERY_LENGTH) {
    return {
      state,
      problems: [`the link's settings are longer than ${MAX_QUERY_LENGTH} characters; all were ignored`],
    };
  }
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return { state, problems: ["the link's settings could not be decoded; all were ignored"] };
  }
  const fields = fieldsOf(catalog);
  const fixed = new Set([SURFACE_KEY, ...fields.map((f) => f.key)]);
  const values = new Map<string, string>();
  const repeated = new Set<string>();
  for (const [key, raw] of params) {
    if (values.has(key) && !repeated.has(key)) {
      problems.push(`setting ${quote(key)} given more than once; the default was used`);
      repeated.add(key);
    }
    values.set(key, raw);
  }
  for (const key of repeated) values.delete(key);
  const bad = (key: string, raw: string, rejection: Rejection) => {
    const [why, outcome] = typeof rejection === "string" ? [rejection, "the default was used"] : rejection;
    problems.push(`${/^[\w.-]{1,40}$/.test(key) ? key : quote(key)}=${quote(raw)}: ${why}; ${outcome}`);
  };

  const surface = values.get(SURFACE_KEY);
  if (surface !== undefined) {
    if ((SURFACES as readonly string[]).includes(surface)) {
      state.race = defaultRace(surface as SurfaceId, catalog);
    } else bad(SURFACE_KEY, surface, `surface must be one of ${SURFACES.join(", ")}`);
  }
  for (const f of fields) {
    const raw = values.get(f.key);
    if (raw === undefined) continue;
    const why = f.write(state, raw);
    if (why !== null) bad(f.key, raw, why);
  }
  // Per-rule settings: the old forms first, so that a newer one in the same link wins.
  const perRule = [...values].filter(([key]) => !fixed.has(key));
  const touched = new Map<string, [Scope, string]>();
  const applied = (key: string) => {
    const [scope, id] = scopeOf(state, key);
    touched.set(`${scope} ${id}`, [scope, id]);
  };
  for (const [key, raw] of perRule.filter(([key]) => isLegacyKey(catalog, key))) {
    const why = applyLegacy(catalog, state, key, raw);
    if (why === null) applied(key);
    else bad(key, raw, why);
  }
  for (const [key, raw] of perRule.filter(([key]) => !isLegacyKey(catalog, key))) {
    const why = writeRuleValue(catalog, state, key, raw);
    if (why === null) applied(key);
    else if (why === undefined) problems.push(`unknown setting ${quote(key)} ignored`);
    else bad(key, raw, why);
  }
  checkCombinations(catalog, state, touched, problems);
  // The start must lie in the (possibly changed) surface's domain.
  const d = getSurface(state.race.surface).domain;
  if (!inDomain(d, state.race.start[0], state.race.start[1])) {
    const s = getSurface(state.race.surface).defaultStart;
    state.race.start = [s[0], s[1]];
  }
  return { state, problems };
}

/** Writes every setting of `state` as a query string (without the leading `?`). */
export function serializeState(state: LabState, catalog: Catalog = CATALOG): string {
  const parts = [`${SURFACE_KEY}=${encode(state.race.surface)}`];
  const race = raceDefaults(state.race.surface, catalog);
  const compare = compareDefaults(catalog);
  for (const f of fieldsOf(catalog)) {
    parts.push(`${f.key}=${encode(f.read(state))}`);
    if (f.key === "on") {
      for (const e of catalog) parts.push(...ruleParts(e, `${e.id}.`, state.race.hyper[e.id], race[e.id]));
    } else if (f.key === "opt") {
      const entry = findRule(catalog, state.train.optimizer);
      if (entry !== undefined) parts.push(...ruleParts(entry, "opt.", state.train.hyper));
    } else if (f.key === "cmp") {
      for (const e of catalog)
        parts.push(...ruleParts(e, `c.${e.id}.`, state.compare.hyper[e.id], compare[e.id]));
    }
  }
  return parts.join("&");
}

import { DATASETS } from "../data/datasets.js";
import { type Catalog, findRule, inCatalogOrder, unknownRule } from "../optimizers/rules.js";
import { getSurface } from "../surfaces/surfaces.js";
import { isPlainNumber } from "./hyper-text.js";
import {
  ACTIVATIONS,
  CURVES,
  checkNumber,
  type LabState,
  MAX_LAYERS,
  type NumberSpec,
  TABS,
  TRAIN_SPECS,
  trainDefaults,
} from "./lab-state.js";

// The URL's fixed-key settings (`tab`, `x`, `on`, `opt`, `hidden`, …): how each is written and read.

/**
 * Why a setting was rejected, and what was done instead: a string alone means the default was used;
 * a pair says what happened (`["unknown rule …", "setting ignored"]`).
 */
export type Rejection = string | readonly [why: string, outcome: string];

/** A setting with a fixed key. */
export interface Field {
  readonly key: string;
  read(s: LabState): string;
  /** Applies `raw` to `s`; returns why it was rejected, or null. */
  write(s: LabState, raw: string): Rejection | null;
}

/** Reads a plain decimal number inside `spec`'s bounds, or says what is wrong. */
export function parseNumber(spec: NumberSpec, raw: string): number | string {
  if (!isPlainNumber(raw)) return `${spec.label} must be a plain decimal number`;
  const v = Number(raw) + 0; // −0 reads as 0: the two would print alike
  return checkNumber(spec, v) ?? v;
}

function num(
  key: string,
  spec: NumberSpec,
  get: (s: LabState) => number,
  set: (s: LabState, v: number) => void,
): Field {
  return {
    key,
    read: (s) => String(get(s)),
    write: (s, raw) => {
      const v = parseNumber(spec, raw);
      if (typeof v === "string") return v;
      set(s, v);
      return null;
    },
  };
}

function word<T extends string>(
  key: string,
  label: string,
  values: readonly T[],
  get: (s: LabState) => T,
  set: (s: LabState, v: T) => void,
): Field {
  return {
    key,
    read: (s) => get(s),
    write: (s, raw) => {
      if (!(values as readonly string[]).includes(raw)) return `${label} must be one of ${values.join(", ")}`;
      set(s, raw as T);
      return null;
    },
  };
}

/** One rule of the catalog: `sel`, `opt`. */
function rule(
  catalog: Catalog,
  key: string,
  get: (s: LabState) => string,
  set: (s: LabState, id: string) => void,
): Field {
  return {
    key,
    read: get,
    write: (s, raw) => {
      if (findRule(catalog, raw) === undefined) return unknownRule(catalog, raw);
      set(s, raw);
      return null;
    },
  };
}

/**
 * A set of rules: `on`, `cmp`. Unknown ids are left out (each named, with the closest known id);
 * the known ones are kept, in catalog order.
 */
function ruleSet(
  catalog: Catalog,
  key: string,
  get: (s: LabState) => string[],
  set: (s: LabState, ids: string[]) => void,
): Field {
  return {
    key,
    read: (s) => get(s).join(","),
    write: (s, raw) => {
      const ids = raw === "" ? [] : raw.split(",");
      if (ids.length > 4 * catalog.length + 8) return "too many rules listed";
      if (new Set(ids).size !== ids.length) return "a rule is listed twice";
      const unknown = ids.filter((id) => findRule(catalog, id) === undefined);
      set(s, inCatalogOrder(catalog, ids));
      if (unknown.length === 0) return null;
      return [unknown.map((id) => unknownRule(catalog, id)).join("; "), "the others were kept"];
    },
  };
}

function coordinate(key: "x" | "y", i: 0 | 1): Field {
  return {
    key,
    read: (s) => String(s.race.start[i]),
    write: (s, raw) => {
      const d = getSurface(s.race.surface).domain;
      const [lo, hi] = i === 0 ? [d.xMin, d.xMax] : [d.yMin, d.yMax];
      const v = parseNumber({ label: `start ${key}`, min: lo, max: hi }, raw);
      if (typeof v === "string") return v;
      s.race.start[i] = v;
      return null;
    },
  };
}

/** Parses hidden layer widths, e.g. "16,8" (empty: no hidden layer); a string says what is wrong. */
export function parseHidden(raw: string): number[] | string {
  if (raw === "") return [];
  const parts = raw.split(",");
  if (parts.length > MAX_LAYERS) return `at most ${MAX_LAYERS} hidden layers`;
  const widths: number[] = [];
  for (const p of parts) {
    const v = parseNumber(TRAIN_SPECS.units, p);
    if (typeof v === "string") {
      return `each hidden layer needs an integer of ${TRAIN_SPECS.units.min}–${TRAIN_SPECS.units.max} units`;
    }
    widths.push(v);
  }
  return widths;
}

const hiddenField: Field = {
  key: "hidden",
  read: (s) => s.train.hidden.join(","),
  write: (s, raw) => {
    const v = parseHidden(raw);
    if (typeof v === "string") return v;
    s.train.hidden = v;
    return null;
  },
};

/** Every fixed-key field but the surface, in URL order. */
function fixedFields(catalog: Catalog): Field[] {
  return [
    word(
      "tab",
      "tab",
      TABS,
      (s) => s.tab,
      (s, v) => void (s.tab = v),
    ),
    coordinate("x", 0),
    coordinate("y", 1),
    rule(
      catalog,
      "sel",
      (s) => s.race.selected,
      (s, id) => void (s.race.selected = id),
    ),
    ruleSet(
      catalog,
      "on",
      (s) => s.race.racing,
      (s, ids) => void (s.race.racing = ids),
    ),
    word(
      "ds",
      "data set",
      DATASETS,
      (s) => s.train.dataset,
      (s, v) => void (s.train.dataset = v),
    ),
    num(
      "noise",
      TRAIN_SPECS.noise,
      (s) => s.train.noise,
      (s, v) => void (s.train.noise = v),
    ),
    num(
      "n",
      TRAIN_SPECS.points,
      (s) => s.train.points,
      (s, v) => void (s.train.points = v),
    ),
    hiddenField,
    word(
      "act",
      "activation",
      ACTIVATIONS,
      (s) => s.train.activation,
      (s, v) => void (s.train.activation = v),
    ),
    rule(
      catalog,
      "opt",
      (s) => s.train.optimizer,
      (s, id) => {
        s.train.optimizer = id;
        s.train.hyper = trainDefaults(id, catalog);
      },
    ),
    num(
      "batch",
      TRAIN_SPECS.batchSize,
      (s) => s.train.batchSize,
      (s, v) => void (s.train.batchSize = v),
    ),
    num(
      "seed",
      TRAIN_SPECS.seed,
      (s) => s.train.seed,
      (s, v) => void (s.train.seed = v),
    ),
    ruleSet(
      catalog,
      "cmp",
      (s) => s.compare.rules,
      (s, ids) => void (s.compare.rules = ids),
    ),
    num(
      "epochs",
      TRAIN_SPECS.epochs,
      (s) => s.compare.epochs,
      (s, v) => void (s.compare.epochs = v),
    ),
    word(
      "curves",
      "curves",
      CURVES,
      (s) => s.compare.curves,
      (s, v) => void (s.compare.curves = v),
    ),
  ];
}

/** The key of the surface, read before every other setting (the start and the race's defaults depend on it). */
export const SURFACE_KEY = "s";

/** The fixed fields of each catalog (built once per catalog). */
const fieldCache = new WeakMap<Catalog, Field[]>();

/** Every fixed-key field of the URL but the surface, in URL order, for the rules of `catalog`. */
export function fieldsOf(catalog: Catalog): Field[] {
  let fields = fieldCache.get(catalog);
  if (fields === undefined) {
    fields = fixedFields(catalog);
    fieldCache.set(catalog, fields);
  }
  return fields;
}

/** Shows an untrusted value in a message: quoted, at most 40 characters, control characters escaped. */
export function quote(raw: string): string {
  const short = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return JSON.stringify(short);
}

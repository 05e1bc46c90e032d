import { DATASETS } from "../data/datasets.js";
import {
  checkNumber,
  HYPER_SPECS,
  type HyperKey,
  type NumberSpec,
  OPTIMIZERS,
  RACERS,
  type RacerId,
} from "../optimizers/catalog.js";
import { getSurface, inDomain, SURFACES, type SurfaceId } from "../surfaces/surfaces.js";
import {
  ACTIVATIONS,
  defaultRace,
  defaultState,
  type LabState,
  MAX_LAYERS,
  TABS,
  TRAIN_SPECS,
} from "./lab-state.js";

/**
 * The lab's state in the URL query string: every setting, so a shared link reproduces the run exactly.
 *
 * A URL is untrusted input. Parsing never evaluates anything: each known key has a parser that accepts
 * only a plain decimal number inside the setting's bounds, or one of a fixed list of words. A value that
 * fails keeps the default and adds a human-readable problem; unknown and repeated keys are problems too,
 * and a query longer than {@link MAX_QUERY_LENGTH} is ignored as a whole. The page shows the problems
 * in a notice.
 */
export const MAX_QUERY_LENGTH = 2000;

/** A plain decimal number: optional sign, digits with an optional fraction, optional exponent. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/;

export interface ParsedState {
  state: LabState;
  /** One line per rejected setting; empty if the link was used as is. */
  problems: string[];
}

interface Field {
  readonly key: string;
  read(s: LabState): string;
  /** Applies `raw` to `s`; returns why it was rejected, or null. */
  write(s: LabState, raw: string): string | null;
}

function parseNumber(spec: NumberSpec, raw: string): number | string {
  if (raw.length > 32 || !NUMBER.test(raw)) return `${spec.label} must be a plain decimal number`;
  const v = Number(raw);
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

/** The racer hyperparameters that appear in the URL, with their short names. */
const RACER_KEYS: readonly [RacerId, HyperKey, string][] = [
  ["sgd", "lr", "lr"],
  ["momentum", "lr", "lr"],
  ["momentum", "momentum", "mu"],
  ["adagrad", "lr", "lr"],
  ["rmsprop", "lr", "lr"],
  ["rmsprop", "alpha", "alpha"],
  ["adam", "lr", "lr"],
  ["adam", "beta1", "b1"],
  ["adam", "beta2", "b2"],
];

/** The network optimizer's hyperparameters in the URL. */
const TRAIN_HYPER_KEYS: readonly [HyperKey, string][] = [
  ["lr", "lr"],
  ["momentum", "mu"],
  ["alpha", "alpha"],
  ["beta1", "b1"],
  ["beta2", "b2"],
  ["weightDecay", "wd"],
];

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

const onField: Field = {
  key: "on",
  read: (s) => RACERS.filter((id) => s.race.racers[id].enabled).join(","),
  write: (s, raw) => {
    const ids = raw === "" ? [] : raw.split(",");
    for (const id of ids) {
      if (!(RACERS as readonly string[]).includes(id)) return `racers must be among ${RACERS.join(", ")}`;
    }
    if (new Set(ids).size !== ids.length) return "a racer is listed twice";
    for (const id of RACERS) s.race.racers[id].enabled = ids.includes(id);
    return null;
  },
};

/** Every field but the surface, in URL order. */
const FIELDS: readonly Field[] = [
  word(
    "tab",
    "tab",
    TABS,
    (s) => s.tab,
    (s, v) => void (s.tab = v),
  ),
  coordinate("x", 0),
  coordinate("y", 1),
  word(
    "sel",
    "selected racer",
    RACERS,
    (s) => s.race.selected,
    (s, v) => void (s.race.selected = v),
  ),
  onField,
  ...RACER_KEYS.map(([id, h, short]) =>
    num(
      `${id}.${short}`,
      { ...HYPER_SPECS[h], label: `${id} ${HYPER_SPECS[h].label}` },
      (s) => s.race.racers[id][h],
      (s, v) => void (s.race.racers[id][h] = v),
    ),
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
  word(
    "opt",
    "optimizer",
    OPTIMIZERS,
    (s) => s.train.optimizer,
    (s, v) => void (s.train.optimizer = v),
  ),
  ...TRAIN_HYPER_KEYS.map(([h, short]) =>
    num(
      short,
      HYPER_SPECS[h],
      (s) => s.train[h],
      (s, v) => void (s.train[h] = v),
    ),
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
  ...RACERS.map((id) =>
    num(
      `c.${id}`,
      { ...HYPER_SPECS.lr, label: `compare ${id} learning rate` },
      (s) => s.compare.lrs[id],
      (s, v) => void (s.compare.lrs[id] = v),
    ),
  ),
  num(
    "epochs",
    TRAIN_SPECS.epochs,
    (s) => s.compare.epochs,
    (s, v) => void (s.compare.epochs = v),
  ),
];

const SURFACE_KEY = "s";
const KNOWN = new Set([SURFACE_KEY, ...FIELDS.map((f) => f.key)]);

/** Shows an untrusted value in a message: quoted, at most 40 characters, control characters escaped. */
function quote(raw: string): string {
  const short = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return JSON.stringify(short);
}

/** Reads a state from a query string (`location.search`, with or without the leading `?`). */
export function parseState(search: string): ParsedState {
  const state = defaultState();
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
  const values = new Map<string, string>();
  for (const [key, raw] of params) {
    if (!KNOWN.has(key)) {
      problems.push(`unknown setting ${quote(key)} ignored`);
    } else if (values.has(key)) {
      problems.push(`setting ${quote(key)} given more than once; the default was used`);
    }
    values.set(key, raw);
  }
  for (const key of new Set(params.keys())) if (params.getAll(key).length > 1) values.delete(key);
  const bad = (key: string, raw: string, why: string) =>
    problems.push(`${key}=${quote(raw)}: ${why}; the default was used`);

  const surface = values.get(SURFACE_KEY);
  if (surface !== undefined) {
    if ((SURFACES as readonly string[]).includes(surface)) state.race = defaultRace(surface as SurfaceId);
    else bad(SURFACE_KEY, surface, `surface must be one of ${SURFACES.join(", ")}`);
  }
  for (const f of FIELDS) {
    const raw = values.get(f.key);
    if (raw === undefined) continue;
    const why = f.write(state, raw);
    if (why !== null) bad(f.key, raw, why);
  }
  // Cross-field rule: the start must lie in the (possibly changed) surface's domain.
  const d = getSurface(state.race.surface).domain;
  if (!inDomain(d, state.race.start[0], state.race.start[1])) {
    const s = getSurface(state.race.surface).defaultStart;
    state.race.start = [s[0], s[1]];
  }
  return { state, problems };
}

/** Encodes a value for the query, keeping commas readable. */
function encode(v: string): string {
  return encodeURIComponent(v).replace(/%2C/g, ",");
}

/** Writes every setting of `state` as a query string (without the leading `?`). */
export function serializeState(state: LabState): string {
  const parts = [`${SURFACE_KEY}=${encode(state.race.surface)}`];
  for (const f of FIELDS) parts.push(`${f.key}=${encode(f.read(state))}`);
  return parts.join("&");
}

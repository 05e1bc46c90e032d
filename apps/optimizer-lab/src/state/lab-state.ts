import type { DatasetId } from "../data/datasets.js";
import {
  CATALOG,
  type Catalog,
  classicRules,
  findRule,
  type HyperValues,
  valuesFor,
} from "../optimizers/rules.js";
import { getSurface, type SurfaceId } from "../surfaces/surfaces.js";

export const TABS = ["race", "train", "compare"] as const;
export type TabId = (typeof TABS)[number];

export const ACTIVATIONS = ["relu", "tanh", "sigmoid", "gelu"] as const;
export type ActivationId = (typeof ACTIVATIONS)[number];

/** Which loss curves the compare chart draws. */
export const CURVES = ["both", "train", "test"] as const;
export type CurvesId = (typeof CURVES)[number];

export interface RaceState {
  surface: SurfaceId;
  /** The start point, inside the surface's domain. */
  start: [number, number];
  /** The rule whose explanation and arrows are shown (any catalog id, racing or not). */
  selected: string;
  /** The rules that race, in catalog order. */
  racing: string[];
  /** Every catalog rule's hyperparameters, by id (kept for rules that do not race, too). */
  hyper: Record<string, HyperValues>;
}

export interface TrainState {
  dataset: DatasetId;
  noise: number;
  points: number;
  /** Hidden layer widths, input to output (an empty list is a linear model). */
  hidden: number[];
  activation: ActivationId;
  /** The catalog id of the rule that trains the network. */
  optimizer: string;
  /** That rule's hyperparameters. */
  hyper: HyperValues;
  batchSize: number;
  seed: number;
}

export interface CompareState {
  /** The rules compared, in catalog order. */
  rules: string[];
  /** Every catalog rule's hyperparameters, by id. */
  hyper: Record<string, HyperValues>;
  epochs: number;
  curves: CurvesId;
}

/** Everything a shared link reproduces. */
export interface LabState {
  tab: TabId;
  race: RaceState;
  train: TrainState;
  compare: CompareState;
}

/** A bounded number setting of the lab (not of a rule: those come from the catalog). */
export interface NumberSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

/** Why `value` is not a valid setting of `spec`, or null if it is. */
export function checkNumber(spec: NumberSpec, value: number): string | null {
  if (!Number.isFinite(value)) return `${spec.label} must be a finite number`;
  if (spec.integer && !Number.isInteger(value)) return `${spec.label} must be an integer`;
  if (value < spec.min || value > spec.max) return `${spec.label} must be in [${spec.min}, ${spec.max}]`;
  return null;
}

/** Bounds of the network and data settings. */
export const TRAIN_SPECS = {
  noise: { label: "noise", min: 0, max: 0.5 },
  points: { label: "points", min: 40, max: 1000, integer: true },
  batchSize: { label: "batch size", min: 1, max: 1000, integer: true },
  seed: { label: "seed", min: 0, max: 2 ** 32 - 1, integer: true },
  epochs: { label: "epochs", min: 1, max: 2000, integer: true },
  units: { label: "units per layer", min: 1, max: 32, integer: true },
} satisfies Record<string, NumberSpec>;

/** At most this many hidden layers. */
export const MAX_LAYERS = 4;

/**
 * Learning rates the lab starts the race with, per surface, where the catalog default would crawl:
 * chosen so that every classic rule makes visible progress in a few hundred steps without diverging
 * (see the race tests). Any other rule starts at its catalog default; the sliders change it.
 */
export const RACE_LRS: Record<SurfaceId, Readonly<Record<string, number>>> = {
  rosenbrock: { sgd: 0.001, momentum: 0.001, adagrad: 0.2, rmsprop: 0.02, adam: 0.1 },
  beale: { sgd: 0.005, momentum: 0.001, adagrad: 0.3, rmsprop: 0.01, adam: 0.05 },
  quadratic: { sgd: 0.035, momentum: 0.005, adagrad: 0.3, rmsprop: 0.02, adam: 0.1 },
  saddle: { sgd: 0.01, momentum: 0.002, adagrad: 0.1, rmsprop: 0.005, adam: 0.02 },
};

/** Learning rates the network tab starts each rule with (others: the catalog default). */
export const TRAIN_LRS: Readonly<Record<string, number>> = {
  sgd: 0.1,
  momentum: 0.03,
  adagrad: 0.1,
  rmsprop: 0.01,
  adam: 0.03,
  adamw: 0.03,
};

/** Learning rates the compare tab starts each rule with (others: the catalog default). */
export const COMPARE_LRS: Readonly<Record<string, number>> = {
  sgd: 0.1,
  momentum: 0.05,
  adagrad: 0.1,
  rmsprop: 0.01,
  adam: 0.01,
  adamw: 0.01,
};

/** The network tab's default rule. */
export const DEFAULT_TRAIN_RULE = "adam";

/** Defaults already built, per catalog and table of learning rates (copied out on each use). */
const defaultsCache = new WeakMap<Catalog, Map<object, Record<string, HyperValues>>>();

/** Every rule's default hyperparameters (a fresh copy), with the learning rates of `lrs` where it has one. */
function allValues(catalog: Catalog, lrs: Readonly<Record<string, number>>): Record<string, HyperValues> {
  let byTable = defaultsCache.get(catalog);
  if (byTable === undefined) {
    byTable = new Map();
    defaultsCache.set(catalog, byTable);
  }
  let built = byTable.get(lrs);
  if (built === undefined) {
    built = {};
    for (const e of catalog) built[e.id] = valuesFor(e, Object.hasOwn(lrs, e.id) ? { lr: lrs[e.id] } : {});
    byTable.set(lrs, built);
  }
  const out: Record<string, HyperValues> = {};
  for (const [id, values] of Object.entries(built)) out[id] = { ...values };
  return out;
}

/** The race's default hyperparameters of every rule on `surface`. */
export function raceDefaults(surface: SurfaceId, catalog: Catalog = CATALOG): Record<string, HyperValues> {
  return allValues(catalog, RACE_LRS[surface]);
}

/** The compare tab's default hyperparameters of every rule. */
export function compareDefaults(catalog: Catalog = CATALOG): Record<string, HyperValues> {
  return allValues(catalog, COMPARE_LRS);
}

/** The network tab's default hyperparameters of rule `id` (which must be in the catalog). */
export function trainDefaults(id: string, catalog: Catalog = CATALOG): HyperValues {
  const entry = findRule(catalog, id);
  if (entry === undefined) throw new RangeError(`trainDefaults: ${id} is not in the catalog`);
  return valuesFor(entry, Object.hasOwn(TRAIN_LRS, id) ? { lr: TRAIN_LRS[id] } : {});
}

/** The race on `surface` with its default start, the classic rules racing, all at their defaults. */
export function defaultRace(surface: SurfaceId = "rosenbrock", catalog: Catalog = CATALOG): RaceState {
  const s = getSurface(surface);
  const racing = classicRules(catalog);
  return {
    surface,
    start: [s.defaultStart[0], s.defaultStart[1]],
    selected: racing[racing.length - 1],
    racing,
    hyper: raceDefaults(surface, catalog),
  };
}

/** The state of a fresh page. */
export function defaultState(catalog: Catalog = CATALOG): LabState {
  const optimizer = findRule(catalog, DEFAULT_TRAIN_RULE) !== undefined ? DEFAULT_TRAIN_RULE : catalog[0].id;
  return {
    tab: "race",
    race: defaultRace("rosenbrock", catalog),
    train: {
      dataset: "spiral",
      noise: 0.05,
      points: 300,
      hidden: [16, 16],
      activation: "tanh",
      optimizer,
      hyper: trainDefaults(optimizer, catalog),
      batchSize: 32,
      seed: 1,
    },
    compare: { rules: classicRules(catalog), hyper: compareDefaults(catalog), epochs: 150, curves: "both" },
  };
}

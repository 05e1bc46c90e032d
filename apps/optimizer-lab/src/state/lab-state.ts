import type { DatasetId } from "../data/datasets.js";
import {
  DEFAULT_HYPER,
  type Hyper,
  type NumberSpec,
  type OptimizerId,
  RACERS,
  type RacerId,
} from "../optimizers/catalog.js";
import { getSurface, type SurfaceId } from "../surfaces/surfaces.js";

export const TABS = ["race", "train", "compare"] as const;
export type TabId = (typeof TABS)[number];

export const ACTIVATIONS = ["relu", "tanh", "sigmoid", "gelu"] as const;
export type ActivationId = (typeof ACTIVATIONS)[number];

/** One racer of the surface race: whether it runs, and its hyperparameters. */
export interface RacerSettings extends Hyper {
  enabled: boolean;
}

export interface RaceState {
  surface: SurfaceId;
  /** The start point, inside the surface's domain. */
  start: [number, number];
  /** The racer whose gradient, momentum and adaptive scale are drawn as arrows. */
  selected: RacerId;
  racers: Record<RacerId, RacerSettings>;
}

export interface TrainState extends Hyper {
  dataset: DatasetId;
  noise: number;
  points: number;
  /** Hidden layer widths, input to output (an empty list is a linear model). */
  hidden: number[];
  activation: ActivationId;
  optimizer: OptimizerId;
  batchSize: number;
  seed: number;
}

export interface CompareState {
  /** The learning rate of each of the five rules (their other options are the defaults). */
  lrs: Record<RacerId, number>;
  epochs: number;
}

/** Everything a shared link reproduces. */
export interface LabState {
  tab: TabId;
  race: RaceState;
  train: TrainState;
  compare: CompareState;
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
 * Per-surface default learning rates of the racers, chosen so that every rule makes visible progress
 * in a few hundred steps without diverging (see the race tests).
 */
export const RACE_LRS: Record<SurfaceId, Record<RacerId, number>> = {
  rosenbrock: { sgd: 0.001, momentum: 0.001, adagrad: 0.2, rmsprop: 0.02, adam: 0.1 },
  beale: { sgd: 0.005, momentum: 0.001, adagrad: 0.3, rmsprop: 0.01, adam: 0.05 },
  quadratic: { sgd: 0.035, momentum: 0.005, adagrad: 0.3, rmsprop: 0.02, adam: 0.1 },
  saddle: { sgd: 0.01, momentum: 0.002, adagrad: 0.1, rmsprop: 0.005, adam: 0.02 },
};

/** The racers of a surface with their default settings, all enabled. */
export function defaultRacers(surface: SurfaceId): Record<RacerId, RacerSettings> {
  const out = {} as Record<RacerId, RacerSettings>;
  for (const id of RACERS) out[id] = { ...DEFAULT_HYPER, lr: RACE_LRS[surface][id], enabled: true };
  return out;
}

export function defaultRace(surface: SurfaceId = "rosenbrock"): RaceState {
  const s = getSurface(surface);
  return {
    surface,
    start: [s.defaultStart[0], s.defaultStart[1]],
    selected: "adam",
    racers: defaultRacers(surface),
  };
}

export const DEFAULT_COMPARE_LRS: Record<RacerId, number> = {
  sgd: 0.1,
  momentum: 0.05,
  adagrad: 0.1,
  rmsprop: 0.01,
  adam: 0.01,
};

/** The state of a fresh page. */
export function defaultState(): LabState {
  return {
    tab: "race",
    race: defaultRace(),
    train: {
      ...DEFAULT_HYPER,
      dataset: "spiral",
      noise: 0.05,
      points: 300,
      hidden: [16, 16],
      activation: "tanh",
      optimizer: "adam",
      lr: 0.03,
      batchSize: 32,
      seed: 1,
    },
    compare: { lrs: { ...DEFAULT_COMPARE_LRS }, epochs: 150 },
  };
}

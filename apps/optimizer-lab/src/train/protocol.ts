import type { HyperValues } from "../optimizers/rules.js";
import type { EpochReport, NetConfig, TrainConfig } from "./trainer.js";

/** Side of the decision-boundary grid the worker sends. */
export const GRID_RES = 64;

/** One rule of a comparison: its catalog id and hyperparameters. */
export interface CompareRule {
  id: string;
  hyper: HyperValues;
}

/** Messages from the page to the training worker. */
export type ToWorker =
  /** Builds a fresh trainer (initial weights from the seed) and reports epoch 0; stays paused. */
  | { type: "reset"; config: TrainConfig }
  | { type: "play" }
  | { type: "pause" }
  /** New numeric hyperparameters for the running trainer: used from its next step on, nothing is reset. */
  | { type: "hyper"; hyper: HyperValues }
  /** Trains one network per rule from the same initial weights, `epochs` epochs each. */
  | { type: "compare"; config: NetConfig; rules: CompareRule[]; epochs: number }
  | { type: "stop" };

/** Messages from the training worker to the page. */
export type FromWorker =
  | { type: "epoch"; report: EpochReport; lr: number; grid: Float32Array | null }
  /** One epoch of every compared rule still training, by id. */
  | { type: "compare-epoch"; reports: Record<string, EpochReport> }
  /** A compared rule stopped (it could not be built, or its step threw); the others go on. */
  | { type: "compare-failed"; id: string; message: string }
  | { type: "compare-done" }
  | { type: "error"; message: string };

import type { Hyper, RacerId } from "../optimizers/catalog.js";
import type { EpochReport, TrainConfig } from "./trainer.js";

/** Side of the decision-boundary grid the worker sends. */
export const GRID_RES = 64;

/** Messages from the page to the training worker. */
export type ToWorker =
  /** Builds a fresh trainer (initial weights from the seed) and reports epoch 0; stays paused. */
  | { type: "reset"; config: TrainConfig }
  | { type: "play" }
  | { type: "pause" }
  /** New hyperparameters for the running trainer: used from its next step on, nothing is reset. */
  | { type: "hyper"; hyper: Hyper }
  /** Trains one network per rule from the same initial weights, `epochs` epochs each. */
  | { type: "compare"; config: TrainConfig; lrs: Record<RacerId, number>; epochs: number }
  | { type: "stop" };

/** Messages from the training worker to the page. */
export type FromWorker =
  | { type: "epoch"; report: EpochReport; lr: number; grid: Float32Array | null }
  | { type: "compare-epoch"; reports: Record<RacerId, EpochReport> }
  | { type: "compare-done" }
  | { type: "error"; message: string };

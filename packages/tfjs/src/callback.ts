import { type LRScheduler, ReduceLROnPlateau } from "@descent/optim";
import { show } from "./show.js";

/** When a scheduler steps during `model.fit`: after every batch, or after every epoch. */
export type ScheduleInterval = "batch" | "epoch";

/** Options of {@link schedulerCallback}. */
export interface SchedulerCallbackOptions {
  /**
   * For `ReduceLROnPlateau` (required for it): the log entry its `step(metric)` reads, e.g.
   * `"val_loss"` or `"loss"`.
   */
  monitor?: string;
}

/** A value of `fit`'s logs: a number, or a scalar tensor where TF.js has not resolved it yet. */
type LogValue = number | { dataSync(): ArrayLike<number> };

/**
 * A Keras-style callback for `model.fit` that steps a `@descent/optim` scheduler, and with it the
 * learning rate of a {@link DescentOptimizer}'s param groups. It has every method of TF.js's
 * `tf.Callback`, as own functions, so it works alone, in a list of callback objects, and after
 * TF.js callbacks such as `tf.callbacks.earlyStopping()`.
 */
export interface SchedulerCallback {
  /** The scheduler it steps. */
  readonly scheduler: LRScheduler | ReduceLROnPlateau;
  readonly every: ScheduleInterval;
  validationData: unknown;
  params: unknown;
  model: unknown;
  setParams(params: unknown): void;
  setModel(model: unknown): void;
  onTrainBegin(logs?: Record<string, LogValue>): Promise<void>;
  onTrainEnd(logs?: Record<string, LogValue>): Promise<void>;
  onEpochBegin(epoch: number, logs?: Record<string, LogValue>): Promise<void>;
  onEpochEnd(epoch: number, logs?: Record<string, LogValue>): Promise<void>;
  onBatchBegin(batch: number, logs?: Record<string, LogValue>): Promise<void>;
  onBatchEnd(batch: number, logs?: Record<string, LogValue>): Promise<void>;
}

/**
 * Steps `scheduler` after every batch or after every epoch of `model.fit`.
 *
 * Per batch suits schedules counted in optimizer steps (OneCycleLR's `totalSteps`, CyclicLR);
 * per epoch suits StepLR, CosineAnnealingLR over epochs, and ReduceLROnPlateau, which reads
 * `logs[monitor]` (e.g. `"val_loss"`: a missing entry is an error naming the keys there are).
 *
 * @example
 * const schedule = new OneCycleLR(optimizer, { maxLr: 0.01, totalSteps: epochs * batchesPerEpoch });
 * await model.fit(xs, ys, { epochs, batchSize, callbacks: [schedulerCallback(schedule, "batch")] });
 */
export function schedulerCallback(
  scheduler: LRScheduler | ReduceLROnPlateau,
  every: ScheduleInterval,
  { monitor }: SchedulerCallbackOptions = {},
): SchedulerCallback {
  if (typeof scheduler !== "object" || scheduler === null || typeof scheduler.step !== "function") {
    throw new TypeError(`schedulerCallback: expected a scheduler, got ${show(scheduler)}`);
  }
  if (every !== "batch" && every !== "epoch") {
    throw new RangeError(`schedulerCallback: every must be "batch" or "epoch", got ${show(every)}`);
  }
  const plateau = scheduler instanceof ReduceLROnPlateau;
  if (plateau && typeof monitor !== "string") {
    throw new TypeError(
      'schedulerCallback: ReduceLROnPlateau steps on a metric; say which with { monitor: "val_loss" } (or "loss")',
    );
  }
  const advance = (logs: Record<string, LogValue> | undefined) => {
    if (!plateau) {
      (scheduler as LRScheduler).step();
      return;
    }
    const value = logs?.[monitor as string];
    if (value === undefined) {
      throw new RangeError(
        `schedulerCallback: the logs have no ${show(monitor)} (they have: ${Object.keys(logs ?? {}).join(", ") || "nothing"}); ReduceLROnPlateau needs it`,
      );
    }
    const metric = typeof value === "number" ? value : Number(value.dataSync()[0]);
    (scheduler as ReduceLROnPlateau).step(metric);
  };
  const callback: SchedulerCallback = {
    scheduler,
    every,
    validationData: null,
    params: undefined,
    model: undefined,
    setParams: (params) => {
      callback.params = params;
    },
    setModel: (model) => {
      callback.model = model;
    },
    onTrainBegin: async () => {},
    onTrainEnd: async () => {},
    onEpochBegin: async () => {},
    onEpochEnd: async (_epoch, logs) => {
      if (every === "epoch") advance(logs);
    },
    onBatchBegin: async () => {},
    onBatchEnd: async (_batch, logs) => {
      if (every === "batch") advance(logs);
    },
  };
  return callback;
}

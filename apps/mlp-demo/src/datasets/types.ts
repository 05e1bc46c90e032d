/** One half of a data set: `n` samples of `inputDim` features, row-major. */
export interface Split {
  readonly n: number;
  /** Features, `n × inputDim`, row-major. */
  readonly x: Float64Array;
  /** Class index per sample (classification) or `n × outputDim` targets (regression). */
  readonly y: Float64Array;
}

/** A data set ready to train on: features scaled, split into train and test. */
export interface Dataset {
  readonly name: string;
  readonly task: "classification" | "regression";
  readonly inputDim: number;
  /** Number of classes (classification) or target width (regression): the network's output width. */
  readonly outputDim: number;
  readonly classNames?: readonly string[];
  readonly train: Split;
  readonly test: Split;
}

/** The random streams of a seed, one per purpose, so changing one use never shifts another. */
export const STREAM = { split: 1, synth: 2, batches: 3 } as const;

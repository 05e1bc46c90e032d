import { crossEntropy, MLP } from "@descent/nn";
import type { Optimizer } from "@descent/optim";
import { Generator, noGrad, type Tensor, tensor } from "@descent/tensor";
import { DATA_EXTENT, makeDataset, type Points, splitPoints } from "../data/datasets.js";
import { Random } from "../data/random.js";
import type { Hyper } from "../optimizers/catalog.js";
import { makeOptimizer, updateHyper } from "../optimizers/make.js";
import type { TrainState } from "../state/lab-state.js";

/** Loss and accuracy of the model on a point set. */
export interface Evaluation {
  loss: number;
  accuracy: number;
}

/** What one epoch produced. */
export interface EpochReport {
  epoch: number;
  train: Evaluation;
  test: Evaluation;
}

/** The settings a trainer is built from: the network tab's state (the URL's `TrainState`). */
export type TrainConfig = Pick<
  TrainState,
  "dataset" | "noise" | "points" | "hidden" | "activation" | "optimizer" | "batchSize" | "seed"
> &
  Hyper;

/**
 * Trains a 2 → hidden… → 2 MLP (`@descent/nn`) on a 2-D data set with cross-entropy loss and an
 * `@descent/optim` rule. Everything follows from the config: the data (seed stream 1), the split
 * (stream 2), the batch order (stream 3) and the initial weights (`@descent/tensor`'s `Generator`
 * seeded with `seed`), so two trainers with the same config train bit-identically, and trainers that
 * differ only in the optimizer start from the same weights.
 *
 * An epoch is one pass over the shuffled training split in mini-batches of `batchSize` (the last one
 * smaller), one optimizer step per batch; then the full train and test splits are evaluated.
 */
export class Trainer {
  readonly model: MLP;
  readonly opt: Optimizer;
  readonly train: Points;
  readonly test: Points;
  epoch = 0;
  private readonly trainX: Tensor;
  private readonly testX: Tensor;
  private readonly order: Random;

  constructor(readonly config: TrainConfig) {
    const all = makeDataset(config.dataset, { count: config.points, noise: config.noise, seed: config.seed });
    const { train, test } = splitPoints(all, config.seed);
    this.train = train;
    this.test = test;
    this.trainX = tensor(train.x, { dtype: "float64" }).reshape([train.labels.length, 2]);
    this.testX = tensor(test.x, { dtype: "float64" }).reshape([test.labels.length, 2]);
    this.model = new MLP([2, ...config.hidden, 2], {
      activation: config.activation,
      dtype: "float64",
      generator: new Generator(config.seed),
    });
    this.opt = makeOptimizer(config.optimizer, this.model.parameters(), config);
    this.order = new Random(config.seed, 3);
  }

  /** Changes the optimizer's hyperparameters; the next step uses them (no reset, state kept). */
  setHyper(h: Hyper): void {
    updateHyper(this.opt, this.config.optimizer, h);
  }

  /** The current learning rate (of the first param group). */
  get lr(): number {
    return this.opt.paramGroups[0].lr;
  }

  /** One epoch of mini-batch training, then the evaluation of both splits. */
  trainEpoch(): EpochReport {
    const n = this.train.labels.length;
    const batch = Math.min(this.config.batchSize, n);
    const idx = this.order.shuffle(Array.from({ length: n }, (_, i) => i));
    for (let start = 0; start < n; start += batch) {
      const rows = idx.slice(start, start + batch);
      const labels = rows.map((i) => this.train.labels[i]);
      this.opt.zeroGrad();
      const loss = crossEntropy(this.model.forward(this.trainX.rows(rows)), labels);
      loss.backward();
      this.opt.step();
    }
    this.epoch++;
    return { epoch: this.epoch, train: this.evaluate("train"), test: this.evaluate("test") };
  }

  /** Mean cross-entropy and accuracy on a split (no graph recorded). */
  evaluate(split: "train" | "test"): Evaluation {
    const x = split === "train" ? this.trainX : this.testX;
    const labels = split === "train" ? this.train.labels : this.test.labels;
    return noGrad(() => {
      const logits = this.model.forward(x);
      const loss = crossEntropy(logits, labels).item();
      const pred = logits.argmax(1).data;
      let right = 0;
      for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) right++;
      return { loss, accuracy: labels.length === 0 ? 0 : right / labels.length };
    });
  }

  /**
   * The model's probability of class 1 on a `res` × `res` grid over [−DATA_EXTENT, DATA_EXTENT]²,
   * row-major from the top row (y = +extent) down, each value at its cell's centre.
   */
  probabilityGrid(res: number): Float32Array {
    const pts = new Float64Array(2 * res * res);
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        const k = 2 * (r * res + c);
        pts[k] = -DATA_EXTENT + ((c + 0.5) * 2 * DATA_EXTENT) / res;
        pts[k + 1] = DATA_EXTENT - ((r + 0.5) * 2 * DATA_EXTENT) / res;
      }
    }
    return noGrad(() => {
      const p = this.model.forward(tensor(pts, { dtype: "float64" }).reshape([res * res, 2])).softmax(1).data;
      const out = new Float32Array(res * res);
      for (let i = 0; i < res * res; i++) out[i] = p[2 * i + 1];
      return out;
    });
  }
}

import { crossEntropy, MLP } from "@descent/nn";
import type { Optimizer, OptimizerEntry } from "@descent/optim";
import { Generator, noGrad, type Tensor, tensor } from "@descent/tensor";
import { DATA_EXTENT, makeDataset, type Points, splitPoints } from "../data/datasets.js";
import { Random } from "../data/random.js";
import { makeOptimizer, retune } from "../optimizers/make.js";
import { CATALOG, type Catalog, getRule, type HyperValues } from "../optimizers/rules.js";
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

/** The data, network, batches and seed: everything a trainer is built from but the rule. */
export type NetConfig = Pick<
  TrainState,
  "dataset" | "noise" | "points" | "hidden" | "activation" | "batchSize" | "seed"
>;

/**
 * The settings a trainer is built from: the network tab's state (the URL's `TrainState`): the
 * network, and the catalog id of the rule with its hyperparameters.
 */
export type TrainConfig = NetConfig & Pick<TrainState, "optimizer" | "hyper">;

/**
 * Trains a 2 → hidden… → 2 MLP (`@descent/nn`) on a 2-D data set with cross-entropy loss and an
 * `@descent/optim` rule. Everything follows from the config: the data (seed stream 1), the split
 * (stream 2), the batch order (stream 3) and the initial weights (`@descent/tensor`'s `Generator`
 * seeded with `seed`), so two trainers with the same config train bit-identically, and trainers that
 * differ only in the optimizer start from the same weights.
 *
 * An epoch is one pass over the shuffled training split in mini-batches of `batchSize` (the last one
 * smaller), one optimizer step per batch; then the full train and test splits are evaluated. A rule
 * that needs a closure gets one that re-evaluates the current batch.
 */
export class Trainer {
  readonly model: MLP;
  readonly entry: OptimizerEntry;
  readonly opt: Optimizer;
  readonly train: Points;
  readonly test: Points;
  epoch = 0;
  private readonly trainX: Tensor;
  private readonly testX: Tensor;
  private readonly order: Random;

  /** @param catalog where `config.optimizer` is looked up (the package's catalog by default). */
  constructor(
    readonly config: TrainConfig,
    catalog: Catalog = CATALOG,
  ) {
    this.entry = getRule(catalog, config.optimizer);
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
    this.opt = makeOptimizer(this.entry, this.model.parameters(), config.hyper);
    this.order = new Random(config.seed, 3);
  }

  /**
   * Changes the rule's numeric hyperparameters; the next step uses them (no reset, state kept).
   * On/off and named options are ignored here: changing one means a new trainer.
   */
  setHyper(values: Readonly<HyperValues>): void {
    retune(this.opt, this.entry, values);
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
      const x = this.trainX.rows(rows);
      const evaluate = (): number => {
        this.opt.zeroGrad();
        const loss = crossEntropy(this.model.forward(x), labels);
        loss.backward();
        return loss.item();
      };
      // A rule that needs a closure (L-BFGS) evaluates the batch's loss and gradient itself.
      if (this.entry.needsClosure === true) {
        this.opt.step(evaluate);
      } else {
        evaluate();
        this.opt.step();
      }
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

import type { LRScheduler } from "@descent/optim";
import { clipGradNorm, NonFiniteGradientError } from "@descent/optim";
import { crossEntropy, mseLoss, noGrad, Tensor } from "@descent/tensor";
import type { OptimizerName } from "./args.js";
import { batchCount, gatherBatch } from "./batches.js";
import type { RunConfig } from "./config.js";
import type { Dataset, Split } from "./datasets/index.js";
import { STREAM } from "./datasets/types.js";
import { type Divergence, DivergenceError, type DivergenceReason, explodeLimit } from "./divergence.js";
import { buildModel, type Model } from "./model.js";
import { buildOptimizer, hasModes, type RulePart, type TrainingOptimizer } from "./optimizers.js";
import { Random } from "./random.js";
import type { EpochRecord } from "./record.js";
import { makeScheduler } from "./schedules.js";

/** Batch losses averaged for the steps-to-threshold measure (a sliding window). */
export const THRESHOLD_WINDOW = 20;

/** What to add to the hint of diverged rules that step with a closure: they are made for full batches. */
export function fullBatchHint(names: readonly string[]): string {
  if (names.length === 0) return "";
  return `; ${names.join(", ")} re-evaluate${names.length === 1 ? "s" : ""} the loss within a step and ${names.length === 1 ? "is" : "are"} made for full-batch training: --batch-size at least the training set's size`;
}

/** Rows per forward pass when evaluating (keeps temporaries small). */
const EVAL_CHUNK = 1000;

/** What the progress bar gets after each batch. */
export interface BatchProgress {
  readonly epoch: number;
  readonly seen: number;
  readonly loss: number;
  readonly accuracy: number | null;
}

/**
 * One training run: a model, an optimizer, a schedule and a batch order, all seeded from the
 * config, advanced one epoch at a time. Two trainers built from the same config, data set and
 * optimizer are bit-identical, and `compare` relies on that: every optimizer starts from the same
 * weights and sees the same batches.
 *
 * Per batch: forward, loss (cross-entropy for classes, MSE for regression), `zeroGrad`,
 * `backward`, optional `clipGradNorm`, `optimizer.step()`, `scheduler.step()`. A rule that needs
 * a closure (L-BFGS) gets `step(closure)` instead, where the closure does all of that but the
 * step on the same batch and returns its loss; the rule calls it as often as it needs (L-BFGS:
 * up to `maxIter` iterations per step, each one evaluation or more). The batch's loss, accuracy
 * and divergence checks are those of the first call, at the parameters the step starts from, as
 * for the other rules.
 *
 * An optimizer with training and evaluation modes (`train()` / `eval()`, as Schedule-Free's) is
 * put in training mode before the epoch's steps and in evaluation mode before the test set is
 * evaluated, and stays there: the weights that are evaluated, saved in a checkpoint and shown in
 * the decision boundaries are the evaluation point.
 */
export class Trainer {
  readonly model: Model;
  readonly optimizer: TrainingOptimizer;
  /** The rules of the optimizer and their values: one, or a rule and its partner (see `buildOptimizer`). */
  readonly parts: readonly RulePart[];
  readonly scheduler: LRScheduler | null;
  /** The batch-order stream (its state is part of a checkpoint). */
  readonly batchRng: Random;
  readonly stepsPerEpoch: number;
  /** Completed epochs. */
  epoch = 0;
  /** Optimizer steps taken. */
  steps = 0;
  readonly history: EpochRecord[] = [];
  /** First step at which the windowed mean batch loss fell below the threshold; null: not yet. */
  stepsToThreshold: number | null = null;
  /** The last `THRESHOLD_WINDOW` batch losses. */
  lossWindow: number[] = [];
  /** The loss of the run's first batch: it sets the divergence limit (`explodeLimit`). */
  initialLoss: number | null = null;

  constructor(
    readonly ds: Dataset,
    readonly cfg: RunConfig,
    readonly optimizerName: OptimizerName,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.model = buildModel(ds, cfg);
    const built = buildOptimizer(optimizerName, this.model.parameters(), cfg);
    this.optimizer = built.optimizer;
    this.parts = built.parts;
    this.stepsPerEpoch = batchCount(ds.train.n, cfg.batchSize);
    this.scheduler = makeScheduler(cfg.schedule, this.optimizer, cfg.epochs * this.stepsPerEpoch);
    this.batchRng = new Random(cfg.seed, STREAM.batches);
  }

  /** The current learning rate (of the first param group). */
  get lr(): number {
    return this.optimizer.paramGroups[0].lr;
  }

  /** The learning rate the run was configured with (the schedule's peak), of the rule. */
  get baseLr(): number {
    const lr = this.parts[0].values.lr;
    return typeof lr === "number" ? lr : Number.NaN;
  }

  /** True when the rule steps with a closure (L-BFGS). */
  get needsClosure(): boolean {
    return this.parts[0].entry.needsClosure === true;
  }

  /** Puts an optimizer with modes into training (true) or evaluation mode; returns the previous one. */
  private setMode(train: boolean): boolean | undefined {
    const opt = this.optimizer;
    if (!hasModes(opt)) return undefined;
    const before = opt.trainMode;
    if (train) opt.train();
    else opt.eval();
    return before;
  }

  /** Trains one epoch, evaluates on the test set, appends and returns the epoch's record. */
  runEpoch(onBatch?: (p: BatchProgress) => void): EpochRecord {
    const t0 = this.now();
    const { ds, cfg } = this;
    const epoch = this.epoch + 1;
    const n = ds.train.n;
    const order = this.batchRng.permutation(n);
    const classify = ds.task === "classification";
    const params = this.model.parameters();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    this.model.train();
    this.setMode(true);
    for (let b = 0; b < this.stepsPerEpoch; b++) {
      const start = b * cfg.batchSize;
      const end = Math.min(n, start + cfg.batchSize);
      const batch = gatherBatch(ds.train, ds.inputDim, order, start, end);
      const m = end - start;
      const x = new Tensor(batch.x, [m, ds.inputDim]);
      const target = classify ? null : new Tensor(Float32Array.from(batch.y), [m, 1]);
      // The batch's loss at the current parameters, its gradients, and the checks of the first one.
      let first: { value: number; out: Tensor } | null = null;
      const evaluate = (): number => {
        const out = this.model.forward(x);
        const loss = target === null ? crossEntropy(out, batch.y) : mseLoss(out, target);
        const value = loss.data[0];
        if (first === null) {
          if (!Number.isFinite(value)) throw this.divergence("non-finite loss", value, epoch, b);
          this.initialLoss ??= value;
          if (value > explodeLimit(this.initialLoss))
            throw this.divergence("exploding loss", value, epoch, b);
          first = { value, out };
        }
        this.optimizer.zeroGrad();
        loss.backward();
        if (cfg.clip !== undefined) clipGradNorm(params, cfg.clip);
        return value;
      };
      try {
        if (this.needsClosure) this.optimizer.step(evaluate);
        else {
          evaluate();
          this.optimizer.step();
        }
      } catch (e) {
        // The optimizer refuses NaN/±Infinity gradients (its default policy); other errors are bugs.
        if (e instanceof NonFiniteGradientError)
          throw this.divergence("non-finite gradient", Number.NaN, epoch, b);
        throw e;
      }
      this.scheduler?.step();
      this.steps++;
      const { value, out } = first as unknown as { value: number; out: Tensor };
      lossSum += value * m;
      if (classify) correct += countCorrect(out.data, batch.y, ds.outputDim);
      seen += m;
      this.trackThreshold(value);
      onBatch?.({ epoch, seen, loss: lossSum / seen, accuracy: classify ? correct / seen : null });
    }
    // Evaluation mode from here on: the test set, a checkpoint and the reports see the same weights.
    this.setMode(false);
    const test = this.evaluate(ds.test);
    if (!Number.isFinite(test.loss)) {
      throw this.divergence("non-finite test loss", test.loss, epoch, this.stepsPerEpoch - 1, 0);
    }
    this.epoch = epoch;
    const record: EpochRecord = {
      epoch,
      epochs: cfg.epochs,
      optimizer: this.optimizerName,
      lr: this.lr,
      steps: this.steps,
      trainLoss: lossSum / seen,
      trainAccuracy: classify ? correct / seen : null,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      seconds: (this.now() - t0) / 1000,
    };
    this.history.push(record);
    return record;
  }

  private trackThreshold(loss: number): void {
    this.lossWindow.push(loss);
    if (this.lossWindow.length > THRESHOLD_WINDOW) this.lossWindow.shift();
    if (this.stepsToThreshold !== null) return;
    const w = Math.min(THRESHOLD_WINDOW, this.stepsPerEpoch);
    if (this.lossWindow.length < w) return;
    let s = 0;
    for (let i = this.lossWindow.length - w; i < this.lossWindow.length; i++) s += this.lossWindow[i];
    if (s / w < this.cfg.threshold) this.stepsToThreshold = this.steps;
  }

  /** The error that stops a diverged run; `stepOffset` 1: the step about to be taken. */
  private divergence(
    reason: DivergenceReason,
    loss: number,
    epoch: number,
    batch: number,
    stepOffset = 1,
  ): DivergenceError {
    const d: Divergence = {
      optimizer: this.optimizerName,
      reason,
      epoch,
      batch: batch + 1,
      batches: this.stepsPerEpoch,
      step: this.steps + stepOffset,
      loss,
      initialLoss: this.initialLoss,
      limit: this.initialLoss === null ? null : explodeLimit(this.initialLoss),
    };
    const lr = this.baseLr;
    return new DivergenceError(
      d,
      `lower the learning rate (--lr, now ${lr}${this.cfg.lr === undefined ? ", the default" : ""}), or clip gradients (--clip 1)${fullBatchHint(this.needsClosure ? [this.parts[0].entry.name] : [])}`,
    );
  }

  /** Mean loss and accuracy over a split, without recording a graph, in evaluation mode. */
  evaluate(split: Split): { loss: number; accuracy: number | null } {
    const { ds } = this;
    const classify = ds.task === "classification";
    const mode = this.setMode(false);
    this.model.eval();
    let lossSum = 0;
    let correct = 0;
    noGrad(() => {
      const all = new Int32Array(split.n);
      for (let i = 0; i < split.n; i++) all[i] = i;
      for (let start = 0; start < split.n; start += EVAL_CHUNK) {
        const end = Math.min(split.n, start + EVAL_CHUNK);
        const m = end - start;
        const batch = gatherBatch(split, ds.inputDim, all, start, end);
        const out = this.model.forward(new Tensor(batch.x, [m, ds.inputDim]));
        const loss = classify
          ? crossEntropy(out, batch.y, { reduction: "sum" })
          : mseLoss(out, new Tensor(Float32Array.from(batch.y), [m, 1]), { reduction: "sum" });
        lossSum += loss.data[0];
        if (classify) correct += countCorrect(out.data, batch.y, ds.outputDim);
      }
    });
    this.model.train();
    if (mode) this.setMode(true);
    return { loss: lossSum / split.n, accuracy: classify ? correct / split.n : null };
  }

  /** Predicted class of each of `m` points (`x`: m × inputDim). */
  predict(x: Float32Array, m: number): Int32Array {
    const out = new Int32Array(m);
    const mode = this.setMode(false);
    this.model.eval();
    noGrad(() => {
      const logits = this.model.forward(new Tensor(x, [m, this.ds.inputDim])).data;
      const k = this.ds.outputDim;
      for (let i = 0; i < m; i++) out[i] = argmaxRow(logits, i, k);
    });
    this.model.train();
    if (mode) this.setMode(true);
    return out;
  }
}

/** Index of the largest of row `i` of a row-major `[*, k]` matrix (first one on ties, like torch.argmax). */
export function argmaxRow(a: ArrayLike<number>, i: number, k: number): number {
  let best = 0;
  let bv = a[i * k];
  for (let j = 1; j < k; j++) {
    if (a[i * k + j] > bv) {
      bv = a[i * k + j];
      best = j;
    }
  }
  return best;
}

/** How many rows' argmax equals their label. */
export function countCorrect(logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  let c = 0;
  for (let i = 0; i < labels.length; i++) if (argmaxRow(logits, i, k) === labels[i]) c++;
  return c;
}

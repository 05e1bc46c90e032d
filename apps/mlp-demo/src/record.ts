import { type Divergence, divergenceJson } from "./divergence.js";
import { formatLoss } from "./format.js";
import { formatDuration, formatRate, type Timing } from "./progress.js";

/**
 * What one epoch of training reports: the `--json` line format (one JSON object per line, one line
 * per epoch) and the data behind the text output, the charts and the table.
 */
export interface EpochRecord {
  /** 1-based epoch number. */
  readonly epoch: number;
  readonly epochs: number;
  readonly optimizer: string;
  /** Learning rate of the last step of the epoch (after the schedule). */
  readonly lr: number;
  /** Optimizer steps taken so far, over all epochs. */
  readonly steps: number;
  /** Mean training loss over the epoch's batches (weighted by batch size). */
  readonly trainLoss: number;
  /** Fraction of training samples classified right during the epoch (0..1); null for regression. */
  readonly trainAccuracy: number | null;
  /** Mean loss over the whole test set, after the epoch. */
  readonly testLoss: number;
  /** Fraction of the test set classified right (0..1); null for regression. */
  readonly testAccuracy: number | null;
  /** Wall time of this epoch, in seconds (training and evaluation). */
  readonly seconds: number;
}

/** The `--json` line of an epoch: a single line of JSON, keys in a fixed order. */
export function jsonLine(r: EpochRecord): string {
  return `${JSON.stringify({
    epoch: r.epoch,
    epochs: r.epochs,
    optimizer: r.optimizer,
    lr: r.lr,
    steps: r.steps,
    trainLoss: finiteOrNull(r.trainLoss),
    trainAccuracy: r.trainAccuracy,
    testLoss: finiteOrNull(r.testLoss),
    testAccuracy: r.testAccuracy,
    seconds: Number(r.seconds.toFixed(4)),
  })}\n`;
}

/** JSON has no NaN or Infinity: they become null (the run stops on them anyway). */
function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * The text line of an epoch:
 * `epoch  3/12  train loss 0.1234  test loss 0.2345  test acc 93.10%  lr 0.00100  step 75/300  4.2s  812 samples/s  ETA 0:13`.
 * Losses in {@link formatLoss}'s format; speed and ETA only when `timing` is given.
 */
export function textLine(r: EpochRecord, totalSteps: number, timing?: Timing): string {
  const w = String(r.epochs).length;
  const acc = r.testAccuracy === null ? "" : `  test acc ${(100 * r.testAccuracy).toFixed(2)}%`;
  const speed = timing
    ? `  ${formatRate(timing.samplesPerSecond)} samples/s  ETA ${formatDuration(timing.etaSeconds)}`
    : "";
  return (
    `epoch ${String(r.epoch).padStart(w)}/${r.epochs}  train loss ${formatLoss(r.trainLoss)}  test loss ${formatLoss(r.testLoss)}${acc}` +
    `  lr ${r.lr.toPrecision(3)}  step ${String(r.steps).padStart(String(totalSteps).length)}/${totalSteps}  ${r.seconds.toFixed(1)}s${speed}\n`
  );
}

/**
 * The `--json` line of a diverged run: `{"optimizer":"sgd","epoch":1,"epochs":3,"diverged":{...}}`
 * with the fields of `divergenceJson` (reason, step, loss, limit, message, ...).
 */
export function divergenceLine(d: Divergence, epochs: number): string {
  return `${JSON.stringify({ optimizer: d.optimizer, epoch: d.epoch, epochs, diverged: divergenceJson(d) })}\n`;
}

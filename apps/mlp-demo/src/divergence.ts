import { RunError } from "./errors.js";
import { formatLoss } from "./format.js";

/**
 * When a run counts as diverged, checked on every batch before the optimizer steps:
 *
 * - a batch loss that is NaN or ±Infinity, or a gradient that is (the optimizer refuses it);
 * - a batch loss above `EXPLODE_FACTOR × max(first batch loss, 1)`: with the default factor 1000
 *   that is 1000 for a 2-class start (loss ln 2 ≈ 0.69), 2303 for mnist (ln 10 ≈ 2.30). A loss
 *   that grew a thousandfold is not coming back; the run would otherwise crawl on at 1e12;
 * - a test loss that is NaN or ±Infinity after an epoch.
 *
 * The first condition met stops the run.
 */
export const EXPLODE_FACTOR = 1000;

/** The first batch loss counts as at least this much, so a near-zero start does not make the limit tiny. */
export const EXPLODE_FLOOR = 1;

/** The largest batch loss a run may reach, given its first batch loss. */
export function explodeLimit(initialLoss: number): number {
  return EXPLODE_FACTOR * Math.max(initialLoss, EXPLODE_FLOOR);
}

export type DivergenceReason =
  | "non-finite loss"
  | "non-finite gradient"
  | "exploding loss"
  | "non-finite test loss";

/** Where and how a run diverged. */
export interface Divergence {
  readonly optimizer: string;
  readonly reason: DivergenceReason;
  /** The epoch (1-based) and its batch (1-based, of `batches`) at which the run stopped. */
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  /** The optimizer step that was not taken (steps taken so far + 1); for the test loss, the steps taken. */
  readonly step: number;
  /** The offending loss (NaN for a non-finite gradient). */
  readonly loss: number;
  /** The run's first batch loss, and the limit it sets (`explodeLimit`); null before the first batch. */
  readonly initialLoss: number | null;
  readonly limit: number | null;
}

/** What happened, in words: "the loss reached 2.470e+12 at step 7 (epoch 1, batch 7 of 25), above ...". */
export function describeDivergence(d: Divergence): string {
  const where = `at step ${d.step} (epoch ${d.epoch}, batch ${d.batch} of ${d.batches})`;
  switch (d.reason) {
    case "non-finite loss":
      return `the loss became ${d.loss} ${where}`;
    case "non-finite gradient":
      return `a gradient became NaN or infinite ${where}`;
    case "exploding loss":
      return (
        `the loss reached ${formatLoss(d.loss)} ${where}, above the limit ${formatLoss(d.limit ?? Number.NaN)} ` +
        `(${EXPLODE_FACTOR} × the first batch's loss ${formatLoss(d.initialLoss ?? Number.NaN)}, at least ${EXPLODE_FACTOR * EXPLODE_FLOOR})`
      );
    case "non-finite test loss":
      return `the test loss became ${d.loss} after epoch ${d.epoch} (step ${d.step})`;
  }
}

/** The divergence as plain JSON (a non-finite loss is null, with its text in `lossText`). */
export function divergenceJson(d: Divergence): Record<string, unknown> {
  return {
    reason: d.reason,
    epoch: d.epoch,
    batch: d.batch,
    batches: d.batches,
    step: d.step,
    loss: Number.isFinite(d.loss) ? d.loss : null,
    lossText: formatLoss(d.loss),
    initialLoss: d.initialLoss,
    limit: d.limit,
    message: describeDivergence(d),
  };
}

/** A run stopped because it diverged; `hint` says what to try. */
export class DivergenceError extends RunError {
  override name = "DivergenceError";
  constructor(
    readonly divergence: Divergence,
    readonly hint: string,
  ) {
    super(`${divergence.optimizer}: ${describeDivergence(divergence)}; training stopped.\nhint: ${hint}`);
  }

  /** The step that was not taken (as the former `step` property of the error). */
  get step(): number {
    return this.divergence.step;
  }
}

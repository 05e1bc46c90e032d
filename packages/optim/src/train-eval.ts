/**
 * An optimizer whose parameters sit at different points for training and for evaluation, and which
 * must be told which one is wanted (Schedule-Free: gradients are taken at an interpolation y, while
 * the point to evaluate, and to save, is the average x). Call {@link train} before training steps and
 * {@link eval} before evaluating the model or saving a checkpoint, where a PyTorch program calls
 * `model.train()` and `model.eval()`.
 *
 * @example
 * ```ts
 * if (hasTrainEvalModes(opt)) opt.train();
 * for (const batch of batches) { ...; opt.step(); }
 * if (hasTrainEvalModes(opt)) opt.eval();
 * const testLoss = evaluate(model);
 * ```
 */
export interface TrainEvalOptimizer {
  /** Moves the parameters to the training point; does nothing if already in training mode. */
  train(): void;
  /** Moves the parameters to the evaluation point; does nothing if already in evaluation mode. */
  eval(): void;
  /** True in training mode (after {@link train}), false in evaluation mode. */
  readonly trainMode: boolean;
}

/** Whether `opt` has training and evaluation modes ({@link TrainEvalOptimizer}). */
export function hasTrainEvalModes(opt: unknown): opt is TrainEvalOptimizer {
  if (typeof opt !== "object" || opt === null) return false;
  const o = opt as Partial<Record<keyof TrainEvalOptimizer, unknown>>;
  return typeof o.train === "function" && typeof o.eval === "function" && typeof o.trainMode === "boolean";
}

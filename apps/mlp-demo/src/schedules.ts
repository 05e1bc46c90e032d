import { CosineAnnealingLR, type LRScheduler, OneCycleLR, type Optimizer, StepLR } from "@descent/optim";
import type { OptimizerName, ScheduleName } from "./args.js";

/**
 * The learning-rate schedule of a run, stepped after every batch (`totalSteps` steps in all):
 *
 * - none: constant lr.
 * - step: StepLR, lr × 0.5 after each third of the run (step size ⌈totalSteps / 3⌉).
 * - cosine: CosineAnnealingLR from lr down to 0 over the run (T_max = totalSteps).
 * - onecycle: OneCycleLR with the lr as its peak (`maxLr`), PyTorch's defaults otherwise
 *   (30 % warm-up, cosine annealing, start lr/25, end lr/25e4); the momentum (β1 for Adam/AdamW)
 *   cycles between 0.85 and 0.95 only for optimizers with momentum: momentum, adam, adamw.
 *
 * Returns null for "none".
 */
export function makeScheduler(
  schedule: ScheduleName,
  optimizer: Optimizer,
  optimizerName: OptimizerName,
  lr: number,
  totalSteps: number,
): LRScheduler | null {
  switch (schedule) {
    case "none":
      return null;
    case "step":
      return new StepLR(optimizer, { stepSize: Math.max(1, Math.ceil(totalSteps / 3)), gamma: 0.5 });
    case "cosine":
      return new CosineAnnealingLR(optimizer, { tMax: totalSteps });
    case "onecycle":
      return new OneCycleLR(optimizer, {
        maxLr: lr,
        totalSteps,
        cycleMomentum: optimizerName === "momentum" || optimizerName === "adam" || optimizerName === "adamw",
      });
  }
}

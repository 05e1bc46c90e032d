import { CosineAnnealingLR, type LRScheduler, OneCycleLR, StepLR } from "@descent/optim";
import type { ScheduleName } from "./args.js";
import type { TrainingOptimizer } from "./optimizers.js";

/**
 * What one-cycle cycles besides the lr: `betas[0]` (Adam and the rules with a pair of betas),
 * `momentum` (the rules whose momentum is on), or nothing. Read from the param groups, so it is the
 * same for every rule with the same options; a rule paired with another (groups of two kinds)
 * cycles nothing but the lr.
 */
export function cycledMomentum(
  optimizer: Pick<TrainingOptimizer, "paramGroups">,
): "betas" | "momentum" | null {
  const groups = optimizer.paramGroups as readonly Record<string, unknown>[];
  const pair = (g: Record<string, unknown>) => Array.isArray(g.betas) && g.betas.length === 2;
  const moving = (g: Record<string, unknown>) => typeof g.momentum === "number" && g.momentum > 0;
  if (groups.every(pair)) return "betas";
  if (groups.every((g) => moving(g) && !("betas" in g))) return "momentum";
  return null;
}

/**
 * The learning-rate schedule of a run, stepped after every batch (`totalSteps` steps in all),
 * starting from the lr each param group was built with:
 *
 * - none: constant lr.
 * - step: StepLR, lr × 0.5 after each third of the run (step size ⌈totalSteps / 3⌉).
 * - cosine: CosineAnnealingLR from lr down to 0 over the run (T_max = totalSteps).
 * - onecycle: OneCycleLR with each group's lr as its peak (`maxLr`), PyTorch's defaults otherwise
 *   (30 % warm-up, cosine annealing, start lr/25, end lr/25e4); the momentum (β1 for the rules with
 *   a pair of betas) cycles between 0.85 and 0.95 for the rules that have one on
 *   ({@link cycledMomentum}).
 *
 * Returns null for "none".
 */
export function makeScheduler(
  schedule: ScheduleName,
  optimizer: TrainingOptimizer,
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
        maxLr: optimizer.paramGroups.map((g) => g.lr),
        totalSteps,
        cycleMomentum: cycledMomentum(optimizer) !== null,
      });
  }
}

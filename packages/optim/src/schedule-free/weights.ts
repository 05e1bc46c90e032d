import { pythonPow } from "./pow.js";

/** The options of a Schedule-Free group that decide its step size and its averaging weights. */
export interface ScheduleFreeWeightOptions {
  /** The learning rate γ written in the group. */
  readonly lr: number;
  /** Linear warmup over this many steps (0: none). */
  readonly warmupSteps: number;
  /** Power r of the polynomial weighting `t^r`. */
  readonly r: number;
  /** Power of the largest lr so far in the weights. */
  readonly weightLrPower: number;
}

/** What one Schedule-Free step derives from its group's counters and options. */
export interface ScheduleFreeWeights {
  /** γ_t = lr · min(1, t / warmupSteps): this step's lr (the reference's `scheduled_lr`). */
  readonly lr: number;
  /** max(γ_t, previous lrMax): the largest lr so far (`lr_max`). */
  readonly lrMax: number;
  /** w_t = t^r · lrMax^weightLrPower: this step's weight in the average x. */
  readonly weight: number;
  /** Σ w_i up to this step (`weight_sum`). */
  readonly weightSum: number;
  /** c_t = w_t / Σ w_i (0 while the sum is 0): how far x moves towards z (`ckp1`). */
  readonly ckp1: number;
}

/**
 * The step size and averaging weight of Schedule-Free step t = k + 1, as the reference
 * (`facebookresearch/schedule_free`, `AdamWScheduleFree.step` and `SGDScheduleFree.step`) computes
 * them in Python floats, in its order:
 *
 *     sched   = (k + 1) / warmupSteps  if k < warmupSteps,  else 1
 *     γ_t     = lr · sched
 *     lrMax   ← max(γ_t, lrMax)                      (lrMax starts at −1)
 *     w_t     = (k + 1)^r · lrMax^weightLrPower
 *     Σw      ← Σw + w_t                             (starts at 0)
 *     c_t     = w_t / Σw,  or 0 if Σw = 0            (Python's ZeroDivisionError branch)
 *
 * Powers with integer exponents are correctly rounded, as Python's (C's `pow`) nearly always are
 * (see `pythonPow`).
 *
 * @param k the steps the group has taken before this one (the reference's `k`).
 * @param lrMax the group's `lrMax` before this step.
 * @param weightSum the group's `weightSum` before this step.
 */
export function scheduleFreeWeights(
  k: number,
  h: ScheduleFreeWeightOptions,
  lrMax: number,
  weightSum: number,
): ScheduleFreeWeights {
  const sched = k < h.warmupSteps ? (k + 1) / h.warmupSteps : 1;
  const lr = h.lr * sched;
  const max = Math.max(lr, lrMax);
  const weight = pythonPow(k + 1, h.r) * pythonPow(max, h.weightLrPower);
  const sum = weightSum + weight;
  const ckp1 = sum === 0 ? 0 : weight / sum;
  return { lr, lrMax: max, weight, weightSum: sum, ckp1 };
}

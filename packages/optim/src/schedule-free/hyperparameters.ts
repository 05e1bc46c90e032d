import type { NumberHyperparameter, RuleReference } from "../catalog-entry.js";
import { BETA1, L2_WEIGHT_DECAY } from "../hyperparameters.js";

// Catalog descriptions of the Schedule-Free options both rules share.

/** β1 of ScheduleFreeAdamW: the interpolation y = (1 − β1)·z + β1·x, in (0, 1). */
export const SCHEDULE_FREE_BETA1: NumberHyperparameter = {
  ...BETA1,
  min: 0,
  minExclusive: true,
  typical: [0.5, 0.99],
  meaning:
    "interpolation y = (1 − β₁)·z + β₁·x: where gradients are taken between the iterate z and the average x",
};

/** Schedule-Free weight decay: λ·y added to the step direction (at y, scaled by the lr). */
export const SCHEDULE_FREE_WEIGHT_DECAY: NumberHyperparameter = {
  ...L2_WEIGHT_DECAY,
  meaning: "decay taken at y: λ·y is added to the step direction before it is scaled by the lr",
};

/** warmupSteps, r and weightLrPower: the warmup and the averaging weights. */
export const SCHEDULE_FREE_WEIGHTING: readonly NumberHyperparameter[] = [
  {
    kind: "number",
    key: "warmupSteps",
    option: "warmupSteps",
    label: "warmup steps",
    default: 0,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    integer: true,
    typical: [0, 1000],
    scale: "linear",
    meaning: "the lr rises linearly from lr/warmupSteps to lr over this many steps (0: no warmup)",
  },
  {
    kind: "number",
    key: "r",
    option: "r",
    label: "r",
    default: 0,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: [0, 2],
    scale: "linear",
    meaning: "polynomial averaging: step t weighs t^r in the average x (0: uniform)",
  },
  {
    kind: "number",
    key: "weightLrPower",
    option: "weightLrPower",
    label: "weight lr power",
    default: 2,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: [0, 4],
    scale: "linear",
    meaning: "steps weigh (largest lr so far)^weightLrPower in the average, so warmup steps count less",
  },
];

/** The Schedule-Free paper. */
export const SCHEDULE_FREE_REFERENCE: RuleReference = {
  authors: "A. Defazio, X. Yang, H. Mehta, K. Mishchenko, A. Khaled, A. Cutkosky",
  title: "The Road Less Scheduled",
  year: 2024,
  url: "https://arxiv.org/abs/2405.15682",
};

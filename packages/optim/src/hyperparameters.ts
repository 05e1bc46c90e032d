import type { BooleanHyperparameter, NumberHyperparameter } from "./catalog-entry.js";

// Catalog descriptions of the hyperparameters several rules share, so that every rule describes
// `lr`, `betas`, `eps` and weight decay the same way. A rule spreads one and overrides its default:
// `{ ...LEARNING_RATE, default: 1e-3 }`.

/** The learning rate γ. */
export const LEARNING_RATE: NumberHyperparameter = {
  kind: "number",
  key: "lr",
  option: "lr",
  label: "learning rate",
  default: 1e-3,
  min: 0,
  max: Number.POSITIVE_INFINITY,
  typical: [1e-5, 1],
  scale: "log",
  meaning: "step size: how far each update moves the parameters",
};

/** β₁, the decay rate of the first-moment (gradient) average: `betas[0]`. */
export const BETA1: NumberHyperparameter = {
  kind: "number",
  key: "beta1",
  option: "betas",
  index: 0,
  label: "β₁",
  default: 0.9,
  min: 0,
  max: 1,
  maxExclusive: true,
  typical: [0, 0.99],
  scale: "linear",
  meaning: "decay rate of the running average of gradients (momentum)",
};

/** β₂, the decay rate of the second-moment (squared gradient) average: `betas[1]`. */
export const BETA2: NumberHyperparameter = {
  kind: "number",
  key: "beta2",
  option: "betas",
  index: 1,
  label: "β₂",
  default: 0.999,
  min: 0,
  max: 1,
  maxExclusive: true,
  typical: [0.9, 0.9999],
  scale: "linear",
  meaning: "decay rate of the running average of squared gradients",
};

/** ε, added to a denominator for numerical stability. */
export const EPSILON: NumberHyperparameter = {
  kind: "number",
  key: "eps",
  option: "eps",
  label: "ε",
  default: 1e-8,
  min: 0,
  max: Number.POSITIVE_INFINITY,
  typical: [1e-10, 1e-3],
  scale: "log",
  meaning: "added to the denominator so it never divides by (nearly) zero",
};

/** λ as an L2 penalty added to the gradient (coupled weight decay). */
export const L2_WEIGHT_DECAY: NumberHyperparameter = {
  kind: "number",
  key: "weightDecay",
  option: "weightDecay",
  label: "weight decay",
  default: 0,
  min: 0,
  max: Number.POSITIVE_INFINITY,
  typical: [0, 0.1],
  scale: "linear",
  meaning: "L2 penalty: λ·θ is added to the gradient",
};

/** λ as decoupled weight decay (θ shrinks by γ·λ·θ each step, apart from the gradient). */
export const DECOUPLED_WEIGHT_DECAY: NumberHyperparameter = {
  ...L2_WEIGHT_DECAY,
  default: 1e-2,
  meaning: "decoupled decay: θ shrinks by lr·λ·θ each step, apart from the gradient",
};

/** Momentum factor μ of heavy-ball momentum. */
export const MOMENTUM: NumberHyperparameter = {
  kind: "number",
  key: "momentum",
  option: "momentum",
  label: "momentum μ",
  default: 0,
  min: 0,
  max: Number.POSITIVE_INFINITY,
  typical: [0, 0.99],
  scale: "linear",
  meaning: "fraction of the previous step carried into the next",
};

/** A boolean option. */
export function flag(key: string, label: string, meaning: string, value = false): BooleanHyperparameter {
  return { kind: "boolean", key, option: key, label, default: value, meaning };
}

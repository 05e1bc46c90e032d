/**
 * The optimizers the lab offers, their hyperparameters and the bounds a setting (from the page or from
 * a URL) must respect. The five racers are the five rules of the motivating document; the network tab
 * adds AdamW.
 */
export const RACERS = ["sgd", "momentum", "adagrad", "rmsprop", "adam"] as const;
export type RacerId = (typeof RACERS)[number];

export const OPTIMIZERS = [...RACERS, "adamw"] as const;
export type OptimizerId = (typeof OPTIMIZERS)[number];

/** Every hyperparameter the lab exposes; each rule uses a subset (see {@link HYPER_KEYS}). */
export interface Hyper {
  lr: number;
  /** SGD momentum factor μ (the "momentum" rule). */
  momentum: number;
  /** RMSprop smoothing constant α. */
  alpha: number;
  /** Adam/AdamW β₁. */
  beta1: number;
  /** Adam/AdamW β₂. */
  beta2: number;
  /** Weight decay λ (L2 for SGD/Adagrad/RMSprop/Adam, decoupled for AdamW). */
  weightDecay: number;
}
export type HyperKey = keyof Hyper;

/** A bounded number setting. */
export interface NumberSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

export const HYPER_SPECS: Record<HyperKey, NumberSpec> = {
  lr: { label: "learning rate", min: 1e-5, max: 10 },
  momentum: { label: "momentum μ", min: 0, max: 0.999 },
  alpha: { label: "α", min: 0, max: 0.9999 },
  beta1: { label: "β₁", min: 0, max: 0.999 },
  beta2: { label: "β₂", min: 0, max: 0.99999 },
  weightDecay: { label: "weight decay", min: 0, max: 1 },
};

/** The hyperparameters each rule reads, in display order. */
export const HYPER_KEYS: Record<OptimizerId, readonly HyperKey[]> = {
  sgd: ["lr"],
  momentum: ["lr", "momentum"],
  adagrad: ["lr"],
  rmsprop: ["lr", "alpha"],
  adam: ["lr", "beta1", "beta2"],
  adamw: ["lr", "beta1", "beta2", "weightDecay"],
};

/** PyTorch's defaults for the non-lr options (momentum 0.9 is the customary choice; PyTorch's is 0). */
export const DEFAULT_HYPER: Hyper = {
  lr: 0.01,
  momentum: 0.9,
  alpha: 0.99,
  beta1: 0.9,
  beta2: 0.999,
  weightDecay: 0.01,
};

export const OPTIMIZER_NAMES: Record<OptimizerId, string> = {
  sgd: "SGD",
  momentum: "Momentum",
  adagrad: "Adagrad",
  rmsprop: "RMSprop",
  adam: "Adam",
  adamw: "AdamW",
};

/** Trail and curve colours (colour-blind-safe Okabe–Ito hues). */
export const OPTIMIZER_COLORS: Record<OptimizerId, string> = {
  sgd: "#d55e00",
  momentum: "#e69f00",
  adagrad: "#009e73",
  rmsprop: "#cc79a7",
  adam: "#0072b2",
  adamw: "#56b4e9",
};

/** Why `value` is not a valid setting of `spec`, or null if it is. */
export function checkNumber(spec: NumberSpec, value: number): string | null {
  if (!Number.isFinite(value)) return `${spec.label} must be a finite number`;
  if (spec.integer && !Number.isInteger(value)) return `${spec.label} must be an integer`;
  if (value < spec.min || value > spec.max) return `${spec.label} must be in [${spec.min}, ${spec.max}]`;
  return null;
}

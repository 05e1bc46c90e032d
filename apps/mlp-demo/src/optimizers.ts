import { Adagrad, Adam, AdamW, type Optimizer, type Param, RMSprop, SGD } from "@descent/optim";
import type { DatasetName, OptimizerName } from "./args.js";
import { DATASET_LR, DEFAULT_LR } from "./config.js";
import { lookup, lookupOrThrow } from "./own.js";

/** The hyperparameters `makeOptimizer` reads from the command line. */
export interface OptimizerSettings {
  /** Learning rate; undefined: the default for the optimizer (and data set). */
  readonly lr?: number;
  /** The data set, for data-set-specific default learning rates (`DATASET_LR`). */
  readonly dataset?: DatasetName;
  /** Momentum of `momentum` (SGD with momentum). */
  readonly momentum: number;
  /** Weight decay; undefined: 0, or 0.01 for adamw (PyTorch's AdamW default). */
  readonly weightDecay?: number;
}

/** The learning rate an optimizer runs with: `--lr`, else the data set's default, else the optimizer's. */
export function learningRate(name: OptimizerName, s: Pick<OptimizerSettings, "lr" | "dataset">): number {
  const perDataset = s.dataset ? lookup(DATASET_LR, s.dataset) : undefined;
  return (
    s.lr ??
    (perDataset ? lookup(perDataset, name) : undefined) ??
    lookupOrThrow(DEFAULT_LR, name, "optimizer")
  );
}

/** Display names for tables and charts. */
export const OPTIMIZER_LABEL: Readonly<Record<OptimizerName, string>> = {
  sgd: "SGD",
  momentum: "SGD+momentum",
  adagrad: "Adagrad",
  rmsprop: "RMSprop",
  adam: "Adam",
  adamw: "AdamW",
};

/**
 * Builds an optimizer by CLI name over `params`:
 * sgd = SGD, momentum = SGD with `momentum` (no dampening, no Nesterov), adagrad, rmsprop
 * (α = 0.99, ε = 1e-8, PyTorch's defaults), adam (β = (0.9, 0.999)), adamw (decoupled decay,
 * default 0.01). Other hyperparameters are PyTorch's defaults.
 */
export function makeOptimizer(name: OptimizerName, params: Iterable<Param>, s: OptimizerSettings): Optimizer {
  const lr = learningRate(name, s);
  const list = Array.from(params);
  switch (name) {
    case "sgd":
      return new SGD(list, { lr, weightDecay: s.weightDecay ?? 0 });
    case "momentum":
      return new SGD(list, { lr, momentum: s.momentum, weightDecay: s.weightDecay ?? 0 });
    case "adagrad":
      return new Adagrad(list, { lr, weightDecay: s.weightDecay ?? 0 });
    case "rmsprop":
      return new RMSprop(list, { lr, weightDecay: s.weightDecay ?? 0 });
    case "adam":
      return new Adam(list, { lr, weightDecay: s.weightDecay ?? 0 });
    case "adamw":
      return new AdamW(list, { lr, weightDecay: s.weightDecay ?? 0.01 });
  }
}

import { Adagrad, Adam, AdamW, type Optimizer, type Param, RMSprop, SGD } from "@descent/optim";
import type { Hyper, OptimizerId } from "./catalog.js";

/**
 * Builds the `@descent/optim` optimizer for a lab rule. Only the options the rule reads are passed
 * (see `HYPER_KEYS`); every other option keeps PyTorch's default (eps, dampening, nesterov: off, ...).
 * "momentum" is `SGD` with μ > 0; plain "sgd" is `SGD` with μ = 0. Weight decay is used by AdamW only.
 */
export function makeOptimizer(id: OptimizerId, params: Param[], h: Hyper): Optimizer {
  switch (id) {
    case "sgd":
      return new SGD(params, { lr: h.lr });
    case "momentum":
      return new SGD(params, { lr: h.lr, momentum: h.momentum });
    case "adagrad":
      return new Adagrad(params, { lr: h.lr });
    case "rmsprop":
      return new RMSprop(params, { lr: h.lr, alpha: h.alpha });
    case "adam":
      return new Adam(params, { lr: h.lr, betas: [h.beta1, h.beta2] });
    case "adamw":
      return new AdamW(params, { lr: h.lr, betas: [h.beta1, h.beta2], weightDecay: h.weightDecay });
    default:
      throw new RangeError(`makeOptimizer: unknown optimizer '${String(id)}'`);
  }
}

/** Writes the rule's hyperparameters into every param group; they take effect at the next step. */
export function updateHyper(opt: Optimizer, id: OptimizerId, h: Hyper): void {
  for (const g of opt.paramGroups) {
    g.lr = h.lr;
    if (id === "momentum") g.momentum = h.momentum;
    if (id === "rmsprop") g["alpha"] = h.alpha;
    if (id === "adam" || id === "adamw") g.betas = [h.beta1, h.beta2];
    if (id === "adamw") g.weightDecay = h.weightDecay;
  }
}

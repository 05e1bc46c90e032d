import {
  type Optimizer,
  type OptimizerEntry,
  type OptimizerOptions,
  optionsFromValues,
  type Param,
} from "@descent/optim";
import type { HyperValues } from "./rules.js";

/**
 * Builds a catalog rule's optimizer over `params` from hyperparameter values by key (missing keys
 * take the catalog's defaults). Throws the optimizer's own error for an invalid value or combination
 * (e.g. Nesterov momentum with dampening).
 */
export function makeOptimizer(
  entry: OptimizerEntry,
  params: Iterable<Param>,
  values: Readonly<HyperValues>,
  options: OptimizerOptions = {},
): Optimizer {
  return entry.create(params, { ...optionsFromValues(entry, values), ...options });
}

/**
 * Writes the numeric hyperparameters of `values` into every param group of `opt`, which uses them
 * from its next step on (its state is kept). On/off and named options are not written: they can
 * change what state a rule keeps, so changing one means building the optimizer again.
 */
export function retune(opt: Optimizer, entry: OptimizerEntry, values: Readonly<HyperValues>): void {
  const options = optionsFromValues(entry, values);
  for (const h of entry.hyperparameters) {
    if (h.kind !== "number") continue;
    const value = options[h.option];
    for (const g of opt.paramGroups) g[h.option] = Array.isArray(value) ? [...value] : value;
  }
}

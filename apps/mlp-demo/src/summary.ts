import type { RunConfig } from "./config.js";
import type { Dataset } from "./datasets/index.js";
import { plural } from "./format.js";
import { describeParams, type RulePart } from "./optimizers.js";
import { describeValues } from "./rule-values.js";

/** "784-256-128-10": the layer widths of the network for a data set. */
export function architecture(ds: Dataset, cfg: RunConfig): string {
  return [ds.inputDim, ...cfg.hidden, ds.outputDim].join("-");
}

/** One line describing the data: "mnist: 8000 train / 2000 test samples, 784 features, 10 classes". */
export function describeData(ds: Dataset): string {
  const out = ds.task === "classification" ? `${ds.outputDim} classes` : "regression";
  return `${ds.name}: ${ds.train.n} train / ${ds.test.n} test samples, ${plural(ds.inputDim, "feature")}, ${out}`;
}

/** One line describing the network and training settings. */
export function describeRun(ds: Dataset, cfg: RunConfig): string {
  const clip = cfg.clip === undefined ? "" : `, clip ${cfg.clip}`;
  return `MLP ${architecture(ds, cfg)} (${cfg.activation}), ${plural(cfg.epochs, "epoch")}, batch ${cfg.batchSize}, schedule ${cfg.schedule}${clip}, seed ${cfg.seed}`;
}

/**
 * The optimizer of a run in words: the rule's name and its lr and every hyperparameter set away
 * from the catalog's default, `Adam (lr 0.001, beta2 0.99)`; for a rule paired with a partner,
 * `Muon (2-D weights: lr 0.001) + AdamW (biases: lr 0.001, weightDecay 0.01)`.
 */
export function describeOptimizer(parts: readonly RulePart[]): string {
  if (parts.length === 1) return `${parts[0].entry.name} (${describeValues(parts[0].id, parts[0].values)})`;
  return parts
    .map((p) => `${p.entry.name} (${describeParams(p.params)}: ${describeValues(p.id, p.values)})`)
    .join(" + ");
}

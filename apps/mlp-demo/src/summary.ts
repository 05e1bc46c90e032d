import type { OptimizerName } from "./args.js";
import type { RunConfig } from "./config.js";
import type { Dataset } from "./datasets/index.js";
import { plural } from "./format.js";
import { learningRate, OPTIMIZER_LABEL } from "./optimizers.js";
import { lookup } from "./own.js";

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

/** "Adam (lr 0.001)" and the like. */
export function describeOptimizer(name: OptimizerName, cfg: RunConfig): string {
  const extra = name === "momentum" ? `, momentum ${cfg.momentum}` : "";
  const wd = cfg.weightDecay ?? (name === "adamw" ? 0.01 : 0);
  return `${lookup(OPTIMIZER_LABEL, name) ?? name} (lr ${learningRate(name, cfg)}${extra}${wd ? `, weight decay ${wd}` : ""})`;
}

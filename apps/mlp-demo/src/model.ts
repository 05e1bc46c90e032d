import { MLP, type ActivationName as NnActivation } from "@descent/nn";
import { Generator } from "@descent/tensor";
import type { ActivationName } from "./args.js";
import type { RunConfig } from "./config.js";
import type { Dataset } from "./datasets/index.js";
import { RunError } from "./errors.js";
import { lookupOrThrow } from "./own.js";

/** The network a run trains: an `@descent/nn` MLP (a `Sequential` of Linear and activation layers). */
export type Model = MLP;

const NN_ACTIVATION: Readonly<Record<ActivationName, NnActivation>> = {
  relu: "relu",
  tanh: "tanh",
  sigmoid: "sigmoid",
  gelu: "gelu",
  "leaky-relu": "leakyRelu",
};

/** The most parameters a network may have: 400 MB of float32 weights (and twice that of Adam state). */
export const MAX_PARAMETERS = 100_000_000;

/** Weights and biases of an MLP with these layer widths: Σ (in + 1) · out. */
export function parameterCount(widths: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < widths.length; i++) n += (widths[i] + 1) * widths[i + 1];
  return n;
}

/**
 * MLP `[inputDim, ...hidden, outputDim]`, float32, PyTorch's default initialisation drawn from a
 * `Generator` seeded with `cfg.seed`: the same seed gives bit-identical weights.
 *
 * @throws RunError if the network would have more than `MAX_PARAMETERS` parameters.
 */
export function buildModel(ds: Dataset, cfg: Pick<RunConfig, "hidden" | "activation" | "seed">): Model {
  const widths = [ds.inputDim, ...cfg.hidden, ds.outputDim];
  const count = parameterCount(widths);
  if (count > MAX_PARAMETERS) {
    const en = (v: number) => v.toLocaleString("en-US");
    throw new RunError(
      `--hidden ${cfg.hidden.join(",")}: the network ${widths.join("-")} would have ${en(count)} parameters (${(count * 4e-9).toFixed(1)} GB of weights); this demo trains at most ${en(MAX_PARAMETERS)}`,
    );
  }
  return new MLP(widths, {
    activation: lookupOrThrow(NN_ACTIVATION, cfg.activation, "activation"),
    generator: new Generator(cfg.seed),
  });
}

import { MLP, type ActivationName as NnActivation } from "@descent/nn";
import { Generator } from "@descent/tensor";
import type { ActivationName } from "./args.js";
import type { RunConfig } from "./config.js";
import type { Dataset } from "./datasets/index.js";
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

/**
 * MLP `[inputDim, ...hidden, outputDim]`, float32, PyTorch's default initialisation drawn from a
 * `Generator` seeded with `cfg.seed`: the same seed gives bit-identical weights.
 */
export function buildModel(ds: Dataset, cfg: Pick<RunConfig, "hidden" | "activation" | "seed">): Model {
  return new MLP([ds.inputDim, ...cfg.hidden, ds.outputDim], {
    activation: lookupOrThrow(NN_ACTIVATION, cfg.activation, "activation"),
    generator: new Generator(cfg.seed),
  });
}

import type { DType } from "@descent/tensor";
import type { Module } from "../module.js";
import { checkOptions } from "../options.js";
import type { RandomSource } from "../random.js";
import { GELU, LeakyReLU, ReLU, Sigmoid, Tanh } from "./activation.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { Sequential } from "./sequential.js";

/** Activation names `MLP` accepts. */
export type ActivationName = "relu" | "tanh" | "sigmoid" | "gelu" | "leakyRelu";

const ACTIVATIONS: Record<ActivationName, () => Module> = {
  relu: () => new ReLU(),
  tanh: () => new Tanh(),
  sigmoid: () => new Sigmoid(),
  gelu: () => new GELU(),
  leakyRelu: () => new LeakyReLU(),
};

export interface MLPOptions {
  /** Hidden activation: a name (default `"relu"`) or a factory making one module per use. */
  activation?: ActivationName | (() => Module);
  /** Dropout probability after each hidden activation (default 0: no Dropout modules). */
  dropout?: number;
  /** Biases in every Linear (default true). */
  bias?: boolean;
  dtype?: DType;
  /** Generator for the initial weights and for dropout. */
  generator?: RandomSource;
}

/**
 * A multilayer perceptron: `sizes = [in, h1, …, out]` becomes the `Sequential`
 *   Linear(in, h1), act, [Dropout], Linear(h1, h2), act, [Dropout], …, Linear(h_k, out)
 * with no activation after the last layer (outputs are logits or regression values). The layers are
 * initialised in order from `generator`, so the same seed gives a bit-identical model.
 * PyTorch equivalent (state dict keys `0.weight`, `0.bias`, `2.weight`, …):
 *   nn.Sequential(nn.Linear(in, h1), nn.ReLU(), nn.Linear(h1, out))
 */
export class MLP extends Sequential {
  readonly sizes: readonly number[];

  constructor(sizes: readonly number[], options: MLPOptions = {}) {
    super();
    const {
      activation = "relu",
      dropout = 0,
      bias = true,
      dtype,
      generator,
    } = checkOptions("MLP", options, ["activation", "dropout", "bias", "dtype", "generator"]);
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new RangeError(
        `MLP: sizes must list at least an input and an output size, got ${JSON.stringify(sizes)}`,
      );
    }
    for (const s of sizes) {
      if (!Number.isSafeInteger(s) || s <= 0) {
        throw new RangeError(`MLP: every size must be a positive integer, got ${JSON.stringify(sizes)}`);
      }
    }
    let make: () => Module;
    if (typeof activation === "function") make = activation;
    else if (Object.hasOwn(ACTIVATIONS, activation)) make = ACTIVATIONS[activation];
    else {
      throw new RangeError(
        `MLP: unknown activation ${JSON.stringify(activation)} (expected one of ${Object.keys(ACTIVATIONS).join(", ")}, or a factory)`,
      );
    }
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) {
      throw new RangeError(`MLP: dropout must be in [0, 1), got ${String(dropout)}`);
    }
    this.sizes = Object.freeze([...sizes]);
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.append(new Linear(sizes[i], sizes[i + 1], { bias, dtype, generator }));
      if (i + 2 < sizes.length) {
        this.append(make());
        if (dropout > 0) this.append(new Dropout(dropout, { generator }));
      }
    }
  }
}

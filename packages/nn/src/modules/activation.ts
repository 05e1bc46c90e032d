/**
 * Activation modules (no parameters), each the tensor op of the same name:
 *   ReLU: max(x, 0)      Tanh: tanh x      Sigmoid: 1/(1 + e^−x)
 *   GELU: x·Φ(x)  (or the tanh approximation with `approximate: "tanh"`)
 *   LeakyReLU: x > 0 ? x : negativeSlope·x   (default slope 0.01)
 * Derivatives live with the ops in @descent/tensor.
 */
import type { Tensor } from "@descent/tensor";
import { Module } from "../module.js";
import { checkOptions } from "../options.js";

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(options: { approximate?: "none" | "tanh" } = {}) {
    super();
    const { approximate = "none" } = checkOptions("GELU", options, ["approximate"]);
    if (approximate !== "none" && approximate !== "tanh") {
      throw new RangeError(`GELU: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
    }
    this.approximate = approximate;
  }

  forward(x: Tensor): Tensor {
    return x.gelu({ approximate: this.approximate });
  }

  override extraRepr(): string {
    return this.approximate === "none" ? "" : `approximate='${this.approximate}'`;
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== "number" || !Number.isFinite(negativeSlope)) {
      throw new RangeError(`LeakyReLU: negativeSlope must be a finite number, got ${String(negativeSlope)}`);
    }
    this.negativeSlope = negativeSlope;
  }

  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

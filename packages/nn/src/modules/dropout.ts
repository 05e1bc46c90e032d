import { Tensor } from "@descent/tensor";
import { Module } from "../module.js";
import { checkGenerator, checkOptions } from "../options.js";
import { defaultRandom, type RandomSource } from "../random.js";

/**
 * Inverted dropout, PyTorch's `nn.Dropout(p)`. In training mode each element is kept with
 * probability 1 − p and scaled:
 *   y = x · m / (1 − p),   m ~ Bernoulli(1 − p) (one `generator.random()` draw per element, m = [u < 1 − p])
 * so E[y] = x; gradients flow through the same mask. In eval mode (`eval()`) it is the identity.
 * p = 1 zeroes everything.
 */
export class Dropout extends Module {
  readonly p: number;
  readonly #generator: RandomSource | undefined;

  constructor(p = 0.5, options: { generator?: RandomSource } = {}) {
    super();
    const generator = checkGenerator("Dropout", checkOptions("Dropout", options, ["generator"]).generator);
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RangeError(`Dropout: probability has to be between 0 and 1, but got ${String(p)}`);
    }
    this.p = p;
    this.#generator = generator;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return x.mul(0);
    const g = this.#generator ?? defaultRandom();
    const keep = 1 - this.p;
    const scale = 1 / keep;
    const mask = x.dtype === "float64" ? new Float64Array(x.size) : new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = g.random() < keep ? scale : 0;
    return x.mul(new Tensor(mask, x.shape.slice()));
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

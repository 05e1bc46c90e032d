import { type DType, type Tensor, zeros } from "@descent/tensor";
import { checkModuleDType } from "../dtype.js";
import { kaimingUniform, uniform } from "../init.js";
import { Module } from "../module.js";
import { checkBoolean, checkGenerator, checkOptions } from "../options.js";
import type { RandomSource } from "../random.js";

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Parameter dtype, default `"float32"`. */
  dtype?: DType;
  /** Generator for the initial weights (default: the tensor package's default generator). */
  generator?: RandomSource;
}

const LINEAR_OPTIONS = ["bias", "dtype", "generator"];

/**
 * Fully connected layer, PyTorch's `nn.Linear`:  y = x·Wᵀ + b,  x: [..., in] → y: [..., out].
 *
 * `weight` is `[out, in]` and `bias` `[out]`, the layout of PyTorch's state dict. Initialisation is
 * PyTorch's `reset_parameters()`: W ~ kaiming_uniform(a = √5) = U(−1/√in, 1/√in), then
 * b ~ U(−1/√in, 1/√in) (b = 0 when in = 0), weight drawn first, both from `generator`.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    const { bias = true, dtype = "float32" } = checkOptions("Linear", options, LINEAR_OPTIONS);
    checkBoolean("Linear", "bias", bias);
    const generator = checkGenerator("Linear", options.generator);
    for (const [name, v] of [
      ["inFeatures", inFeatures],
      ["outFeatures", outFeatures],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0) {
        throw new RangeError(`Linear: ${name} must be a non-negative integer, got ${String(v)}`);
      }
    }
    const dt = checkModuleDType("Linear", dtype);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = zeros([outFeatures, inFeatures], { dtype: dt, requiresGrad: true });
    this.bias = bias ? zeros([outFeatures], { dtype: dt, requiresGrad: true }) : null;
    this.registerParameter("weight", this.weight);
    this.registerParameter("bias", this.bias);
    this.resetParameters({ generator });
  }

  /** Re-draws the parameters with PyTorch's default initialisation. */
  resetParameters(options: { generator?: RandomSource } = {}): void {
    const generator = checkGenerator(
      "resetParameters",
      checkOptions("resetParameters", options, ["generator"]).generator,
    );
    kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias !== null) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform(this.bias, { a: -bound, b: bound, generator });
    }
  }

  forward(x: Tensor): Tensor {
    const last = x.shape.length === 0 ? undefined : x.shape[x.shape.length - 1];
    if (last !== this.inFeatures) {
      throw new RangeError(
        `Linear(${this.inFeatures} → ${this.outFeatures}): expected input [..., ${this.inFeatures}], got [${x.shape.join(", ")}]`,
      );
    }
    return x.linear(this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

import type { Tensor } from "@descent/tensor";
import { Module } from "../module.js";

/**
 * A chain of modules, PyTorch's `nn.Sequential`: `forward` feeds each output to the next.
 * Children are named `"0"`, `"1"`, … so parameters are `0.weight`, `0.bias`, `2.weight`, ….
 */
export class Sequential extends Module {
  #length = 0;

  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end; returns `this`. */
  append(module: Module): this {
    this.registerModule(String(this.#length), module);
    this.#length++;
    return this;
  }

  get length(): number {
    return this.#length;
  }

  /** The i-th module (negative counts from the end). */
  at(index: number): Module {
    const i = index < 0 ? this.#length + index : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.#length) {
      throw new RangeError(`Sequential.at: index ${index} is out of range for ${this.#length} modules`);
    }
    return this.children()[i];
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.children()) y = m.forward(y);
    return y;
  }
}

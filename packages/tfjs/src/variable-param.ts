import type { Param } from "@descent/optim";
import type { Variable } from "@tensorflow/tfjs-core";
import type { Uploaded } from "./transfer.js";

/**
 * A TF.js variable as the Descent optimizers see it (their `Param`): during a step, `data` is the
 * staged buffer the kernel updates (see `stage`); outside a step it is a copy of the variable's
 * current values, which the optimizer only reads (for the length and dtype of new state).
 */
export class VariableParam implements Param {
  /** The buffer of the step in progress, or null between steps. */
  staged: Float32Array | null = null;
  grad: { data: Float32Array } | null = null;
  /** The portable path's memory of the last upload. */
  readonly uploaded: Uploaded = { dataId: null, values: null };

  constructor(
    /** The variable's name (unique in TF.js): how gradients and param groups find it. */
    readonly name: string,
    /** The variable's shape, fixed when the optimizer is bound. */
    readonly shape: readonly number[],
    private readonly variable: () => Variable,
  ) {}

  get data(): Float32Array {
    return this.staged ?? Float32Array.from(this.variable().dataSync() as Float32Array);
  }
}

import type { Optimizer, OptimizerStateDict, ParamGroupInput } from "../index.js";

/** The dtype of a parameter's values. */
export type Dtype = "float32" | "float64";

/** A float typed array of either dtype (the kit's currency). */
export type Values = Float32Array | Float64Array;

/** What the kit tells an engine about a parameter it asks for. */
export interface ParamSpec {
  /** A name unique among the parameters alive at the same time (engines that register names, such as TF.js, need one). */
  readonly name: string;
  /** The shape to give it; its size is the length of the values. */
  readonly shape: readonly number[];
  readonly dtype: Dtype;
}

/** A param group as the kit lays it out: the engine's parameters and the options the group overrides. */
export interface GroupLayout<P> {
  readonly params: readonly P[];
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * Builds the Descent optimizer of a case over parameter objects (anything satisfying `Param`) in
 * groups: the rule and its options are the kit's, the parameters the engine's.
 */
export type BuildOptimizer = (groups: ParamGroupInput[]) => Optimizer;

/** An optimizer as an engine runs it: one step from gradients, state in and out. */
export interface EngineOptimizer {
  /**
   * Gives the i-th parameter (in the order of the groups) the i-th gradient (`null`: no gradient
   * this step) through the engine's own means, and takes one optimizer step.
   */
  step(grads: readonly (Values | null)[]): void;
  /** The Descent optimizer inside (the kit writes `lr` into its param groups, as schedulers do). */
  readonly optimizer: Pick<Optimizer, "paramGroups">;
  stateDict(): OptimizerStateDict;
  loadStateDict(state: OptimizerStateDict): void;
  /** Releases what the optimizer holds (optional). */
  dispose?(): void;
}

/**
 * An engine adapter under test: how to make the engine's parameters, read them back, and run a
 * Descent optimizer over them. See {@link paramEngine} for engines whose parameters are (or wrap)
 * `Param` objects.
 */
export interface EngineAdapter<P> {
  /** Shown in the names of the cases. */
  readonly name: string;
  /** The dtypes the engine's parameters can have; the cases run in each. */
  readonly dtypes: readonly Dtype[];
  /** A parameter holding a copy of `values`, made by the engine's own factory. */
  createParam(values: Values, spec: ParamSpec): P;
  /** The parameter's current values (the kit copies them). */
  readParam(param: P): Values;
  /**
   * An optimizer over the parameters in `groups`: group 0 has the rule's options, later groups
   * override some. `build` makes the Descent optimizer once the engine has `Param` objects for them.
   */
  createOptimizer(groups: readonly GroupLayout<P>[], build: BuildOptimizer): EngineOptimizer;
  /** Frees parameters the kit no longer needs (optional). */
  disposeParams?(params: readonly P[]): void;
}

import type { Param, ParamGroupInput } from "../index.js";
import type { Dtype, EngineAdapter, ParamSpec, Values } from "./engine.js";

/** How to drive an engine whose parameters are (or wrap) `Param` objects; see {@link paramEngine}. */
export interface ParamEngineSpec<P extends Param> {
  readonly name: string;
  readonly dtypes: readonly Dtype[];
  /** A parameter holding a copy of `values`, made by the engine's own factory. */
  createParam(values: Values, spec: ParamSpec): P;
  /** Gives the parameter this gradient the engine's way (e.g. by a backward pass), or none (`null`). */
  setGrad(param: P, grad: Values | null): void;
  /** The parameter's current values. Default: `param.data`. */
  readParam?(param: P): Values;
  /** Runs after each optimizer step (e.g. to copy `data` back into the engine's own storage). */
  afterStep?(params: readonly P[]): void;
  /** Frees parameters the kit no longer needs. */
  disposeParams?(params: readonly P[]): void;
}

/**
 * An {@link EngineAdapter} for an engine whose parameters satisfy `Param` (`@descent/tensor`'s
 * tensors) or are wrapped in an object that does: the Descent optimizer runs on them directly.
 *
 * @example
 * const engine = paramEngine({
 *   name: "my engine",
 *   dtypes: ["float32", "float64"],
 *   createParam: (values, { shape, dtype }) => myEngine.parameter(values, shape, dtype),
 *   setGrad: (p, grad) => { p.grad = grad === null ? null : myEngine.fromArray(grad, p.shape); },
 * });
 */
export function paramEngine<P extends Param>(spec: ParamEngineSpec<P>): EngineAdapter<P> {
  return {
    name: spec.name,
    dtypes: spec.dtypes,
    createParam: (values, info) => spec.createParam(values, info),
    readParam: (param) => (spec.readParam ? spec.readParam(param) : (param.data as Values)),
    disposeParams: spec.disposeParams,
    createOptimizer(groups, build) {
      const params = groups.flatMap((g) => g.params);
      const optimizer = build(
        groups.map((g) => ({ ...g.options, params: [...g.params] })) as ParamGroupInput[],
      );
      return {
        optimizer,
        step(grads) {
          params.forEach((p, i) => {
            spec.setGrad(p, grads[i] ?? null);
          });
          optimizer.step();
          spec.afterStep?.(params);
        },
        stateDict: () => optimizer.stateDict(),
        loadStateDict: (state) => optimizer.loadStateDict(state),
      };
    },
  };
}

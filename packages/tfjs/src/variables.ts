import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import { show } from "./show.js";

/** A layer weight of `@tensorflow/tfjs-layers` (`LayerVariable`): its `read()` is the TF.js variable. */
export interface LayerVariableLike {
  read(): Tensor;
}

/** A `tf.LayersModel` (or anything with the same `trainableWeights`). */
export interface ModelLike {
  readonly trainableWeights: readonly LayerVariableLike[];
}

/** What an optimizer can be bound to: variables, layer weights, or a model (its trainable weights). */
export type VariablesInput = ModelLike | Iterable<Variable | LayerVariableLike>;

function isVariable(x: unknown): x is Variable {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Variable).assign === "function" &&
    typeof (x as Variable).name === "string" &&
    Array.isArray((x as Variable).shape)
  );
}

/**
 * The TF.js variables of `input`, in order: a model's trainable weights, or the given variables
 * (layer weights are read through `read()`).
 *
 * @throws TypeError naming the offending element; RangeError for an empty list or a variable given
 *   twice.
 */
export function resolveVariables(input: VariablesInput): Variable[] {
  if (typeof input !== "object" || input === null) {
    throw new TypeError(`variables must be a model, or an array of tf.Variables, got ${show(input)}`);
  }
  const list: unknown[] =
    "trainableWeights" in input && Array.isArray((input as ModelLike).trainableWeights)
      ? [...(input as ModelLike).trainableWeights]
      : Symbol.iterator in input
        ? [...(input as Iterable<unknown>)]
        : [];
  if (!("trainableWeights" in input) && !(Symbol.iterator in input)) {
    throw new TypeError(`variables must be a model, or an array of tf.Variables, got ${show(input)}`);
  }
  const variables = list.map((x, i) => {
    const v = isVariable(x)
      ? x
      : typeof (x as LayerVariableLike | null)?.read === "function"
        ? (x as LayerVariableLike).read()
        : undefined;
    if (!isVariable(v)) {
      throw new TypeError(`variables[${i}] is ${show(x)}, not a tf.Variable or a layer weight`);
    }
    return v;
  });
  if (variables.length === 0) throw new RangeError("the optimizer got no variables to train");
  const seen = new Set<string>();
  for (const v of variables) {
    if (seen.has(v.name)) throw new RangeError(`variable "${v.name}" is given twice`);
    seen.add(v.name);
  }
  return variables;
}

import type { OptimizerStateDict, SavedArray, SavedNumber } from "@descent/optim";
import { scalar, type Tensor, tensor1d } from "@tensorflow/tfjs-core";

/** A tensor with a name, as TF.js's optimizer weights are passed around (`tf.NamedTensor`). */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** The name of the string tensor holding the state's JSON (everything but the buffers). */
export const STATE_WEIGHT = "descent/state";

/** A buffer in the JSON: the name of the tensor holding its values. */
interface BufferRef {
  dtype: "float32" | "float64";
  weight: string;
}

function isSavedArray(x: unknown): x is SavedArray {
  return typeof x === "object" && x !== null && Array.isArray((x as SavedArray).values);
}

function toNumber(x: SavedNumber): number {
  return typeof x === "number" ? x : x === "-0" ? -0 : Number(x);
}

/**
 * A state dict as TF.js optimizer weights: one float32 tensor per buffer, named
 * `<variable>/<buffer>`, and a string scalar {@link STATE_WEIGHT} with the rest as JSON.
 */
export function stateWeights(state: OptimizerStateDict, names: readonly string[]): NamedTensor[] {
  const weights: NamedTensor[] = [];
  const entries: Record<string, Record<string, unknown>> = {};
  for (const [index, saved] of Object.entries(state.state)) {
    const entry: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(saved)) {
      if (!isSavedArray(value)) {
        entry[key] = value;
        continue;
      }
      const weight = `${names[Number(index)]}/${key}`;
      weights.push({ name: weight, tensor: tensor1d(Float32Array.from(value.values, toNumber), "float32") });
      entry[key] = { dtype: value.dtype, weight } satisfies BufferRef;
    }
    entries[index] = entry;
  }
  const json = JSON.stringify({ ...state, state: entries });
  return [{ name: STATE_WEIGHT, tensor: scalar(json, "string") }, ...weights];
}

/** Inverse of {@link stateWeights}. */
export async function readStateWeights(weights: readonly NamedTensor[]): Promise<OptimizerStateDict> {
  const byName = new Map(weights.map((w) => [w.name, w.tensor]));
  const meta = byName.get(STATE_WEIGHT);
  if (meta === undefined || meta.dtype !== "string") {
    throw new TypeError(
      `DescentOptimizer.setWeights: no "${STATE_WEIGHT}" string weight; these weights were not saved by a DescentOptimizer`,
    );
  }
  const state = JSON.parse(String((meta.dataSync() as unknown as string[])[0])) as OptimizerStateDict;
  for (const entry of Object.values(state.state) as Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(entry)) {
      const ref = value as BufferRef;
      if (typeof ref !== "object" || ref === null || typeof ref.weight !== "string") continue;
      const t = byName.get(ref.weight);
      if (t === undefined)
        throw new RangeError(`DescentOptimizer.setWeights: the weight "${ref.weight}" is missing`);
      entry[key] = { dtype: ref.dtype, values: Array.from(await t.data()) } satisfies SavedArray;
    }
  }
  return state;
}

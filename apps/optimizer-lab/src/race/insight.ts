import type { Optimizer, Param } from "@descent/optim";

export type Vec2 = [number, number];

/** A per-axis quantity (x, y), or a single number the rule keeps for both parameters together. */
export type StateValue = Vec2 | number;

/**
 * The state buffers that hold a rule's momentum, by name, with what to call them. Recognised by the
 * shape of the state, not by the rule: every rule that keeps a `momentumBuffer` (SGD, RMSprop with
 * momentum) or an `expAvg` (the Adam family, Lion, …) steps along it.
 */
export const MOMENT_BUFFERS: readonly (readonly [key: string, label: string])[] = [
  ["momentumBuffer", "momentum buffer b"],
  ["expAvg", "running average of gradients m"],
];

/**
 * What a racer's rule did at its last step:
 * - `grad`: g = ∇f at the point the step was taken from (from `@descent/tensor`'s autograd);
 * - `moment`: the momentum the rule steps along (see {@link MOMENT_BUFFERS}), read from its state
 *   after the step; null for a rule that keeps none;
 * - `step`: the step actually taken, Δp = p_new − p_old;
 * - `ratio`: Δp ÷ (−lr·g) per axis: 1 for plain SGD, unequal when the rule rescaled the axes
 *   (Adagrad, RMSprop, Adam, …) and so turned the step away from −∇f; null on an axis where lr·g = 0;
 * - `state`: every other value of the rule's state after the step, by its state key (`expAvgSq`,
 *   `sum`, `squareAvg`, …), per axis where the rule keeps one per parameter.
 */
export interface Insight {
  grad: Vec2;
  moment: { key: string; label: string; value: Vec2 } | null;
  step: Vec2;
  ratio: [number | null, number | null];
  state: { key: string; value: StateValue }[];
}

type StateRecord = Readonly<Record<string, unknown>>;

function isFloatArray(v: unknown): v is Float32Array | Float64Array {
  return v instanceof Float64Array || v instanceof Float32Array;
}

/**
 * A state value of the two one-element parameters x and y: one element each, one number each, or a
 * flat array of both kept on x alone (L-BFGS keeps its state on the first parameter). Null for
 * anything else (histories, lists).
 */
function readValue(sx: StateRecord | undefined, sy: StateRecord | undefined, key: string): StateValue | null {
  const a = sx?.[key];
  const b = sy?.[key];
  if (isFloatArray(a) && a.length === 1 && isFloatArray(b) && b.length === 1) return [a[0], b[0]];
  if (typeof a === "number" && typeof b === "number") return [a, b];
  if (sy === undefined && isFloatArray(a) && a.length === 2) return [a[0], a[1]];
  if (sy === undefined && typeof a === "number") return a;
  return null;
}

/**
 * Reads the insight of a step of `opt` over the parameters `x` and `y` (one element each), given the
 * gradient at the start of the step and the step taken.
 */
export function readInsight(opt: Optimizer, x: Param, y: Param, grad: Vec2, step: Vec2): Insight {
  const sx = opt.state.get(x) as StateRecord | undefined;
  const sy = opt.state.get(y) as StateRecord | undefined;
  let moment: Insight["moment"] = null;
  for (const [key, label] of MOMENT_BUFFERS) {
    const v = readValue(sx, sy, key);
    if (Array.isArray(v)) {
      moment = { key, label, value: v };
      break;
    }
  }
  const state: Insight["state"] = [];
  const keys = new Set([...Object.keys(sx ?? {}), ...Object.keys(sy ?? {})]);
  for (const key of keys) {
    if (key === "step" || key === moment?.key) continue;
    const value = readValue(sx, sy, key);
    if (value !== null) state.push({ key, value });
  }
  const lr = opt.paramGroups[0]?.lr ?? 0;
  const ratio = (i: 0 | 1): number | null => (lr * grad[i] === 0 ? null : step[i] / (-lr * grad[i]));
  return { grad, moment, step, ratio: [ratio(0), ratio(1)], state };
}

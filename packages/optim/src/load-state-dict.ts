import { didYouMean, snakeToCamel } from "./did-you-mean.js";
import type { Param } from "./param.js";
import {
  decodeArray,
  decodeScalar,
  decodeValue,
  type OptimizerStateDict,
  STATE_DICT_FORMAT,
  STATE_DICT_VERSION,
} from "./state-dict.js";
import { show } from "./validate.js";

/** The buffers a rule keeps per parameter, for validating loaded state. */
export interface StateLayout {
  /** Buffers present in every state entry. */
  required: readonly string[];
  /** Buffers present only with some options (e.g. `maxExpAvgSq` with `amsgrad`). */
  optional: readonly string[];
  /** Buffers that can never hold a negative value (sums and averages of squares). */
  nonNegative?: readonly string[];
  /** Per-parameter numbers rather than arrays (NAdam's `muProduct`, ASGD's `eta` and `mu`). */
  scalars?: readonly string[];
  /**
   * For rules whose buffers depend on the parameter's shape (Adafactor's row and column factors):
   * the buffers of this parameter's state and their lengths. When given, it decides for each
   * parameter which buffers are required (instead of `required` and `optional`) and how long each
   * is (instead of the parameter's length). It may throw for a parameter the rule cannot hold.
   */
  buffersOf?: (param: Param) => Readonly<Record<string, number>>;
}

/** What {@link readOptimizerState} needs to know of the optimizer it loads into. */
export interface LoadTarget {
  readonly kind: string;
  readonly defaults: object;
  readonly paramGroups: readonly { readonly params: readonly Param[] }[];
  readonly layout: StateLayout;
  /** Throws if a group's options are invalid; `where` names the group in the message. */
  validateGroup(group: Record<string, unknown>, where: string): void;
}

/** A validated, decoded optimizer state, ready to apply. */
export interface LoadedState {
  /** Each group's options (with `params` set to the optimizer's own parameters). */
  groups: Record<string, unknown>[];
  state: Map<Param, Record<string, unknown>>;
  skippedSteps: number;
}

const TOP_LEVEL_KEYS = ["format", "version", "kind", "paramGroups", "state", "skippedSteps"];

/** A plain object (not an array, not null): JSON's `{...}`. */
function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * Validates a saved optimizer state against the optimizer it is loaded into and decodes it,
 * without changing anything. Rejected, with a message that names the place: another format,
 * version or kind; unknown top-level keys; a different number of groups or of parameters in a
 * group; repeated or non-integer parameter indices; group options that are missing, invalid, or
 * spelled in snake_case; state that is not an object keyed by parameter index; unknown or missing
 * buffers; buffers of the wrong length or with non-numbers; negative values in buffers that
 * cannot be negative (second moments); step counts that are not safe non-negative integers.
 */
export function readOptimizerState(target: LoadTarget, stateDict: OptimizerStateDict): LoadedState {
  const kind = target.kind;
  const sd = stateDict as unknown;
  if (!isRecord(sd) || sd.format !== STATE_DICT_FORMAT) {
    throw new TypeError(
      `${kind}.loadStateDict: not an optimizer state dict (expected format "${STATE_DICT_FORMAT}", got ${show(isRecord(sd) ? sd.format : sd)})`,
    );
  }
  for (const key of Object.keys(sd)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      throw new RangeError(
        `${kind}.loadStateDict: unknown key ${show(key)}${didYouMean(key, TOP_LEVEL_KEYS)}`,
      );
    }
  }
  if (sd.version !== STATE_DICT_VERSION) {
    throw new RangeError(
      `${kind}.loadStateDict: unsupported state dict version ${show(sd.version)} (this build reads version ${STATE_DICT_VERSION})`,
    );
  }
  if (sd.kind !== kind) {
    throw new TypeError(`${kind}.loadStateDict: the state dict is for ${show(sd.kind)}, not ${kind}`);
  }
  const savedGroups = sd.paramGroups;
  if (!Array.isArray(savedGroups) || savedGroups.length !== target.paramGroups.length) {
    throw new RangeError(
      `${kind}.loadStateDict: loaded state dict has a different number of parameter groups (${Array.isArray(savedGroups) ? savedGroups.length : show(savedGroups)} saved, ${target.paramGroups.length} in the optimizer)`,
    );
  }
  // Saved parameter index -> [parameter, group index].
  const byIndex = new Map<number, [Param, number]>();
  const groups = savedGroups.map((saved: unknown, g) => readGroup(target, saved, g, byIndex));

  const savedState = sd.state;
  if (!isRecord(savedState)) {
    throw new TypeError(
      `${kind}.loadStateDict: state is ${show(savedState)}, expected an object keyed by parameter index`,
    );
  }
  const state = new Map<Param, Record<string, unknown>>();
  for (const [key, entry] of Object.entries(savedState)) {
    const where = `${kind}.loadStateDict: state of parameter ${key}`;
    const found = String(Number(key)) === key ? byIndex.get(Number(key)) : undefined;
    if (found === undefined)
      throw new RangeError(`${where}: no parameter with this index in the param groups`);
    state.set(found[0], readParamState(target.layout, entry, found[0], `${where} (param group ${found[1]})`));
  }

  const skipped = sd.skippedSteps ?? 0;
  if (!Number.isSafeInteger(skipped) || (skipped as number) < 0) {
    throw new RangeError(
      `${kind}.loadStateDict: skippedSteps is ${show(skipped)}, expected a non-negative integer`,
    );
  }
  return { groups, state, skippedSteps: skipped as number };
}

function readGroup(
  target: LoadTarget,
  saved: unknown,
  g: number,
  byIndex: Map<number, [Param, number]>,
): Record<string, unknown> {
  const kind = target.kind;
  const current = target.paramGroups[g];
  const where = `${kind}.loadStateDict: param group ${g}`;
  if (!isRecord(saved) || !Array.isArray(saved.params)) {
    throw new TypeError(`${where} is ${show(saved)}, expected an object with params`);
  }
  const indices = saved.params as unknown[];
  if (indices.length !== current.params.length) {
    throw new RangeError(
      `${kind}.loadStateDict: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (param group ${g}: ${indices.length} saved parameters, ${current.params.length} in the optimizer)`,
    );
  }
  indices.forEach((index, i) => {
    if (!Number.isSafeInteger(index) || (index as number) < 0 || byIndex.has(index as number)) {
      throw new RangeError(`${where}: parameter index ${show(index)} is not a new non-negative integer`);
    }
    byIndex.set(index as number, [current.params[i], g]);
  });
  const group: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(saved)) {
    if (key === "params") continue;
    const camel = snakeToCamel(key);
    if (camel !== key && Object.hasOwn(target.defaults, camel)) {
      throw new RangeError(`${where} has an option spelled ${show(key)} (did you mean ${camel}?)`);
    }
    group[key] = decodeValue(value, `${where} ${key}`);
  }
  for (const key of Object.keys(target.defaults)) {
    if (!Object.hasOwn(group, key)) throw new TypeError(`${where} has no ${key}`);
  }
  group.params = current.params;
  target.validateGroup(group, `loaded param group ${g}`);
  return group;
}

function readParamState(
  layout: StateLayout,
  entry: unknown,
  param: Param,
  where: string,
): Record<string, unknown> {
  if (!isRecord(entry)) throw new TypeError(`${where} is ${show(entry)}, expected an object`);
  const { step, ...buffers } = entry;
  if (!Number.isSafeInteger(step) || (step as number) < 0) {
    throw new RangeError(`${where}: step is ${show(step)}, expected a non-negative integer`);
  }
  const state: Record<string, unknown> = { step };
  const lengths = layout.buffersOf?.(param);
  const required = lengths === undefined ? layout.required : Object.keys(lengths);
  const allowed = lengths === undefined ? [...layout.required, ...layout.optional] : required;
  for (const [name, saved] of Object.entries(buffers)) {
    if (layout.scalars?.includes(name)) {
      state[name] = decodeScalar(saved, `${where}: ${name}`);
      continue;
    }
    if (!allowed.includes(name)) {
      const known = [...allowed, ...(layout.scalars ?? [])];
      throw new RangeError(`${where} has an unknown buffer ${show(name)}${didYouMean(name, known)}`);
    }
    const values = decodeArray(saved, param.data, `${where}: ${name}`, lengths?.[name]);
    if (layout.nonNegative?.includes(name)) {
      const bad = values.findIndex((x) => x < 0);
      if (bad >= 0) {
        throw new RangeError(
          `${where}: ${name} must not be negative, but value ${bad} is ${show(values[bad])}`,
        );
      }
    }
    state[name] = values;
  }
  for (const name of [...required, ...(layout.scalars ?? [])]) {
    if (!Object.hasOwn(state, name)) throw new RangeError(`${where} has no ${name}`);
  }
  return state;
}

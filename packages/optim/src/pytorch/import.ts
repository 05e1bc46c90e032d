import { snakeToCamel } from "../did-you-mean.js";
import type { Optimizer } from "../optimizer.js";
import {
  encodeValue,
  type OptimizerStateDict,
  type SavedParamGroup,
  type SavedParamState,
  STATE_DICT_FORMAT,
  STATE_DICT_VERSION,
} from "../state-dict.js";
import { show } from "../validate.js";
import { PYTORCH_STATE_FORMAT, PYTORCH_STATE_VERSION, type PyTorchStateJson } from "./export.js";
import {
  ADDED_OPTIONS,
  IMPLEMENTATION_KEYS,
  NO_STEP,
  PYTORCH_FLAGS,
  parseStateTensorName,
  SCALAR_STATE,
} from "./names.js";
import { decodeSafetensors } from "./safetensors.js";

/** What {@link loadPyTorchState} reads: the JSON (parsed, or its text) and the safetensors bytes. */
export interface PyTorchStateInput {
  json: PyTorchStateJson | string;
  safetensors: Uint8Array;
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/** A group's options in Descent's spelling; PyTorch's implementation flags dropped. */
function readGroup(kind: string, saved: unknown, g: number, defaults: object): SavedParamGroup {
  const where = `loadPyTorchState: param_groups[${g}]`;
  if (!isRecord(saved) || !Array.isArray(saved.params)) {
    throw new TypeError(`${where} is ${show(saved)}, expected an object with params`);
  }
  const decoupled = saved.decoupled_weight_decay;
  if ((kind === "Adam" && decoupled === true) || (kind === "AdamW" && decoupled === false)) {
    throw new TypeError(
      `${where} has decoupled_weight_decay ${show(decoupled)}: that is ${kind === "Adam" ? "AdamW" : "Adam"}'s update, load it into ${kind === "Adam" ? "AdamW" : "Adam"}`,
    );
  }
  const group: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(saved)) {
    if (IMPLEMENTATION_KEYS.includes(key)) continue;
    if (key === "decoupled_weight_decay" && (kind === "Adam" || kind === "AdamW")) continue;
    group[key === "params" ? key : snakeToCamel(key)] = value;
  }
  for (const [key, value] of Object.entries(ADDED_OPTIONS)) {
    if (Object.hasOwn(defaults, key) && !Object.hasOwn(group, key)) group[key] = value;
  }
  return encodeValue(group, where) as unknown as SavedParamGroup;
}

/**
 * Loads a state in PyTorch's layout (written by `toPyTorchState`, or from a PyTorch run by the
 * snippet in the package README) into `optimizer`, which must be of the same class, over
 * parameters of the same sizes in the same order. Options come back in Descent's spelling
 * (`weight_decay` → `weightDecay`, `initial_lr` → `initialLr`); PyTorch's implementation flags
 * (`foreach`, `fused`, `capturable`, `differentiable`) are dropped; options older PyTorch releases
 * did not have (`maximize`, `decoupled_weight_decay`) take the values that match them. SGD's state
 * has no step count in PyTorch: its parameters get step 0.
 *
 * Everything is checked before the optimizer changes (the class, the file, every tensor's name,
 * dtype and size, then `loadStateDict`'s own checks); errors name the file and the tensor.
 */
export function loadPyTorchState(optimizer: Optimizer, input: PyTorchStateInput): void {
  if (!isRecord(input)) {
    throw new TypeError(`loadPyTorchState: expected { json, safetensors }, got ${show(input)}`);
  }
  let json: unknown = input.json;
  if (typeof json === "string") {
    try {
      json = JSON.parse(json);
    } catch {
      throw new TypeError("loadPyTorchState: the JSON file is not valid JSON");
    }
  }
  if (!isRecord(json) || json.format !== PYTORCH_STATE_FORMAT) {
    throw new TypeError(
      `loadPyTorchState: the JSON is not an optimizer state in PyTorch's layout (expected format "${PYTORCH_STATE_FORMAT}", got ${show(isRecord(json) ? json.format : json)})`,
    );
  }
  if (json.version !== PYTORCH_STATE_VERSION) {
    throw new RangeError(
      `loadPyTorchState: unsupported version ${show(json.version)} (this build reads version ${PYTORCH_STATE_VERSION})`,
    );
  }
  const kind = optimizer.kind;
  if (json.optimizer !== kind) {
    throw new TypeError(
      `loadPyTorchState: the state is for torch.optim.${String(json.optimizer)}, not ${kind}`,
    );
  }
  if (PYTORCH_FLAGS[kind] === undefined) {
    throw new TypeError(`loadPyTorchState: ${kind} has no state layout shared with torch.optim`);
  }
  if (!Array.isArray(json.param_groups)) {
    throw new TypeError(`loadPyTorchState: param_groups is ${show(json.param_groups)}, expected a list`);
  }
  const paramGroups = json.param_groups.map((g, i) => readGroup(kind, g, i, optimizer.defaults));
  const params = optimizer.paramGroups.flatMap((g) => g.params);
  const { tensors } = decodeSafetensors(input.safetensors, "loadPyTorchState: the safetensors file");
  const scalars = SCALAR_STATE[kind] ?? [];
  const state: Record<string, SavedParamState> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    const parsed = parseStateTensorName(name);
    if (parsed === undefined) {
      throw new RangeError(
        `loadPyTorchState: tensor "${name}" is not named state.<parameter index>.<buffer>`,
      );
    }
    const [index, key] = parsed;
    const where = `loadPyTorchState: tensor "${name}"`;
    if (index >= params.length) {
      throw new RangeError(`${where}: the optimizer has ${params.length} parameters`);
    }
    const entry = (state[index] ??= { step: NO_STEP.includes(kind) ? 0 : Number.NaN });
    if (key === "step" || scalars.includes(key)) {
      if (tensor.data.length !== 1) {
        throw new RangeError(`${where} has ${tensor.data.length} elements; ${key} is one number`);
      }
      if (key === "step") entry.step = tensor.data[0];
      else entry[snakeToCamel(key)] = tensor.data[0];
      continue;
    }
    const n = params[index].data.length;
    if (tensor.data.length !== n) {
      throw new RangeError(`${where} has ${tensor.data.length} elements, but parameter ${index} has ${n}`);
    }
    entry[snakeToCamel(key)] = {
      dtype: tensor.dtype === "F32" ? "float32" : "float64",
      values: Array.from(tensor.data),
    };
  }
  for (const [index, entry] of Object.entries(state)) {
    if (Number.isNaN(entry.step)) {
      throw new RangeError(
        `loadPyTorchState: parameter ${index} has state but no state.${index}.step tensor`,
      );
    }
  }
  const stateDict: OptimizerStateDict = {
    format: STATE_DICT_FORMAT,
    version: STATE_DICT_VERSION,
    kind,
    paramGroups,
    state,
    skippedSteps: 0,
  };
  optimizer.loadStateDict(stateDict);
}

import type { Optimizer } from "../optimizer.js";
import type { Param } from "../param.js";
import type { JsonValue, SavedArray, SavedNumber } from "../state-dict.js";
import { show } from "../validate.js";
import { camelToSnake, NO_STEP, PYTORCH_FLAGS, SCALAR_STATE, stateTensorName } from "./names.js";
import { encodeSafetensors, type StateTensor } from "./safetensors.js";

/** The `format` tag of the JSON half of an optimizer state in PyTorch's layout. */
export const PYTORCH_STATE_FORMAT = "descent-pytorch-optimizer";
/** The version of that JSON this build writes and reads. */
export const PYTORCH_STATE_VERSION = 1;

/** The JSON half: the torch.optim class and its `param_groups`, with PyTorch's option names. */
export interface PyTorchStateJson {
  format: typeof PYTORCH_STATE_FORMAT;
  version: typeof PYTORCH_STATE_VERSION;
  /** The torch.optim class, e.g. `"AdamW"`. */
  optimizer: string;
  /** `torch.optim.Optimizer.state_dict()["param_groups"]`: snake_case options, pairs as lists, `params` as indices. */
  param_groups: ({ params: number[] } & Record<string, JsonValue>)[];
}

/**
 * An optimizer's state in PyTorch's layout: `json` (write it as `<name>.json`) holds the
 * param groups; `safetensors` (write it as `<name>.safetensors`) holds each parameter's state as
 * `state.<index>.<buffer>` tensors under PyTorch's names (`step`, `exp_avg`, `exp_avg_sq`,
 * `max_exp_avg_sq`, `momentum_buffer`, `sum`, `square_avg`, `grad_avg`, `acc_delta`, `exp_inf`,
 * `prev`, `step_size`, `ax`, `eta`, `mu`, `mu_product`).
 */
export interface PyTorchStateFiles {
  json: PyTorchStateJson;
  safetensors: Uint8Array;
}

/** Options of {@link toPyTorchState}. */
export interface ToPyTorchOptions {
  /**
   * Each parameter's shape, in the optimizer's parameter order, given to its state tensors
   * (PyTorch's state has the parameter's shape). Default: the parameter's own `shape` when it has
   * one (a `@descent/tensor` `Tensor`, a TF.js variable through `@descent/tfjs`), else `[length]`.
   */
  shapes?: readonly (readonly number[])[];
}

function decodeNumber(x: SavedNumber): number {
  return typeof x === "number" ? x : x === "-0" ? -0 : Number(x);
}

function shapeOf(p: Param, index: number, given: ToPyTorchOptions["shapes"]): readonly number[] {
  const n = p.data.length;
  const shape = given?.[index] ?? (p as { shape?: unknown }).shape;
  if (!Array.isArray(shape)) return [n];
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || size !== n) {
    throw new RangeError(
      `toPyTorchState: shape ${show(shape)} of parameter ${index} does not fit its ${n} elements`,
    );
  }
  return shape;
}

function plainJson(value: JsonValue, where: string): JsonValue {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && "$number" in value) {
    throw new RangeError(
      `toPyTorchState: ${where} is ${String(value.$number)}, which PyTorch's JSON cannot hold`,
    );
  }
  return value;
}

/**
 * The optimizer's state in PyTorch's layout, to continue the run with `torch.optim.<Rule>`:
 * `load_state_dict` takes it as the snippet in the package README shows. The param groups keep
 * every option (snake_case: `weight_decay`, `initial_lr`, ...) and gain the implementation flags
 * PyTorch stores (`foreach`, `capturable`, ...); `step` and the per-parameter scalars are 0-dim
 * float32 tensors, as in PyTorch; buffers keep the parameter's dtype and take its shape.
 *
 * @throws TypeError for a rule PyTorch's layout does not cover (L-BFGS keeps its history in one
 *   flat state); RangeError for a shape that does not fit.
 */
export function toPyTorchState(optimizer: Optimizer, options: ToPyTorchOptions = {}): PyTorchStateFiles {
  const saved = optimizer.stateDict();
  const kind = saved.kind;
  const flags = PYTORCH_FLAGS[kind];
  if (flags === undefined) {
    throw new TypeError(
      `toPyTorchState: ${kind} has no state layout shared with torch.optim (covered: ${Object.keys(PYTORCH_FLAGS).join(", ")})`,
    );
  }
  const params = optimizer.paramGroups.flatMap((g) => g.params);
  const param_groups = saved.paramGroups.map((group, g) => {
    const out: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(group)) {
      if (key !== "params") out[camelToSnake(key)] = plainJson(value, `param group ${g} ${key}`);
    }
    return { ...out, ...flags, params: [...group.params] };
  });
  const scalars = SCALAR_STATE[kind] ?? [];
  const tensors: Record<string, StateTensor> = {};
  for (const [index, state] of Object.entries(saved.state)) {
    const param = params[Number(index)];
    const shape = shapeOf(param, Number(index), options.shapes);
    for (const [key, value] of Object.entries(state)) {
      const name = camelToSnake(key);
      if (key === "step") {
        if (!NO_STEP.includes(kind)) {
          tensors[stateTensorName(index, name)] = {
            dtype: "F32",
            shape: [],
            data: Float32Array.of(value as number),
          };
        }
      } else if (scalars.includes(name)) {
        tensors[stateTensorName(index, name)] = {
          dtype: "F32",
          shape: [],
          data: Float32Array.of(decodeNumber(value as SavedNumber)),
        };
      } else {
        const { dtype, values } = value as SavedArray;
        tensors[stateTensorName(index, name)] = {
          dtype: dtype === "float32" ? "F32" : "F64",
          shape,
          data:
            dtype === "float32"
              ? Float32Array.from(values, decodeNumber)
              : Float64Array.from(values, decodeNumber),
        };
      }
    }
  }
  return {
    json: {
      format: PYTORCH_STATE_FORMAT,
      version: PYTORCH_STATE_VERSION,
      optimizer: kind,
      param_groups,
    },
    safetensors: encodeSafetensors(tensors, { format: "pt" }),
  };
}

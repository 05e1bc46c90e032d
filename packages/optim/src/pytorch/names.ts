import type { JsonValue } from "../state-dict.js";

/** `weightDecay` → `weight_decay`: PyTorch's spelling of a camelCase option or buffer name. */
export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The torch.optim classes whose state maps one to one, and the group options PyTorch 2.x keeps
 * besides the hyperparameters (written on export with PyTorch's defaults, ignored on import: they
 * choose an implementation, not the arithmetic). AdamW carries `decoupled_weight_decay: True`, as
 * PyTorch ≥ 2.7 defines AdamW as Adam with it; older releases ignore the key.
 */
export const PYTORCH_FLAGS: Readonly<Record<string, Readonly<Record<string, JsonValue>>>> = {
  SGD: { foreach: null, differentiable: false, fused: null },
  Adam: {
    foreach: null,
    capturable: false,
    differentiable: false,
    fused: null,
    decoupled_weight_decay: false,
  },
  AdamW: {
    foreach: null,
    capturable: false,
    differentiable: false,
    fused: null,
    decoupled_weight_decay: true,
  },
  Adagrad: { foreach: null, differentiable: false, fused: null },
  RMSprop: { foreach: null, capturable: false, differentiable: false },
  Adadelta: { foreach: null, capturable: false, differentiable: false },
  Adamax: { foreach: null, capturable: false, differentiable: false },
  NAdam: { foreach: null, capturable: false, differentiable: false },
  RAdam: { foreach: null, capturable: false, differentiable: false },
  Rprop: { foreach: null, capturable: false, differentiable: false },
  ASGD: { foreach: null, capturable: false, differentiable: false },
};

/** Group keys of PyTorch that select an implementation (or name parameters) and are dropped on import. */
export const IMPLEMENTATION_KEYS: readonly string[] = [
  "foreach",
  "fused",
  "capturable",
  "differentiable",
  "param_names",
];

/**
 * Options later PyTorch releases added, with the value that keeps the older behaviour: a group
 * exported by a release without them gets them on import, as PyTorch's own `__setstate__` does.
 */
export const ADDED_OPTIONS: Readonly<Record<string, unknown>> = {
  maximize: false,
  decoupledWeightDecay: false,
};

/** Per-parameter state that is a number (a 0-dim float32 tensor in PyTorch), not a buffer. */
export const SCALAR_STATE: Readonly<Record<string, readonly string[]>> = {
  NAdam: ["mu_product"],
  ASGD: ["eta", "mu"],
};

/** Classes whose PyTorch state has no `step` (SGD counts nothing). */
export const NO_STEP: readonly string[] = ["SGD"];

/** The name of a state tensor in the safetensors file: `state.<parameter index>.<PyTorch buffer name>`. */
export function stateTensorName(index: number | string, key: string): string {
  return `state.${index}.${key}`;
}

/** The `[index, key]` of a state tensor's name, or undefined if it is not one. */
export function parseStateTensorName(name: string): [number, string] | undefined {
  const m = /^state\.(0|[1-9]\d*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(name);
  return m === null ? undefined : [Number(m[1]), m[2]];
}

/**
 * Module weights ↔ safetensors bytes. Keys are the module's `stateDict()` keys (PyTorch's
 * `state_dict()` names), dtypes F32/F64 follow the parameters, and the metadata carries
 * `{ format: "pt" }` as `safetensors.torch.save_file` users expect, so
 *   model.load_state_dict(safetensors.torch.load_file("model.safetensors"))
 * works in Python for the same architecture, and files written by PyTorch load here.
 */
import type { LoadStateDictOptions, LoadStateDictResult, Module, TensorLike } from "./module.js";
import { checkOptions } from "./options.js";
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  type SafetensorsTensor,
} from "./safetensors.js";

export interface SaveSafetensorsOptions {
  /** Extra string metadata; `format: "pt"` is added unless given. */
  metadata?: Record<string, string>;
}

/** The module's parameters as safetensors bytes. */
export function saveSafetensors(module: Module, options: SaveSafetensorsOptions = {}): Uint8Array {
  const { metadata = {} } = checkOptions("saveSafetensors", options, ["metadata"]);
  const tensors: Record<string, SafetensorsTensor> = Object.create(null);
  // encodeSafetensors copies the bytes into the file, so the live tensors are read without a snapshot.
  const state = module.stateDict({ keepVars: true });
  for (const name of Object.keys(state)) {
    const t = state[name];
    tensors[name] = { dtype: t.dtype === "float64" ? "F64" : "F32", shape: t.shape, data: t.data };
  }
  return encodeSafetensors(tensors, { format: "pt", ...metadata });
}

/**
 * Loads safetensors bytes into the module's parameters (float tensors of any float dtype;
 * values are converted to each parameter's dtype). Validation is that of `decodeSafetensors`
 * then `loadStateDict` (strict by default); on any error nothing is written.
 */
export function loadSafetensors(
  module: Module,
  bytes: Uint8Array,
  options: LoadStateDictOptions = {},
): LoadStateDictResult & { metadata: Record<string, string> | undefined } {
  checkOptions("loadSafetensors", options, ["strict", "allowNonFinite"]);
  const { tensors, metadata } = decodeSafetensors(bytes);
  const state: Record<string, TensorLike> = Object.create(null);
  for (const name of Object.keys(tensors)) {
    const t = tensors[name];
    if (t.dtype !== "F32" && t.dtype !== "F64" && t.dtype !== "F16" && t.dtype !== "BF16") {
      throw new SafetensorsError(`dtype ${t.dtype} cannot load into a float parameter`, name);
    }
    state[name] = { shape: t.shape, data: t.data };
  }
  return { ...module.loadStateDict(state, options), metadata };
}

// Optimizer state in PyTorch's layout (safetensors + JSON), both ways.
export {
  PYTORCH_STATE_FORMAT,
  PYTORCH_STATE_VERSION,
  type PyTorchStateFiles,
  type PyTorchStateJson,
  type ToPyTorchOptions,
  toPyTorchState,
} from "./export.js";
export { loadPyTorchState, type PyTorchStateInput } from "./import.js";

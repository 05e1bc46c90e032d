// Optimizer rules, param groups, state save/load.
export {
  Adagrad,
  type AdagradHyperparameters,
  type AdagradOptions,
  type AdagradState,
  adagradStep,
} from "./adagrad.js";
export { Adam, type AdamHyperparameters, type AdamOptions, type AdamState, adamStep } from "./adam.js";
export { AdamW, adamwStep } from "./adamw.js";
export * from "./clip.js";
export {
  getKernelBackend,
  type KernelBackend,
  setKernelBackend,
  WASM_MIN_ELEMENTS,
} from "./kernel-backend.js";
export {
  LBFGS,
  type LBFGSHyperparameters,
  type LBFGSOptions,
  type LBFGSSettings,
  type LBFGSState,
} from "./lbfgs.js";
export { NonFiniteGradientError, type NonFinitePolicy } from "./non-finite.js";
export {
  type BaseHyperparameters,
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type ParamsInput,
  type StateLayout,
} from "./optimizer.js";
export type { FloatArray, Param } from "./param.js";
export {
  RMSprop,
  type RMSpropHyperparameters,
  type RMSpropOptions,
  type RMSpropState,
  rmspropStep,
} from "./rmsprop.js";
export * from "./schedulers/index.js";
export { SGD, type SGDHyperparameters, type SGDOptions, type SGDState, sgdStep } from "./sgd.js";
export {
  type JsonValue,
  type OptimizerStateDict,
  type SavedArray,
  type SavedNumber,
  type SavedParamGroup,
  type SavedParamState,
  STATE_DICT_FORMAT,
  STATE_DICT_VERSION,
} from "./state-dict.js";

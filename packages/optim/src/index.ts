// Optimizer rules (listed in the catalog), param groups, state save/load, schedulers, clipping.
export * from "./averaging/index.js";
export * from "./catalog.js";
export type {
  BooleanHyperparameter,
  ChoiceHyperparameter,
  Hyperparameter,
  HyperparameterValue,
  NumberHyperparameter,
  OptimizerEntry,
  OptimizerFactory,
  RuleReference,
} from "./catalog-entry.js";
export {
  checkHyperparameter,
  createOptimizer,
  defaultValues,
  optimizerEntry,
  optionsFromValues,
  rangeText,
} from "./catalog-values.js";
export * from "./clip.js";
export {
  getKernelBackend,
  type KernelBackend,
  setKernelBackend,
  WASM_MIN_ELEMENTS,
} from "./kernel-backend.js";
export type { StateLayout } from "./load-state-dict.js";
export { NonFiniteGradientError, type NonFinitePolicy } from "./non-finite.js";
export {
  type BaseHyperparameters,
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type ParamsInput,
} from "./optimizer.js";
export type { FloatArray, Param } from "./param.js";
export * from "./pytorch/index.js";
export * from "./schedulers/index.js";
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
export { hasTrainEvalModes, type TrainEvalOptimizer } from "./train-eval.js";

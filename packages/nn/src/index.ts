/**
 * @descent/nn — modules, seeded initialisation, losses and safetensors I/O on @descent/tensor.
 * @packageDocumentation
 */
export * as init from "./init.js";
export {
  calculateFanInAndFanOut,
  calculateGain,
  constant,
  constant_,
  type FanMode,
  type GeneratorOption,
  type InitTarget,
  type KaimingOptions,
  kaimingNormal,
  kaimingNormal_,
  kaimingUniform,
  kaimingUniform_,
  type Nonlinearity,
  normal,
  normal_,
  ones,
  ones_,
  uniform,
  uniform_,
  xavierNormal,
  xavierNormal_,
  xavierUniform,
  xavierUniform_,
  zeros,
  zeros_,
} from "./init.js";
export { binaryCrossEntropyWithLogits, crossEntropy, type LossOptions, mseLoss } from "./losses.js";
export {
  type LoadStateDictOptions,
  type LoadStateDictResult,
  Module,
  type StateDict,
  type TensorLike,
} from "./module.js";
export { GELU, LeakyReLU, ReLU, Sigmoid, Tanh } from "./modules/activation.js";
export { Dropout } from "./modules/dropout.js";
export { Linear, type LinearOptions } from "./modules/linear.js";
export { type ActivationName, MLP, type MLPOptions } from "./modules/mlp.js";
export { Sequential } from "./modules/sequential.js";
export type { RandomSource } from "./random.js";
export * from "./safetensors.js";
export { loadSafetensors, type SaveSafetensorsOptions, saveSafetensors } from "./serialization.js";

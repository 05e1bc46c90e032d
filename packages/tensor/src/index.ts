/**
 * @descent/tensor — reverse-mode autograd tensors with PyTorch semantics.
 * @packageDocumentation
 */

export {
  type Backend,
  type BinaryKernel,
  type MatmulArgs,
  Reduce,
  type UnaryKernel,
} from "./backend/backend.js";
export { getBackend, setBackend } from "./backend/index.js";
export { referenceBackend } from "./backend/reference.js";
export { createWasmBackend, loadWasmBackend, WASM_MATMUL_MIN_MACS } from "./backend/wasm.js";
export { wasmSimdSupported } from "./backend/wasm-module.js";
export { selectDefaultBackend } from "./backend/wasm-select.js";
export {
  arange,
  type CreateOptions,
  eye,
  full,
  ones,
  onesLike,
  type RandintOptions,
  type RandomOptions,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from "./creation.js";
export { defineOp, type OpDefinition } from "./custom.js";
export type { DType, FloatArray } from "./dtype.js";
export { type BackwardOptions, detectAnomaly, isGradEnabled, noGrad, setDetectAnomaly } from "./engine.js";
export { erf, erfc } from "./erf.js";
export { type GradcheckOptions, gradcheck } from "./gradcheck.js";
export { binaryCrossEntropyWithLogits, crossEntropy, type LossOptions, mseLoss } from "./losses.js";
export type { NestedArray, TensorData } from "./nested.js";
export {
  add,
  type Condition,
  div,
  eq,
  ge,
  gt,
  le,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  sub,
  type TensorOrNumber,
  where,
} from "./ops/binary.js";
export { type Conv2dOptions, conv2d } from "./ops/conv.js";
export { embedding } from "./ops/embedding.js";
export { concat, gather, type Indices, indexSelect, rows, stack } from "./ops/indexing.js";
export { linear, matmul } from "./ops/matmul.js";
export { type BatchNormOptions, batchNorm, layerNorm } from "./ops/norm.js";
export type { Ctx, Forward, Grads, OpName, Reduction } from "./ops/op.js";
export {
  type AvgPool2dOptions,
  avgPool2d,
  type MaxPool2dOptions,
  maxPool2d,
} from "./ops/pool.js";
export { argmax, argmin, type Dims, logsumexp, max, mean, min, sum } from "./ops/reduce.js";
export { narrow, slice } from "./ops/slice.js";
export { logSoftmax, softmax } from "./ops/softmax.js";
export { OPS } from "./ops/table.js";
export {
  abs,
  clamp,
  cos,
  exp,
  gelu,
  leakyRelu,
  log,
  neg,
  pow,
  relu,
  sigmoid,
  sin,
  sqrt,
  tanh,
} from "./ops/unary.js";
export { std, type VarOptions, variance, variance as var } from "./ops/variance.js";
export { cast, flatten, permute, reshape, squeeze, transpose, unsqueeze } from "./ops/view.js";
export { defaultGenerator, Generator, type GeneratorState, manualSeed } from "./random.js";
export { MAX_DIMS, MAX_ELEMENTS, type Shape } from "./shape.js";
export { Tensor, type TensorOptions } from "./tensor.js";

import type { DType, FloatArray } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import type { Geometry2d } from "./conv.js";

/** What a forward pass produces: the output storage and shape, plus anything backward needs. */
export interface Forward {
  data: FloatArray;
  shape: readonly number[];
  saved?: unknown;
}

/** What a backward pass sees: the inputs, the op's attributes, its output and its saved values. */
export interface Ctx<A> {
  readonly inputs: readonly Tensor[];
  readonly attrs: A;
  readonly outData: FloatArray;
  readonly outShape: readonly number[];
  readonly saved: unknown;
}

/**
 * Gradient of each input, or `null` when `needs[i]` is false. A gradient is either input-shaped or,
 * for broadcasting ops, output-shaped — the engine then sums it down to the input's shape.
 */
export type Grads = (FloatArray | null)[];

/**
 * A differentiable primitive: forward and backward side by side. Neither may be omitted.
 *
 * `forward` must not write into its inputs; `backward` returns fresh arrays or `g` itself and must
 * not write into `g`, the inputs or the output (`ctx.outData`).
 */
export interface Op<A> {
  readonly name: string;
  forward(inputs: readonly Tensor[], attrs: A): Forward;
  backward(g: FloatArray, ctx: Ctx<A>, needs: readonly boolean[]): Grads;
  /**
   * The storages `backward` reads: input indices and/or `"output"` (its own result, `ctx.outData`).
   * Default: every input and the output. Backward throws if one of them was overwritten after the
   * forward pass; storages not listed may change freely (`add` reads neither input: `[]`).
   */
  readonly backwardReads?: readonly (number | "output")[];
}

/** Attributes of a unary elementwise op: its kernel parameters. */
export interface UnaryAttrs {
  p0: number;
  p1: number;
}

/** Reduction attributes: normalised dims (sorted) and keepdim. */
export interface ReduceAttrs {
  dims: number[];
  keepdim: boolean;
}

/** A strided range along one dim: entries `start, start + step, …` (`length` of them). */
export interface SliceAttrs {
  dim: number;
  start: number;
  step: number;
  length: number;
}

/** Variance/standard-deviation attributes: reduction dims plus the degrees-of-freedom correction. */
export interface VarAttrs extends ReduceAttrs {
  correction: number;
  /** No dim was given (PyTorch's backward special-cases n ≤ correction then). */
  allDims: boolean;
}

/** Embedding lookup: flat row indices and the indices' shape. */
export interface EmbeddingAttrs {
  index: Int32Array;
  indexShape: number[];
}

/** layerNorm: elements per normalised slice, eps, and which affine parameters follow the input. */
export interface LayerNormAttrs {
  m: number;
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
}

/** batchNorm: the per-channel mean and variance to normalise with (batch or running ones). */
export interface BatchNormAttrs {
  training: boolean;
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
  mean: Float64Array;
  var: Float64Array;
}

/** conv2d: the 2-D geometry (see `conv.ts`) and the number of groups. */
export interface Conv2dAttrs {
  geom: Geometry2d;
  groups: number;
}

/** maxPool2d: the window geometry (dilation 1). */
export interface MaxPool2dAttrs {
  geom: Geometry2d;
}

/** avgPool2d: the window geometry and whether padding counts in the divisor. */
export interface AvgPool2dAttrs {
  geom: Geometry2d;
  countIncludePad: boolean;
}

/** The elementwise unary primitives; each carries its kernels in `unary.ts`. */
export interface UnaryOpAttrs {
  neg: UnaryAttrs;
  exp: UnaryAttrs;
  log: UnaryAttrs;
  sqrt: UnaryAttrs;
  abs: UnaryAttrs;
  sin: UnaryAttrs;
  cos: UnaryAttrs;
  tanh: UnaryAttrs;
  sigmoid: UnaryAttrs;
  relu: UnaryAttrs;
  leakyRelu: UnaryAttrs;
  gelu: UnaryAttrs;
  geluTanh: UnaryAttrs;
  clamp: UnaryAttrs;
  pow: UnaryAttrs;
}

/** The elementwise binary primitives (broadcasting); each carries its kernel in `binary.ts`. */
export interface BinaryOpAttrs {
  add: null;
  sub: null;
  mul: null;
  div: null;
  maximum: null;
  minimum: null;
}

/**
 * Every differentiable primitive and the type of its attributes. The op table in `table.ts` is a
 * mapped type over these keys, so adding a primitive without a forward AND a backward is a compile
 * error; the gradcheck test has a case per key, so it cannot be left untested either.
 */
export interface OpAttrs extends UnaryOpAttrs, BinaryOpAttrs {
  where: null;
  matmul: null;
  linear: null;
  sum: ReduceAttrs;
  mean: ReduceAttrs;
  max: ReduceAttrs;
  min: ReduceAttrs;
  maxDim: ReduceAttrs;
  minDim: ReduceAttrs;
  logsumexp: ReduceAttrs;
  softmax: { dim: number };
  logSoftmax: { dim: number };
  reshape: { shape: number[] };
  cast: { dtype: DType };
  permute: { perm: number[] };
  concat: { dim: number };
  indexSelect: { dim: number; index: Int32Array };
  gather: { dim: number; index: Int32Array; indexShape: number[] };
  crossEntropy: { targets: Int32Array; reduction: Reduction };
  bceWithLogits: { reduction: Reduction };
  mseLoss: { reduction: Reduction };
  slice: SliceAttrs;
  var: VarAttrs;
  std: VarAttrs;
  embedding: EmbeddingAttrs;
  layerNorm: LayerNormAttrs;
  batchNorm: BatchNormAttrs;
  conv2d: Conv2dAttrs;
  maxPool2d: MaxPool2dAttrs;
  avgPool2d: AvgPool2dAttrs;
}

/** How a loss reduces over elements, as in PyTorch. */
export type Reduction = "mean" | "sum" | "none";

export type OpName = keyof OpAttrs;
export type UnaryOpName = keyof UnaryOpAttrs;
export type BinaryOpName = keyof BinaryOpAttrs;
export type OpTable = { readonly [K in OpName]: Op<OpAttrs[K]> };

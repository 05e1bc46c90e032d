/**
 * Parameter initialisation, PyTorch's `torch.nn.init` in camelCase. Every function fills its
 * tensor IN PLACE (like PyTorch's trailing-underscore functions, which are also exported under
 * those names) and returns it. Random fills draw from an explicit `generator` (default: the
 * tensor package's default generator) one draw per element in row-major order, so the same seed
 * gives bit-identical weights. Values are computed in float64 and rounded once when the tensor is
 * float32. No autograd graph is recorded: the fill writes the storage directly.
 */
import { checkGenerator, checkOptions } from "./options.js";
import { defaultRandom, type RandomSource } from "./random.js";

/** What the init functions fill: a tensor, or anything with a shape and float storage. */
export interface InitTarget {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

export interface GeneratorOption {
  /** Source of randomness (default: the tensor package's default generator). */
  generator?: RandomSource;
}

/** PyTorch's `nonlinearity` names for {@link calculateGain}. */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

const GAIN_ONE = new Set([
  "linear",
  "conv1d",
  "conv2d",
  "conv3d",
  "conv_transpose1d",
  "conv_transpose2d",
  "conv_transpose3d",
  "sigmoid",
]);

/**
 * The recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`):
 *
 *   linear, conv*, sigmoid → 1      tanh → 5/3      relu → √2
 *   leaky_relu → √(2 / (1 + slope²)), slope = `param` (default 0.01)      selu → 3/4
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (GAIN_ONE.has(nonlinearity)) return 1;
  switch (nonlinearity) {
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || !Number.isFinite(slope)) {
        throw new TypeError(`calculateGain: negative_slope ${String(param)} is not a valid number`);
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new RangeError(
        `calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)} (expected one of linear, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu, selu)`,
      );
  }
}

/**
 * `torch.nn.init._calculate_fan_in_and_fan_out`: for a weight of shape [out, in, ...k],
 *   fanIn = in · ∏k,   fanOut = out · ∏k.
 * Needs at least 2 dimensions.
 */
export function calculateFanInAndFanOut(tensor: InitTarget): { fanIn: number; fanOut: number } {
  const shape = tensor.shape;
  if (shape.length < 2) {
    throw new RangeError(
      `calculateFanInAndFanOut: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [${shape.join(", ")}])`,
    );
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function checkTarget(op: string, tensor: InitTarget): void {
  if (
    tensor === null ||
    typeof tensor !== "object" ||
    !(tensor.data instanceof Float32Array || tensor.data instanceof Float64Array)
  ) {
    throw new TypeError(`${op}: expected a float tensor`);
  }
}

function checkNumber(op: string, name: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new RangeError(`${op}: ${name} must be a finite number, got ${v}`);
}

/** Fill with U(a, b): `a + (b − a)·u`, u ~ U[0, 1). Requires a ≤ b. */
export function uniform<T extends InitTarget>(
  tensor: T,
  options: { a?: number; b?: number } & GeneratorOption = {},
): T {
  const { a = 0, b = 1 } = checkOptions("uniform", options, ["a", "b", "generator"]);
  const generator = checkGenerator("uniform", options.generator);
  checkTarget("uniform", tensor);
  checkNumber("uniform", "a", a);
  checkNumber("uniform", "b", b);
  if (a > b) throw new RangeError(`uniform: expects a ≤ b, but found a=${a} > b=${b}`);
  const g = generator ?? defaultRandom();
  const d = tensor.data;
  const width = b - a;
  for (let i = 0; i < d.length; i++) d[i] = a + width * g.random();
  return tensor;
}

/** Fill with N(mean, std²): `mean + std·z`, z ~ N(0, 1). Requires std ≥ 0. */
export function normal<T extends InitTarget>(
  tensor: T,
  options: { mean?: number; std?: number } & GeneratorOption = {},
): T {
  const { mean = 0, std = 1 } = checkOptions("normal", options, ["mean", "std", "generator"]);
  const generator = checkGenerator("normal", options.generator);
  checkTarget("normal", tensor);
  checkNumber("normal", "mean", mean);
  checkNumber("normal", "std", std);
  if (std < 0) throw new RangeError(`normal: expects std ≥ 0, but found std=${std}`);
  const g = generator ?? defaultRandom();
  const d = tensor.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * g.normal();
  return tensor;
}

/** Fill with a constant. */
export function constant<T extends InitTarget>(tensor: T, value: number): T {
  checkTarget("constant", tensor);
  if (typeof value !== "number") throw new TypeError(`constant: value must be a number, got ${typeof value}`);
  tensor.data.fill(value);
  return tensor;
}

/** Fill with 0. */
export function zeros<T extends InitTarget>(tensor: T): T {
  return constant(tensor, 0);
}

/** Fill with 1. */
export function ones<T extends InitTarget>(tensor: T): T {
  return constant(tensor, 1);
}

/**
 * Glorot/Xavier uniform (Glorot & Bengio, 2010): U(−bound, bound) with
 *   std = gain · √(2 / (fanIn + fanOut)),   bound = √3 · std.
 */
export function xavierUniform<T extends InitTarget>(
  tensor: T,
  options: { gain?: number } & GeneratorOption = {},
): T {
  const { gain = 1 } = checkOptions("xavierUniform", options, ["gain", "generator"]);
  const generator = checkGenerator("xavierUniform", options.generator);
  checkTarget("xavierUniform", tensor);
  checkNumber("xavierUniform", "gain", gain);
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const bound = Math.sqrt(3) * std;
  return uniform(tensor, { a: -bound, b: bound, generator });
}

/** Glorot/Xavier normal: N(0, std²) with std = gain · √(2 / (fanIn + fanOut)). */
export function xavierNormal<T extends InitTarget>(
  tensor: T,
  options: { gain?: number } & GeneratorOption = {},
): T {
  const { gain = 1 } = checkOptions("xavierNormal", options, ["gain", "generator"]);
  const generator = checkGenerator("xavierNormal", options.generator);
  checkTarget("xavierNormal", tensor);
  checkNumber("xavierNormal", "gain", gain);
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  return normal(tensor, { mean: 0, std: gain * Math.sqrt(2 / (fanIn + fanOut)), generator });
}

/** Which fan Kaiming init preserves: `fanIn` (the forward pass, default) or `fanOut` (backward). */
export type FanMode = "fanIn" | "fanOut" | "fan_in" | "fan_out";

export interface KaimingOptions extends GeneratorOption {
  /** Negative slope of the rectifier after this layer (only used with `leaky_relu`). Default 0. */
  a?: number;
  /** Default `"fanIn"`. PyTorch's spellings `"fan_in"` / `"fan_out"` are accepted too. */
  mode?: FanMode;
  /** Default `"leaky_relu"`, as in PyTorch. */
  nonlinearity?: Nonlinearity;
}

const KAIMING_OPTIONS = ["a", "mode", "nonlinearity", "generator"];

function kaimingStd(
  op: string,
  tensor: InitTarget,
  a: number,
  mode: FanMode,
  nonlinearity: Nonlinearity,
): number {
  checkTarget(op, tensor);
  checkNumber(op, "a", a);
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  let fan: number;
  if (mode === "fanIn" || mode === "fan_in") fan = fanIn;
  else if (mode === "fanOut" || mode === "fan_out") fan = fanOut;
  else throw new RangeError(`${op}: mode ${JSON.stringify(mode)} is not supported, use "fanIn" or "fanOut"`);
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform (He et al., 2015): U(−bound, bound) with
 *   std = gain / √fan,   bound = √3 · std,   gain = calculateGain(nonlinearity, a).
 * A tensor with no elements is left as is (PyTorch warns and does nothing).
 * `nn.Linear` uses a = √5, which gives bound = 1/√fanIn.
 */
export function kaimingUniform<T extends InitTarget>(tensor: T, options: KaimingOptions = {}): T {
  const {
    a = 0,
    mode = "fanIn",
    nonlinearity = "leaky_relu",
  } = checkOptions("kaimingUniform", options, KAIMING_OPTIONS);
  const generator = checkGenerator("kaimingUniform", options.generator);
  checkTarget("kaimingUniform", tensor);
  if (tensor.data.length === 0) return tensor;
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform", tensor, a, mode, nonlinearity);
  return uniform(tensor, { a: -bound, b: bound, generator });
}

/** He/Kaiming normal: N(0, std²) with std = gain / √fan. Empty tensors are left as is. */
export function kaimingNormal<T extends InitTarget>(tensor: T, options: KaimingOptions = {}): T {
  const {
    a = 0,
    mode = "fanIn",
    nonlinearity = "leaky_relu",
  } = checkOptions("kaimingNormal", options, KAIMING_OPTIONS);
  const generator = checkGenerator("kaimingNormal", options.generator);
  checkTarget("kaimingNormal", tensor);
  if (tensor.data.length === 0) return tensor;
  const std = kaimingStd("kaimingNormal", tensor, a, mode, nonlinearity);
  return normal(tensor, { mean: 0, std, generator });
}

// PyTorch's in-place spellings, for readers coming from `torch.nn.init`.
export {
  constant as constant_,
  kaimingNormal as kaimingNormal_,
  kaimingUniform as kaimingUniform_,
  normal as normal_,
  ones as ones_,
  uniform as uniform_,
  xavierNormal as xavierNormal_,
  xavierUniform as xavierUniform_,
  zeros as zeros_,
};

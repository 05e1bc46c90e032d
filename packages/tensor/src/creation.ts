import { checkBoolean, checkOptions, checkTensor, describeValue } from "./check.js";
import { allocateShape, checkDType, type DType } from "./dtype.js";
import type { TensorData } from "./nested.js";
import { defaultGenerator, Generator } from "./random.js";
import { checkNumel, checkShape } from "./shape.js";
import { Tensor, type TensorOptions } from "./tensor.js";

/** Options of the creation functions. */
export interface CreateOptions {
  /** `"float32"` (default) or `"float64"`. */
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreateOptions {
  /** Source of randomness; the default generator (see `manualSeed`) when omitted. */
  generator?: Generator;
}

const CREATE_OPTIONS = ["dtype", "requiresGrad"];
const RANDOM_OPTIONS = ["dtype", "requiresGrad", "generator"];
const RANDINT_OPTIONS = ["dtype", "requiresGrad", "generator", "low", "high"];

/** The `requiresGrad` option: `false` when absent, else it must be a boolean. */
function requiresGradOf(op: string, opts: CreateOptions): boolean {
  return opts.requiresGrad === undefined ? false : checkBoolean(op, "requiresGrad", opts.requiresGrad);
}

/**
 * A tensor from nested arrays (`[[1, 2], [3, 4]]`), a number (0-d), a flat array or typed array
 * (1-D, or `shape`). Values are copied. Ragged arrays and non-numbers are errors.
 */
export function tensor(values: TensorData, opts: TensorOptions = {}): Tensor {
  return Tensor.from(values, opts);
}

/** A tensor of `shape` filled with `fill`; `opts` were validated against the caller's option names. */
function make(op: string, shape: readonly number[], opts: CreateOptions, fill: number): Tensor {
  const s = checkShape(op, shape);
  const requiresGrad = requiresGradOf(op, opts);
  const data = allocateShape(op, checkDType(op, opts.dtype ?? "float32"), s);
  if (fill !== 0) data.fill(fill);
  return new Tensor(data, s, { requiresGrad });
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return make("zeros", shape, checkOptions("zeros", opts, CREATE_OPTIONS), 0);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return make("ones", shape, checkOptions("ones", opts, CREATE_OPTIONS), 1);
}

/** A tensor filled with `value` (±Infinity and NaN allowed: they can be meant, e.g. masks). */
export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  if (typeof value !== "number")
    throw new TypeError(`full: fill value must be a number, got ${typeof value}`);
  return make("full", shape, checkOptions("full", opts, CREATE_OPTIONS), value);
}

/** Zeros with the shape and (by default) dtype of `x`. */
export function zerosLike(x: Tensor, opts: CreateOptions = {}): Tensor {
  checkTensor("zerosLike", "input", x);
  return make(
    "zerosLike",
    x.shape,
    { dtype: x.dtype, ...checkOptions("zerosLike", opts, CREATE_OPTIONS) },
    0,
  );
}

/** Ones with the shape and (by default) dtype of `x`. */
export function onesLike(x: Tensor, opts: CreateOptions = {}): Tensor {
  checkTensor("onesLike", "input", x);
  return make("onesLike", x.shape, { dtype: x.dtype, ...checkOptions("onesLike", opts, CREATE_OPTIONS) }, 1);
}

function finite(op: string, name: string, v: unknown): number {
  if (typeof v !== "number")
    throw new TypeError(`${op}: ${name} must be a finite number, got ${describeValue(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

/**
 * `arange(end)` or `arange(start, end, step?)`: values `start, start+step, …` below `end`
 * (`torch.arange`; length `ceil((end − start)/step)`).
 */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  finite("arange", "start", start);
  finite("arange", "end", end);
  finite("arange", "step", step);
  if (step === 0) throw new RangeError("arange: step must be non-zero");
  if ((end - start) / step < 0) {
    throw new RangeError(
      `arange: upper bound and step sign are inconsistent (start=${start}, end=${end}, step=${step})`,
    );
  }
  const n = checkNumel("arange", Math.ceil((end - start) / step), `arange(${start}, ${end}, ${step})`);
  checkOptions("arange", opts, CREATE_OPTIONS);
  const requiresGrad = requiresGradOf("arange", opts);
  const data = allocateShape("arange", checkDType("arange", opts.dtype ?? "float32"), [n]);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], { requiresGrad });
}

/** `n × m` identity-like matrix (ones on the main diagonal); `m` defaults to `n`. */
export function eye(n: number, m: number = n, opts: CreateOptions = {}): Tensor {
  const t = make("eye", [n, m], { ...checkOptions("eye", opts, CREATE_OPTIONS), requiresGrad: false }, 0);
  for (let i = 0; i < Math.min(n, m); i++) t._data[i * m + i] = 1;
  t.requiresGrad = requiresGradOf("eye", opts);
  return t;
}

/** Uniform values in [0, 1). */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  checkOptions("rand", opts, RANDOM_OPTIONS);
  const requiresGrad = requiresGradOf("rand", opts);
  const t = make("rand", shape, { dtype: opts.dtype }, 0);
  const g = generatorOf("rand", opts);
  const d = t._data;
  for (let i = 0; i < d.length; i++) {
    d[i] = g.random();
    // float32 rounding may reach 1: keep the half-open interval.
    if (d[i] >= 1) d[i] = 0.99999994;
  }
  t.requiresGrad = requiresGrad;
  return t;
}

/** Standard normal values. */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  checkOptions("randn", opts, RANDOM_OPTIONS);
  const requiresGrad = requiresGradOf("randn", opts);
  const t = make("randn", shape, { dtype: opts.dtype }, 0);
  const g = generatorOf("randn", opts);
  const d = t._data;
  for (let i = 0; i < d.length; i++) d[i] = g.normal();
  t.requiresGrad = requiresGrad;
  return t;
}

/** Options of `randint(shape, opts)`: the bounds `[low, high)` travel with the options. */
export interface RandintOptions extends RandomOptions {
  /** Inclusive lower bound (default 0). */
  low?: number;
  /** Exclusive upper bound (required). */
  high?: number;
}

/**
 * Uniform integers in `[low, high)`, stored as floats. Three call forms:
 * `randint(low, high, shape, opts?)` (PyTorch's order), `randint(high, shape, opts?)`, and
 * `randint(shape, { low?, high, ...opts })`.
 */
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(shape: readonly number[], opts: RandintOptions): Tensor;
export function randint(
  a: number | readonly number[],
  b?: number | readonly number[] | RandintOptions,
  c?: readonly number[] | RandomOptions,
  d?: RandomOptions,
): Tensor {
  let low: number;
  let high: number | undefined;
  let shape: readonly number[];
  let opts: RandomOptions;
  if (Array.isArray(a)) {
    const o = checkOptions("randint", b as RandintOptions | undefined, RANDINT_OPTIONS);
    low = o.low ?? 0;
    high = o.high;
    shape = a;
    opts = o;
  } else if (Array.isArray(b)) {
    low = 0;
    high = a as number;
    shape = b;
    opts = c as RandomOptions;
  } else {
    low = a as number;
    high = b as number;
    shape = c as readonly number[];
    opts = d as RandomOptions;
  }
  opts = checkOptions("randint", opts, Array.isArray(a) ? RANDINT_OPTIONS : RANDOM_OPTIONS);
  const requiresGrad = requiresGradOf("randint", opts);
  if (high === undefined || !Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
    throw new RangeError(`randint: need integers low < high, got low=${low}, high=${high}`);
  }
  const t = make("randint", shape, { dtype: opts.dtype }, 0);
  const g = generatorOf("randint", opts);
  const data = t._data;
  for (let i = 0; i < data.length; i++) data[i] = g.randint(low, high);
  t.requiresGrad = requiresGrad;
  return t;
}

/** A random permutation of `0..n-1` (Fisher–Yates), as a float64 tensor of integers. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`randperm: n must be a non-negative integer, got ${String(n)}`);
  checkNumel("randperm", n, `randperm(${n})`);
  checkOptions("randperm", opts, RANDOM_OPTIONS);
  const requiresGrad = requiresGradOf("randperm", opts);
  const dtype = checkDType("randperm", opts.dtype ?? "float64");
  const g = generatorOf("randperm", opts);
  const d = allocateShape("randperm", "float64", [n]);
  for (let i = 0; i < n; i++) d[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    const tmp = d[i];
    d[i] = d[j];
    d[j] = tmp;
  }
  let out = d;
  if (dtype === "float32") {
    out = allocateShape("randperm", "float32", [n]);
    out.set(d);
  }
  const t = new Tensor(out, [n]);
  t.requiresGrad = requiresGrad;
  return t;
}

/** The `generator` option of options already checked by the caller. */
function generatorOf(op: string, opts: RandomOptions): Generator {
  const g = opts.generator ?? defaultGenerator;
  if (!(g instanceof Generator))
    throw new TypeError(`${op}: generator must be a Generator, got ${describeValue(g)}`);
  return g;
}

import type { FloatArray } from "../dtype.js";

/** Elementwise unary kernels. `p0`/`p1` carry the op's numeric parameters (slope, bounds, exponent). */
export const Unary = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  abs: 4,
  tanh: 5,
  sigmoid: 6,
  relu: 7,
  /** p0 = negative slope */
  leakyRelu: 8,
  /** exact (erf) GELU */
  gelu: 9,
  /** p0 = min, p1 = max (±Infinity for none) */
  clamp: 10,
  /** p0 = exponent */
  pow: 11,
  /** tanh-approximated GELU */
  geluTanh: 12,
} as const;
export type UnaryCode = (typeof Unary)[keyof typeof Unary];

/** Elementwise binary kernels (with broadcasting through strides). Comparisons yield 1 or 0. */
export const Binary = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  eq: 6,
  ne: 7,
  lt: 8,
  le: 9,
  gt: 10,
  ge: 11,
  /**
   * a == b ? 0.5 : a < b ? 0 : 1 — the gradient mask of maximum (PyTorch derivatives.yaml:
   * `where(self == other, grad / 2, grad).masked_fill_(self < other, 0)`, so NaN passes grad).
   */
  maxGradMask: 12,
  /** a == b ? 0.5 : a > b ? 0 : 1 — the gradient mask of minimum. */
  minGradMask: 13,
} as const;
export type BinaryCode = (typeof Binary)[keyof typeof Binary];

/** Reductions over the middle axis of an `[outer, r, inner]` view. */
export const Reduce = { sum: 0, max: 1, min: 2 } as const;
export type ReduceCode = (typeof Reduce)[keyof typeof Reduce];

/**
 * The operands of {@link Backend.matmul}: `out[oOff..] (+)= op(A) · op(B)`, where `op(A)` is
 * `m×k`, `op(B)` is `k×n` and `out` is `m×n`, all row-major.
 */
export interface MatmulArgs {
  readonly a: FloatArray;
  /** Where A starts in `a` (default 0). */
  readonly aOff?: number;
  readonly b: FloatArray;
  /** Where B starts in `b` (default 0). */
  readonly bOff?: number;
  readonly out: FloatArray;
  /** Where the result starts in `out` (default 0). */
  readonly oOff?: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** A is stored `k×m` and read transposed (default false). */
  readonly transA?: boolean;
  /** B is stored `n×k` and read transposed (default false). */
  readonly transB?: boolean;
  /** Add the product into `out` instead of overwriting it (default false). */
  readonly accumulate?: boolean;
}

/**
 * The numeric kernels behind every op. All arrays are contiguous row-major; sizes are explicit.
 * The autograd engine never loops over elements itself, so a faster backend (WASM SIMD) can
 * replace {@link referenceBackend} with `setBackend` without touching the engine.
 *
 * Kernels may read arrays of either float dtype and write into `out` of either dtype.
 */
export interface Backend {
  readonly name: string;
  /** `out[oOff..] (+)= op(A) · op(B)`: see {@link MatmulArgs}. */
  matmul(args: MatmulArgs): void;
  /** `out[i] = f(x[i])` for `i < n`. */
  unary(code: UnaryCode, x: FloatArray, out: FloatArray, n: number, p0: number, p1: number): void;
  /** `out[i] = g[i] · f'(x[i])`, given also the forward output `y`. */
  unaryGrad(
    code: UnaryCode,
    x: FloatArray,
    y: FloatArray,
    g: FloatArray,
    out: FloatArray,
    n: number,
    p0: number,
    p1: number,
  ): void;
  /**
   * `out[idx] = a[idx·aStrides] ∘ b[idx·bStrides]` over every index of `outShape`
   * (stride 0 broadcasts). `out` is contiguous.
   */
  binary(
    code: BinaryCode,
    a: FloatArray,
    aStrides: readonly number[],
    b: FloatArray,
    bStrides: readonly number[],
    out: FloatArray,
    outShape: readonly number[],
  ): void;
  /** `out[idx] = x[idx·xStrides]` over `outShape`: a broadcast (expand) copy. */
  expand(x: FloatArray, xStrides: readonly number[], out: FloatArray, outShape: readonly number[]): void;
  /**
   * Sum of `g` (contiguous, shape `gShape`) into `out`, where `outStrides` maps each index of `gShape`
   * to its slot in `out` (stride 0 along summed dims). `out` is overwritten.
   */
  sumTo(g: FloatArray, gShape: readonly number[], out: FloatArray, outStrides: readonly number[]): void;
  /** Reduction of the middle axis of `x` viewed as `[outer, r, inner]` into `out` `[outer, inner]`. */
  reduce(code: ReduceCode, x: FloatArray, out: FloatArray, outer: number, r: number, inner: number): void;
  /** Like `reduce` for max/min, also writing the index (first occurrence; NaN wins) into `idx`. */
  reduceArg(
    code: ReduceCode,
    x: FloatArray,
    out: FloatArray,
    idx: Int32Array,
    outer: number,
    r: number,
    inner: number,
  ): void;
  /** Softmax (or log-softmax with `log`) along the middle axis of `[outer, r, inner]`. */
  softmax(x: FloatArray, out: FloatArray, outer: number, r: number, inner: number, log: boolean): void;
  /**
   * Gradient of softmax / log-softmax from its output `y` and the output gradient `g`:
   * softmax: `gx = y ⊙ (g − Σ g⊙y)`; log-softmax: `gx = g − exp(y) · Σ g`.
   */
  softmaxGrad(
    y: FloatArray,
    g: FloatArray,
    out: FloatArray,
    outer: number,
    r: number,
    inner: number,
    log: boolean,
  ): void;
  /** `out` = `x` (shape `shape`) with its dims permuted: `out.shape[i] = shape[perm[i]]`. */
  permute(x: FloatArray, shape: readonly number[], perm: readonly number[], out: FloatArray): void;
}

import type { FloatArray } from "../dtype.js";

/**
 * The kernels of an elementwise unary op, carried by the op's record (`ops/unary.ts`): a backend
 * runs them, or its own version of the op named `name`. `p0`/`p1` carry the op's numeric
 * parameters (slope, bounds, exponent).
 */
export interface UnaryKernel {
  readonly name: string;
  /** `out[i] = f(x[i])` for `i < n`. */
  forward(x: FloatArray, out: FloatArray, n: number, p0: number, p1: number): void;
  /** `out[i] = g[i] · f'(x[i])` for `i < n`, given also the forward output `y`. */
  backward(
    x: FloatArray,
    y: FloatArray,
    g: FloatArray,
    out: FloatArray,
    n: number,
    p0: number,
    p1: number,
  ): void;
}

/**
 * The kernel of an elementwise binary map, carried by the op's record (`ops/binary.ts`): one
 * strided row, `out[o + j] = a[ai + j·as] ∘ b[bi + j·bs]` for `j < n` (stride 0 broadcasts). The
 * backend walks the rows of a broadcast; comparisons yield 1 or 0.
 */
export interface BinaryKernel {
  readonly name: string;
  row(
    a: FloatArray,
    ai: number,
    as: number,
    b: FloatArray,
    bi: number,
    bs: number,
    out: FloatArray,
    o: number,
    n: number,
  ): void;
}

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
  /** `out[i] = f(x[i])` for `i < n`: the op's {@link UnaryKernel.forward}. */
  unary(kernel: UnaryKernel, x: FloatArray, out: FloatArray, n: number, p0: number, p1: number): void;
  /** `out[i] = g[i] · f'(x[i])`, given also the forward output `y`: {@link UnaryKernel.backward}. */
  unaryGrad(
    kernel: UnaryKernel,
    x: FloatArray,
    y: FloatArray,
    g: FloatArray,
    out: FloatArray,
    n: number,
    p0: number,
    p1: number,
  ): void;
  /**
   * `out[idx] = a[idx·aStrides] ∘ b[idx·bStrides]` over every index of `outShape`, row by row
   * with the op's {@link BinaryKernel.row} (stride 0 broadcasts). `out` is contiguous.
   */
  binary(
    kernel: BinaryKernel,
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

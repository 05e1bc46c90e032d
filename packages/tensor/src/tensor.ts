import { checkBoolean, checkOptions, describeValue } from "./check.js";
import { allocate, checkDType, type DType, dtypeOf, type FloatArray } from "./dtype.js";
import { type BackwardOptions, type Node, runBackward } from "./engine.js";
import { formatTensor } from "./format.js";
import { type NestedArray, parseNested, type TensorData, withShape } from "./nested.js";
import {
  add,
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
} from "./ops/binary.js";
import { gather, type Indices, indexSelect, rows } from "./ops/indexing.js";
import { linear, matmul } from "./ops/matmul.js";
import { argmax, argmin, type Dims, logsumexp, max, mean, min, sum } from "./ops/reduce.js";
import { logSoftmax, softmax } from "./ops/softmax.js";
import { abs, clamp, exp, gelu, leakyRelu, log, neg, pow, relu, sigmoid, sqrt, tanh } from "./ops/unary.js";
import { cast, flatten, permute, reshape, squeeze, transpose, unsqueeze } from "./ops/view.js";
import { fmtShape, sameShape, sizeOf } from "./shape.js";

export interface TensorOptions {
  /** Element type; default `"float32"` (or `"float64"` for a `Float64Array` source). */
  dtype?: DType;
  /** Record operations on this tensor for autograd (makes it a leaf that receives `.grad`). */
  requiresGrad?: boolean;
  /** Shape for flat input (a flat array or typed array). */
  shape?: readonly number[];
}

/**
 * An n-dimensional array of float32 or float64 values with reverse-mode autograd.
 *
 * Storage is contiguous row-major; `data` is the LIVE storage (optimizers update it in place,
 * views made by `reshape`/`squeeze`/`unsqueeze` share it).
 */
export class Tensor {
  /** The live contiguous row-major storage. */
  readonly data: FloatArray;
  /** Size of each dim, outermost first; `[]` for a 0-d tensor. */
  readonly shape: readonly number[];
  /** Gradient accumulated by `backward()` (leaves only), or `null`. */
  grad: Tensor | null = null;
  /** @internal The op that produced this tensor (null for leaves and constants). */
  _node: Node | null = null;
  /** @internal Visit mark of the current backward sweep. */
  _mark = 0;
  /** @internal Gradient being accumulated during a backward sweep. */
  _acc: FloatArray | null = null;
  /** @internal Whether `_acc` was allocated by the sweep (may be updated in place). */
  _accOwned = false;
  #requiresGrad = false;

  /**
   * Wraps `data` (NOT copied) with `shape` (default: 1-D). Prefer {@link tensor} for user data.
   */
  constructor(data: FloatArray, shape?: readonly number[], opts: { requiresGrad?: boolean } = {}) {
    checkOptions("Tensor", opts);
    if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
      throw new TypeError(
        "Tensor: data must be a Float32Array or Float64Array (use tensor() for other input)",
      );
    }
    const s = shape ?? [data.length];
    if (!Array.isArray(s)) {
      throw new TypeError(`Tensor: shape must be an array of integers, got ${describeValue(s)}`);
    }
    for (let i = 0; i < s.length; i++) {
      const d = s[i];
      if (!Number.isInteger(d) || d < 0) {
        throw new RangeError(`Tensor: invalid shape ${fmtShape(s)}: sizes must be non-negative integers`);
      }
    }
    if (sizeOf(s) !== data.length) {
      throw new RangeError(`Tensor: shape ${fmtShape(s)} needs ${sizeOf(s)} elements, got ${data.length}`);
    }
    this.data = data;
    this.shape = s;
    if (opts.requiresGrad) this.requiresGrad = true;
  }

  /** Like {@link tensor}: builds a tensor from nested arrays, a flat array with `shape`, or a typed array. */
  static from(values: TensorData, opts: TensorOptions = {}): Tensor {
    checkOptions("tensor", opts);
    const dtype = checkDType(
      "tensor",
      opts.dtype ?? (values instanceof Float64Array ? "float64" : "float32"),
    );
    let parsed = parseNested("tensor", values as NestedArray, dtype);
    if (opts.shape !== undefined) parsed = withShape("tensor", parsed, opts.shape);
    return new Tensor(parsed.data, parsed.shape, { requiresGrad: opts.requiresGrad === true });
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }
  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }
  /** Number of dims. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Whether gradients flow to/through this tensor. Settable on leaves only. */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }
  set requiresGrad(v: boolean) {
    checkBoolean("requiresGrad", "the value", v);
    if (this._node !== null && !v) {
      throw new TypeError(
        "requiresGrad: can only be changed on leaf tensors; use detach() for a non-grad copy",
      );
    }
    this.#requiresGrad = v;
  }
  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this._node === null;
  }
  /** Name of the op that produced this tensor, or null. */
  get gradFn(): string | null {
    return this._node?.op.name ?? null;
  }

  /** @internal */
  _setRequiresGradInternal(): void {
    this.#requiresGrad = true;
  }

  /** @internal Adds `g` into `.grad` (creating it on first use). */
  _accumulateGrad(g: FloatArray, owned: boolean): void {
    if (this.grad === null) {
      const data = owned ? g : allocate(this.dtype, g.length);
      if (!owned) data.set(g);
      this.grad = new Tensor(data, this.shape.slice());
    } else {
      const d = this.grad.data;
      if (d.length !== g.length) {
        throw new RangeError(
          `backward: existing .grad of shape ${fmtShape(this.grad.shape)} does not match ${fmtShape(this.shape)}`,
        );
      }
      for (let i = 0; i < d.length; i++) d[i] += g[i];
    }
  }

  /**
   * Computes gradients of this tensor w.r.t. every leaf that requires grad, ACCUMULATING into their
   * `.grad` (call `x.grad = null` or an optimizer's zeroGrad between steps). `gradient` (same shape)
   * is required unless the tensor has a single element.
   */
  backward(gradient?: Tensor | TensorData, opts: BackwardOptions = {}): void {
    checkOptions("backward", opts);
    if (!this.requiresGrad) {
      throw new TypeError(
        `backward: tensor of shape ${fmtShape(this.shape)} does not require grad and has no grad_fn`,
      );
    }
    let seed: FloatArray;
    if (gradient === undefined || gradient === null) {
      if (this.size !== 1) {
        throw new RangeError(
          `backward: gradient can be implicitly created only for single-element tensors; got shape ${fmtShape(this.shape)}` +
            " (pass a gradient of the same shape)",
        );
      }
      seed = allocate(this.dtype, 1);
      seed[0] = 1;
    } else {
      // A Tensor must have exactly this shape (as PyTorch); raw values may also be given flat.
      if (!(gradient instanceof Tensor) && typeof gradient !== "number" && typeof gradient !== "object") {
        throw new TypeError(
          `backward: gradient must be a Tensor, a number or an array, got ${describeValue(gradient)}`,
        );
      }
      const g =
        gradient instanceof Tensor
          ? gradient
          : Tensor.from(gradient, {
              dtype: this.dtype,
              shape: ArrayBuffer.isView(gradient) ? this.shape : undefined,
            });
      if (!sameShape(g.shape, this.shape)) {
        throw new RangeError(
          `backward: gradient shape ${fmtShape(g.shape)} does not match tensor shape ${fmtShape(this.shape)}`,
        );
      }
      seed = g.data;
    }
    runBackward(this, seed, opts);
  }

  /** A tensor sharing this storage, cut from the graph (no grad). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape.slice());
  }

  /** A copy with its own storage (in the graph: gradient flows back). */
  clone(): Tensor {
    return this.mul(1);
  }

  /** The value of a single-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new RangeError(
        `item: only single-element tensors can be converted, got shape ${fmtShape(this.shape)}`,
      );
    return this.data[0];
  }

  /** Nested arrays of numbers (a number for a 0-d tensor). */
  toArray(): NestedArray {
    if (this.ndim === 0) return this.data[0];
    const rec = (dim: number, off: number, stride: number): NestedArray => {
      const n = this.shape[dim];
      const inner = stride / n;
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++)
        out[i] = dim === this.ndim - 1 ? this.data[off + i] : rec(dim + 1, off + i * inner, inner);
      return out;
    };
    return rec(0, 0, this.size);
  }

  /** A copy converted to `dtype` (the same tensor if it already has it). Differentiable. */
  to(dtype: DType): Tensor {
    checkDType("to", dtype);
    if (dtype === this.dtype) return this;
    return cast(this, dtype);
  }

  toString(): string {
    return formatTensor(this);
  }

  // ---- elementwise ----
  add(other: TensorOrNumber): Tensor {
    return add(this, other);
  }
  sub(other: TensorOrNumber): Tensor {
    return sub(this, other);
  }
  mul(other: TensorOrNumber): Tensor {
    return mul(this, other);
  }
  div(other: TensorOrNumber): Tensor {
    return div(this, other);
  }
  maximum(other: TensorOrNumber): Tensor {
    return maximum(this, other);
  }
  minimum(other: TensorOrNumber): Tensor {
    return minimum(this, other);
  }
  neg(): Tensor {
    return neg(this);
  }
  pow(exponent: number): Tensor {
    return pow(this, exponent);
  }
  exp(): Tensor {
    return exp(this);
  }
  log(): Tensor {
    return log(this);
  }
  sqrt(): Tensor {
    return sqrt(this);
  }
  abs(): Tensor {
    return abs(this);
  }
  tanh(): Tensor {
    return tanh(this);
  }
  sigmoid(): Tensor {
    return sigmoid(this);
  }
  relu(): Tensor {
    return relu(this);
  }
  leakyRelu(negativeSlope = 0.01): Tensor {
    return leakyRelu(this, negativeSlope);
  }
  gelu(opts: { approximate?: "none" | "tanh" } = {}): Tensor {
    return gelu(this, opts);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return clamp(this, min, max);
  }

  // ---- comparisons (no gradient) ----
  eq(other: TensorOrNumber): Tensor {
    return eq(this, other);
  }
  ne(other: TensorOrNumber): Tensor {
    return ne(this, other);
  }
  lt(other: TensorOrNumber): Tensor {
    return lt(this, other);
  }
  le(other: TensorOrNumber): Tensor {
    return le(this, other);
  }
  gt(other: TensorOrNumber): Tensor {
    return gt(this, other);
  }
  ge(other: TensorOrNumber): Tensor {
    return ge(this, other);
  }

  // ---- linear algebra ----
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }
  /** `this·Wᵀ + b` (PyTorch `F.linear`). */
  linear(weight: Tensor, bias?: Tensor | null): Tensor {
    return linear(this, weight, bias);
  }

  // ---- reductions ----
  sum(dim?: Dims, keepdim = false): Tensor {
    return sum(this, dim, keepdim);
  }
  mean(dim?: Dims, keepdim = false): Tensor {
    return mean(this, dim, keepdim);
  }
  max(dim?: number, keepdim = false): Tensor {
    return max(this, dim, keepdim);
  }
  min(dim?: number, keepdim = false): Tensor {
    return min(this, dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return argmax(this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return argmin(this, dim, keepdim);
  }
  logsumexp(dim?: Dims, keepdim = false): Tensor {
    return logsumexp(this, dim, keepdim);
  }
  softmax(dim: number): Tensor {
    return softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return logSoftmax(this, dim);
  }

  // ---- shape ----
  reshape(shape: readonly number[]): Tensor {
    return reshape(this, shape);
  }
  /** Alias of {@link Tensor.reshape} (storage is always contiguous). */
  view(shape: readonly number[]): Tensor {
    return reshape(this, shape);
  }
  transpose(dim0 = -2, dim1 = -1): Tensor {
    return transpose(this, dim0, dim1);
  }
  /**
   * All dims reversed, as PyTorch's `x.T`: the transpose of a 2-D tensor; `x.permute(n−1, …, 0)`
   * for n ≥ 3 (PyTorch deprecates that use but still reverses); 0-D and 1-D tensors unchanged.
   * A copy for n ≥ 2 (as `permute`).
   */
  get T(): Tensor {
    const n = this.ndim;
    if (n < 2) return transpose(this, 0, 0);
    const perm = new Array<number>(n);
    for (let i = 0; i < n; i++) perm[i] = n - 1 - i;
    return permute(this, perm);
  }
  permute(perm: readonly number[]): Tensor {
    return permute(this, perm);
  }
  squeeze(dim?: number): Tensor {
    return squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return unsqueeze(this, dim);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return flatten(this, startDim, endDim);
  }

  // ---- indexing ----
  indexSelect(dim: number, indices: Indices): Tensor {
    return indexSelect(this, dim, indices);
  }
  /** Rows `indices` (dim 0): `x[indices]` in PyTorch. */
  rows(indices: Indices): Tensor {
    return rows(this, indices);
  }
  gather(dim: number, indices: Indices): Tensor {
    return gather(this, dim, indices);
  }
}

import { TENSOR_BRAND } from "./brand.js";
import { checkBoolean, checkOptions, describeValue, isTensor } from "./check.js";
import { allocate, checkDType, type DType, dtypeOf, type FloatArray } from "./dtype.js";
import { BACKWARD_OPTIONS, type BackwardOptions, type Node, runBackward } from "./engine.js";
import { formatTensor } from "./format.js";
import { type NestedArray, parseNested, type TensorData, toNested, withShape } from "./nested.js";
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
import { narrow, slice } from "./ops/slice.js";
import { logSoftmax, softmax } from "./ops/softmax.js";
import {
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
import { std, type VarOptions, variance } from "./ops/variance.js";
import { cast, flatten, permute, reshape, squeeze, transpose, unsqueeze } from "./ops/view.js";
import { fmtShape, MAX_DIMS, sameShape, sizeOf } from "./shape.js";
import { inLibrary, touch, Version } from "./version.js";

export interface TensorOptions {
  /** Element type; default `"float32"` (or `"float64"` for a `Float64Array` source). */
  dtype?: DType;
  /** Record operations on this tensor for autograd (makes it a leaf that receives `.grad`). */
  requiresGrad?: boolean;
  /** Shape for flat input (a flat array or typed array). */
  shape?: readonly number[];
}

const TENSOR_OPTIONS = ["dtype", "requiresGrad", "shape"];
const CONSTRUCTOR_OPTIONS = ["requiresGrad"];

/**
 * An n-dimensional array of float32 or float64 values with reverse-mode autograd.
 *
 * Storage is contiguous row-major; `data` is the LIVE storage (optimizers update it in place,
 * views made by `reshape`/`squeeze`/`unsqueeze` share it).
 *
 * **Writing between forward and backward.** Backward reuses values saved by the forward pass, so
 * the values a graph saved must not change until `backward()` has run through it. Each hand-out
 * of `data` counts as a possible write and bumps the storage's {@link Tensor.version}; backward
 * checks the version of every tensor it needs and throws, naming the op and the tensor, when the
 * bytes changed since the forward pass (`w.data[0] = 100` between `y = w.mul(x)` and
 * `y.backward()`, or an optimizer step before `backward()`). Only reading `data` is harmless:
 * the bytes are compared, not just the counter. Allowed: any write after `backward()` (that is
 * how optimizers update parameters, inside `noGrad` or not), and writes before the next forward
 * pass. A second `backward()` through a graph kept with `retainGraph: true` after such an update
 * throws, as in PyTorch. Writes through a reference to `data` taken before the forward pass are
 * not detected: re-read `t.data` when writing.
 */
export class Tensor {
  /** @internal The storage; reading this field does not count as a hand-out (library code only). */
  readonly _data: FloatArray;
  /** @internal The op that produced this tensor (null for leaves and constants). */
  _node: Node | null = null;
  /** @internal Visit mark of the current backward sweep. */
  _mark = 0;
  /** @internal Gradient being accumulated during a backward sweep. */
  _acc: FloatArray | null = null;
  /** @internal Whether `_acc` was allocated by the sweep (may be updated in place). */
  _accOwned = false;
  /** @internal The version state of the storage, once looked up. */
  _ver: Version | null = null;
  readonly #shape: readonly number[];
  #grad: Tensor | null = null;
  #requiresGrad = false;

  /**
   * Wraps `data` (NOT copied) with `shape` (default: 1-D; copied and frozen). Prefer {@link tensor}
   * for user data.
   */
  constructor(data: FloatArray, shape?: readonly number[], opts: { requiresGrad?: boolean } = {}) {
    checkOptions("Tensor", opts, CONSTRUCTOR_OPTIONS);
    if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
      throw new TypeError(
        `Tensor: data must be a Float32Array or Float64Array (use tensor() for other input), got ${describeValue(data)}`,
      );
    }
    const s = shape ?? [data.length];
    if (!Array.isArray(s)) {
      throw new TypeError(`Tensor: shape must be an array of integers, got ${describeValue(s)}`);
    }
    if (s.length > MAX_DIMS) {
      throw new RangeError(`Tensor: a tensor has at most ${MAX_DIMS} dims, got a shape of ${s.length}`);
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
    this._data = data;
    // A frozen array cannot change under us: keep it (shapes of other tensors); copy anything else.
    this.#shape = Object.isFrozen(s) ? s : Object.freeze(s.slice());
    if (opts.requiresGrad !== undefined && checkBoolean("Tensor", "requiresGrad", opts.requiresGrad)) {
      this.requiresGrad = true;
    }
  }

  /** Like {@link tensor}: builds a tensor from nested arrays, a flat array with `shape`, or a typed array. */
  static from(values: TensorData, opts: TensorOptions = {}): Tensor {
    checkOptions("tensor", opts, TENSOR_OPTIONS);
    const dtype = checkDType(
      "tensor",
      opts.dtype ?? (values instanceof Float64Array ? "float64" : "float32"),
    );
    const requiresGrad =
      opts.requiresGrad === undefined ? false : checkBoolean("tensor", "requiresGrad", opts.requiresGrad);
    let parsed = parseNested("tensor", values as NestedArray, dtype);
    if (opts.shape !== undefined) parsed = withShape("tensor", parsed, opts.shape);
    return new Tensor(parsed.data, parsed.shape, { requiresGrad });
  }

  /**
   * The LIVE contiguous row-major storage. Handing it out counts as a possible write: see
   * "Writing between forward and backward" on the class, and {@link Tensor.version}.
   */
  get data(): FloatArray {
    if (!inLibrary()) touch(this._version(), this._data);
    return this._data;
  }

  /**
   * How many times this tensor's storage (shared with its views) was handed out for writing —
   * each `t.data` outside the library's ops — or updated in place by the library (gradient
   * accumulation). PyTorch's `Tensor._version`; backward compares it with the version each op saw.
   */
  get version(): number {
    return this._version().version;
  }

  /** @internal Recognised by `isTensor` (see `brand.ts`). */
  get [TENSOR_BRAND](): true {
    return true;
  }

  /** @internal */
  _version(): Version {
    if (this._ver === null) this._ver = new Version();
    return this._ver;
  }

  /** Size of each dim, outermost first; `[]` for a 0-d tensor. A frozen array (read-only property). */
  get shape(): readonly number[] {
    return this.#shape;
  }

  get dtype(): DType {
    return dtypeOf(this._data);
  }
  /** Number of elements. */
  get size(): number {
    return this._data.length;
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

  /**
   * Gradient accumulated by `backward()` (leaves only), or `null`. Assignable (PyTorch's
   * `x.grad = …`): `null`, or a Tensor of this tensor's shape and dtype that does not share its
   * storage; anything else is rejected at the assignment, naming both shapes/dtypes.
   */
  get grad(): Tensor | null {
    return this.#grad;
  }
  set grad(g: Tensor | null) {
    if (g === null) {
      this.#grad = null;
      return;
    }
    const what = `the gradient of a ${this.dtype} tensor of shape ${fmtShape(this.shape)}`;
    if (!isTensor(g)) {
      throw new TypeError(`grad: ${what} must be a Tensor or null, got ${describeValue(g)}`);
    }
    if (g.dtype !== this.dtype) {
      throw new TypeError(
        `grad: ${what} must be ${this.dtype}, got a ${g.dtype} tensor (use .to("${this.dtype}"))`,
      );
    }
    if (!sameShape(g.shape, this.shape)) {
      throw new RangeError(`grad: ${what} must have shape ${fmtShape(this.shape)}, got ${fmtShape(g.shape)}`);
    }
    if (overlaps(g._data, this._data)) {
      throw new TypeError(
        `grad: ${what} cannot share the tensor's own storage (backward would overwrite its values)`,
      );
    }
    this.#grad = g;
  }

  /** @internal */
  _setRequiresGradInternal(): void {
    this.#requiresGrad = true;
  }

  /** @internal Adds `g` into `.grad` (creating it on first use): an in-place update of the grad. */
  _accumulateGrad(g: FloatArray, owned: boolean): void {
    const grad = this.#grad;
    if (grad === null) {
      const data = owned ? g : allocate(this.dtype, g.length);
      if (!owned) data.set(g);
      this.#grad = new Tensor(data, this.shape);
    } else {
      const d = grad._data;
      touch(grad._version(), d);
      for (let i = 0; i < d.length; i++) d[i] += g[i];
    }
  }

  /**
   * Computes gradients of this tensor w.r.t. every leaf that requires grad, ACCUMULATING into their
   * `.grad` (call `x.grad = null` or an optimizer's zeroGrad between steps). `gradient` (same shape)
   * is required unless the tensor has a single element. Throws before any `.grad` changes when a
   * value the graph saved was overwritten since the forward pass (see the class documentation).
   */
  backward(gradient?: Tensor | TensorData, opts: BackwardOptions = {}): void {
    checkOptions("backward", opts, BACKWARD_OPTIONS);
    if (opts.retainGraph !== undefined) checkBoolean("backward", "retainGraph", opts.retainGraph);
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
      if (!isTensor(gradient) && typeof gradient !== "number" && typeof gradient !== "object") {
        throw new TypeError(
          `backward: gradient must be a Tensor, a number or an array, got ${describeValue(gradient)}`,
        );
      }
      const g = isTensor(gradient)
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
      seed = g._data;
    }
    runBackward(this, seed, opts);
  }

  /** A tensor sharing this storage (and its version counter), cut from the graph (no grad). */
  detach(): Tensor {
    const t = new Tensor(this._data, this.shape);
    t._ver = this._version();
    return t;
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
    return this._data[0];
  }

  /** Nested arrays of numbers (a number for a 0-d tensor). Reading only: no version bump. */
  toArray(): NestedArray {
    return toNested(this._data, this.shape);
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
  sin(): Tensor {
    return sin(this);
  }
  cos(): Tensor {
    return cos(this);
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
  /** `x[…, start:end:step, …]` along `dim` (PyTorch slicing; a copy). */
  slice(dim: number, start = 0, end?: number | null, step = 1): Tensor {
    return slice(this, dim, start, end, step);
  }
  /** `length` entries of `dim` from `start`, as `torch.narrow`. */
  narrow(dim: number, start: number, length: number): Tensor {
    return narrow(this, dim, start, length);
  }

  // ---- statistics ----
  /** Variance, as `torch.var` (`{ dim, correction = 1, keepdim = false }`). */
  var(opts?: VarOptions): Tensor {
    return variance(this, opts);
  }
  /** Standard deviation, as `torch.std` (`{ dim, correction = 1, keepdim = false }`). */
  std(opts?: VarOptions): Tensor {
    return std(this, opts);
  }
}

/** Whether two storage arrays share any bytes (the same array, or views of one buffer). */
function overlaps(a: FloatArray, b: FloatArray): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

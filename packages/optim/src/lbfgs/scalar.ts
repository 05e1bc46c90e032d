/**
 * The scalar arithmetic of PyTorch's LBFGS. Its scalars are of two kinds: Python floats (losses,
 * constants, `lr`) and 0-d tensors of the parameters' dtype (results of `dot`, `sum`, `max`, and
 * anything computed from them, such as a step length from `_cubic_interpolate`). The kind of a
 * step length changes along the line search, and it matters:
 *
 * - Python float ⊙ Python float is float64 arithmetic; as soon as a tensor is involved the
 *   operation is the tensor's: the Python operand is cast to the dtype first and the result is
 *   rounded to it (no-ops in float64; float32 rounding for float32 parameters), and comparisons
 *   are made in the dtype as well;
 * - `python_float / tensor` is `tensor.reciprocal() * python_float` (`Tensor.__rtruediv__`): two
 *   roundings, where `/` between Python floats or by a Python float has one. This alone changes
 *   the cubic interpolation's result in the last bit, and so the line search's path.
 */

/** A Python float (`tensor: false`) or a 0-d tensor of the parameters' dtype. */
export interface Scalar {
  readonly value: number;
  readonly tensor: boolean;
}

/** A Python float (or int). */
export function py(value: number): Scalar {
  return { value, tensor: false };
}

type Op = (a: number, b: number) => number;

/** PyTorch's arithmetic on {@link Scalar}s, for parameters of one dtype. */
export class ScalarArithmetic {
  /** Rounds to the parameters' dtype. */
  readonly round: (v: number) => number;

  constructor(float32: boolean) {
    this.round = float32 ? Math.fround : (v) => v;
  }

  /** A 0-d tensor holding `value` (rounded to the dtype). */
  tensor(value: number): Scalar {
    return { value: this.round(value), tensor: true };
  }

  add(a: Scalar, b: Scalar): Scalar {
    return this.apply(a, b, (x, y) => x + y);
  }

  sub(a: Scalar, b: Scalar): Scalar {
    return this.apply(a, b, (x, y) => x - y);
  }

  mul(a: Scalar, b: Scalar): Scalar {
    return this.apply(a, b, (x, y) => x * y);
  }

  /** `a / b`; a Python float over a tensor is `b.reciprocal() * a`. */
  div(a: Scalar, b: Scalar): Scalar {
    if (!a.tensor && b.tensor) return this.mul(this.tensor(1 / b.value), a);
    return this.apply(a, b, (x, y) => x / y);
  }

  /** `a ** 2` (ATen squares a tensor: a·a). */
  square(a: Scalar): Scalar {
    return this.apply(a, a, (x, y) => x * y);
  }

  sqrt(a: Scalar): Scalar {
    return { value: this.round(Math.sqrt(a.value)), tensor: a.tensor };
  }

  abs(a: Scalar): Scalar {
    return { value: Math.abs(a.value), tensor: a.tensor };
  }

  neg(a: Scalar): Scalar {
    return { value: -a.value, tensor: a.tensor };
  }

  gt(a: Scalar, b: Scalar): boolean {
    const [x, y] = this.operands(a, b);
    return x > y;
  }

  ge(a: Scalar, b: Scalar): boolean {
    const [x, y] = this.operands(a, b);
    return x >= y;
  }

  lt(a: Scalar, b: Scalar): boolean {
    return this.gt(b, a);
  }

  le(a: Scalar, b: Scalar): boolean {
    return this.ge(b, a);
  }

  /** Python's `max(a, b)`: `b` if `b > a`, else `a` (the object itself, with its kind). */
  max(a: Scalar, b: Scalar): Scalar {
    return this.gt(b, a) ? b : a;
  }

  /** Python's `min(a, b)`: `b` if `b < a`, else `a`. */
  min(a: Scalar, b: Scalar): Scalar {
    return this.lt(b, a) ? b : a;
  }

  private operands(a: Scalar, b: Scalar): [number, number] {
    if (!a.tensor && !b.tensor) return [a.value, b.value];
    return [this.round(a.value), this.round(b.value)];
  }

  private apply(a: Scalar, b: Scalar, op: Op): Scalar {
    if (!a.tensor && !b.tensor) return py(op(a.value, b.value));
    const [x, y] = this.operands(a, b);
    return { value: this.round(op(x, y)), tensor: true };
  }
}

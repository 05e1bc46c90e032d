import type { FloatArray } from "../../dtype.js";
import type { BinaryKernel } from "../backend.js";
import { forEachRow, isContiguous } from "./layout.js";

/**
 * `out[idx] = a[idx·aStrides] ∘ b[idx·bStrides]` over `outShape`: the kernel's row function over
 * the whole array when both operands are contiguous (or one is a scalar), else over each row.
 */
export function binary(
  kernel: BinaryKernel,
  a: FloatArray,
  aStrides: readonly number[],
  b: FloatArray,
  bStrides: readonly number[],
  out: FloatArray,
  outShape: readonly number[],
): void {
  const nd = outShape.length;
  const n = out.length;
  const aC = isContiguous(aStrides, outShape);
  const bC = isContiguous(bStrides, outShape);
  if (aC && bC) {
    kernel.row(a, 0, 1, b, 0, 1, out, 0, n);
    return;
  }
  if (aC && b.length === 1) {
    kernel.row(a, 0, 1, b, 0, 0, out, 0, n);
    return;
  }
  if (bC && a.length === 1) {
    kernel.row(a, 0, 0, b, 0, 1, out, 0, n);
    return;
  }
  const last = outShape[nd - 1];
  const as = aStrides[nd - 1];
  const bs = bStrides[nd - 1];
  forEachRow(outShape, aStrides, bStrides, (ao, bo, oo) => kernel.row(a, ao, as, b, bo, bs, out, oo, last));
}

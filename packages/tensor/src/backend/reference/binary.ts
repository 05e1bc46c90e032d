import type { FloatArray } from "../../dtype.js";
import { Binary, type BinaryCode } from "../backend.js";
import { forEachRow, isContiguous } from "./layout.js";

/** One contiguous row of a broadcast binary op: `out[o + j] = a[ai + j·as] ∘ b[bi + j·bs]`. */
export function binaryRow(
  code: BinaryCode,
  a: FloatArray,
  ai: number,
  as: number,
  b: FloatArray,
  bi: number,
  bs: number,
  out: FloatArray,
  o: number,
  n: number,
): void {
  switch (code) {
    case Binary.add:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] + b[bi + j * bs];
      return;
    case Binary.sub:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] - b[bi + j * bs];
      return;
    case Binary.mul:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] * b[bi + j * bs];
      return;
    case Binary.div:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] / b[bi + j * bs];
      return;
    case Binary.maximum:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = Math.max(x, y);
      }
      return;
    case Binary.minimum:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = Math.min(x, y);
      }
      return;
    case Binary.eq:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] === b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.ne:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] !== b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.lt:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] < b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.le:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] <= b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.gt:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] > b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.ge:
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] >= b[bi + j * bs] ? 1 : 0;
      return;
    case Binary.maxGradMask:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = x === y ? 0.5 : x < y ? 0 : 1;
      }
      return;
    case Binary.minGradMask:
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = x === y ? 0.5 : x > y ? 0 : 1;
      }
      return;
  }
}

export function binary(
  code: BinaryCode,
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
    binaryRow(code, a, 0, 1, b, 0, 1, out, 0, n);
    return;
  }
  if (aC && b.length === 1) {
    binaryRow(code, a, 0, 1, b, 0, 0, out, 0, n);
    return;
  }
  if (bC && a.length === 1) {
    binaryRow(code, a, 0, 0, b, 0, 1, out, 0, n);
    return;
  }
  const last = outShape[nd - 1];
  const as = aStrides[nd - 1];
  const bs = bStrides[nd - 1];
  forEachRow(outShape, aStrides, bStrides, (ao, bo, oo) =>
    binaryRow(code, a, ao, as, b, bo, bs, out, oo, last),
  );
}

import type { FloatArray } from "../../dtype.js";
import { Reduce, type ReduceCode } from "../backend.js";

export function reduce(
  code: ReduceCode,
  x: FloatArray,
  out: FloatArray,
  outer: number,
  r: number,
  inner: number,
): void {
  if (code === Reduce.sum) {
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      const base = o * r * inner;
      if (inner === 1) {
        let s = 0;
        for (let j = 0; j < r; j++) s += x[base + j];
        out[o] = s;
        continue;
      }
      for (let j = 0; j < r; j++) {
        const row = base + j * inner;
        for (let i = 0; i < inner; i++) acc[i] += x[row + i];
      }
      for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
    }
    return;
  }
  const idx = new Int32Array(outer * inner);
  reduceArg(code, x, out, idx, outer, r, inner);
}

export function reduceArg(
  code: ReduceCode,
  x: FloatArray,
  out: FloatArray,
  idx: Int32Array,
  outer: number,
  r: number,
  inner: number,
): void {
  const isMax = code === Reduce.max;
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    for (let i = 0; i < inner; i++) {
      let best = x[base + i];
      let bi = 0;
      if (!Number.isNaN(best)) {
        for (let j = 1; j < r; j++) {
          const v = x[base + j * inner + i];
          if (Number.isNaN(v)) {
            best = v;
            bi = j;
            break;
          }
          if (isMax ? v > best : v < best) {
            best = v;
            bi = j;
          }
        }
      }
      out[o * inner + i] = best;
      idx[o * inner + i] = bi;
    }
  }
}

export function softmax(
  x: FloatArray,
  out: FloatArray,
  outer: number,
  r: number,
  inner: number,
  log: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let m = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < r; j++) {
        const v = x[base + j * inner];
        if (v > m || Number.isNaN(v)) m = v;
      }
      let s = 0;
      for (let j = 0; j < r; j++) s += Math.exp(x[base + j * inner] - m);
      if (log) {
        // (x − m) − log Σ, in PyTorch's order of operations.
        const ls = Math.log(s);
        for (let j = 0; j < r; j++) out[base + j * inner] = x[base + j * inner] - m - ls;
      } else {
        for (let j = 0; j < r; j++) out[base + j * inner] = Math.exp(x[base + j * inner] - m) / s;
      }
    }
  }
}

export function softmaxGrad(
  y: FloatArray,
  g: FloatArray,
  out: FloatArray,
  outer: number,
  r: number,
  inner: number,
  log: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let s = 0;
      if (log) {
        for (let j = 0; j < r; j++) s += g[base + j * inner];
        for (let j = 0; j < r; j++) {
          const k = base + j * inner;
          out[k] = g[k] - Math.exp(y[k]) * s;
        }
      } else {
        for (let j = 0; j < r; j++) s += g[base + j * inner] * y[base + j * inner];
        for (let j = 0; j < r; j++) {
          const k = base + j * inner;
          out[k] = y[k] * (g[k] - s);
        }
      }
    }
  }
}

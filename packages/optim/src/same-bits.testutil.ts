// Runs a float32 kernel on the TypeScript loop and on the WASM kernel and compares every bit of
// every array (parameters and state), for a rule's test. The same check as wasm/kernels.test.ts,
// callable from each rule's own test file.
import { expect } from "vitest";
import { WASM_MIN_ELEMENTS, withKernelBackend } from "./kernel-backend.js";
import { STREAM_CHUNK } from "./wasm/stream.js";

/** Sizes straddling the SIMD width (4), the WASM threshold and the stream chunk. */
export const KERNEL_SIZES = [
  1,
  3,
  4,
  5,
  17,
  WASM_MIN_ELEMENTS - 1,
  WASM_MIN_ELEMENTS,
  WASM_MIN_ELEMENTS + 1,
  STREAM_CHUNK - 1,
  STREAM_CHUNK,
  STREAM_CHUNK + 5,
  2 * STREAM_CHUNK + 3,
];

/** Deterministic float32 values in (−scale, scale). */
export function randomF32(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** Index of the first element whose bits differ, or −1 (NaN payloads aside). */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}

/**
 * Builds fresh arrays with `arrays(n)` under each backend (every array on the WASM kernels,
 * however small), runs `steps(arrays, t)` for t = 1..stepCount, and expects identical bits.
 */
export function expectSameBitsOnBothBackends(
  arrays: (n: number) => Float32Array[],
  n: number,
  steps: (arrays: Float32Array[], t: number) => void,
  stepCount = 3,
): void {
  const results = (["js", "wasm"] as const).map((backend) =>
    withKernelBackend(
      backend,
      () => {
        const a = arrays(n);
        for (let t = 1; t <= stepCount; t++) steps(a, t);
        return a;
      },
      1,
    ),
  );
  results[0].forEach((js, k) => {
    const i = firstBitDifference(js, results[1][k]);
    expect(i, `array ${k}, element ${i}: js ${js[i]} vs wasm ${results[1][k][i]}`).toBe(-1);
  });
}

import type { Kernels } from "./wasm-module.js";

/**
 * Elements per kernel call when streaming arrays through the kernels' memory: each chunk of every
 * array (16 KiB each) is copied in, updated there while it sits in L1/L2, and the updated arrays
 * copied back, so main memory sees one read of each array and one write of each updated array,
 * as a fused loop over JavaScript memory would.
 */
export const STREAM_CHUNK = 4096;

/**
 * Runs `kernel(ptrs, len)` over consecutive chunks of `arrays` (all of length `n`), with `ptrs[i]`
 * the byte address of array i's chunk in the kernels' memory; afterwards copies back the arrays
 * whose `writeBack[i]` is true. Regions are spaced by a multiple of 4 floats, and `len` is rounded
 * up to a multiple of 4 for the kernel (the extra lanes hold stale values and are never copied back).
 */
export function streamChunks(
  kern: Kernels,
  n: number,
  arrays: readonly (Float32Array | null)[],
  writeBack: readonly boolean[],
  kernel: (ptrs: readonly number[], len: number) => void,
): void {
  const C = STREAM_CHUNK;
  const k = arrays.length;
  if (!kern.reserve(k * C * 4))
    throw new RangeError("WASM kernels: cannot grow memory to the 80 KiB of scratch");
  const ptrs = arrays.map((_, i) => i * C * 4);
  const f = kern.f32;
  for (let s = 0; s < n; s += C) {
    const e = Math.min(n, s + C);
    const len = e - s;
    for (let i = 0; i < k; i++) {
      const a = arrays[i];
      if (a) f.set(a.subarray(s, e), i * C);
    }
    kernel(ptrs, (len + 3) & ~3);
    for (let i = 0; i < k; i++) {
      const a = arrays[i];
      if (a && writeBack[i]) a.set(f.subarray(i * C, i * C + len), s);
    }
  }
}

/** Throws a RangeError naming `op` unless every present array has length `n`. */
export function checkLengths(op: string, n: number, arrays: Record<string, Float32Array | null>): void {
  for (const [name, a] of Object.entries(arrays)) {
    if (a !== null && a.length !== n) {
      throw new RangeError(`${op}: ${name} has ${a.length} elements, the parameter has ${n}`);
    }
  }
}

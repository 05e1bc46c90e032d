import { type OptimKernels, reserve } from "./module.js";

/**
 * Elements per kernel call when streaming arrays through the kernels' memory: each 16384-element
 * (64 KiB) chunk of every array is copied in, updated there while it sits in L2, and the updated
 * arrays are copied back, so main memory sees one read of each array and one write of each updated
 * array, as a fused loop over JavaScript memory would, from a fixed scratch area (64 KiB per array:
 * 320 KiB for Adam with AMSGrad's five). Measured on Adam over 1e6 float32 parameters (best of 40
 * steps, three alternating runs): 1.8–2.3 ms with 16384-element chunks, 2.2–2.6 ms with 65536
 * (256 KiB per array, out of L2); earlier runs found 4096 and 8192 about 10 % slower (more calls).
 */
export const STREAM_CHUNK = 16384;

/**
 * Runs `kernel(ptrs, len)` over consecutive chunks of `arrays` (all of length `n`; null: an array
 * the kernel does not read), with `ptrs[i]` the byte address of array i's chunk in the kernels'
 * memory; after each call copies back the arrays whose `writeBack[i]` is true. Regions are 16-byte
 * aligned and `len` is rounded up to a multiple of 4 for the kernel (the extra lanes hold stale
 * values and are never copied back). Returns false, having done nothing, if the scratch area
 * cannot be reserved.
 */
export function streamChunks(
  kern: OptimKernels,
  n: number,
  arrays: readonly (Float32Array | null)[],
  writeBack: readonly boolean[],
  kernel: (ptrs: readonly number[], len: number) => void,
): boolean {
  const C = STREAM_CHUNK;
  const k = arrays.length;
  if (!reserve(kern, k * C * 4)) return false;
  const ptrs = chunkAddresses(k);
  for (let s = 0; s < n; s += C) {
    const e = Math.min(n, s + C);
    const len = e - s;
    const f = kern.f32;
    for (let i = 0; i < k; i++) {
      const a = arrays[i];
      if (a !== null) f.set(a.subarray(s, e), i * C);
    }
    kernel(ptrs, (len + 3) & ~3);
    for (let i = 0; i < k; i++) {
      const a = arrays[i];
      if (a !== null && writeBack[i]) a.set(f.subarray(i * C, i * C + len), s);
    }
  }
  return true;
}

const ADDRESSES: number[][] = [];

/** The byte addresses of k consecutive chunk regions (cached). */
function chunkAddresses(k: number): readonly number[] {
  let a = ADDRESSES[k];
  if (a === undefined) {
    a = Array.from({ length: k }, (_, i) => i * STREAM_CHUNK * 4);
    ADDRESSES[k] = a;
  }
  return a;
}

/** A kernel export: array addresses, the element count, then the rule's scalars. */
type KernelFunction = (...args: number[]) => void;

/**
 * Runs the kernel exported as `name` over `arrays` (see {@link streamChunks}), called as
 * `name(address of each array's chunk..., chunk length, ...scalars)`; booleans among the scalars
 * arrive as WebAssembly `bool` (i32 0 or 1). Returns false, having changed nothing, when the
 * kernels' scratch memory cannot be reserved; the caller then runs its TypeScript loop.
 *
 * @throws Error if the module has no such export (a stale `wasm/binary.ts`).
 */
export function runKernel(
  kern: OptimKernels,
  name: string,
  arrays: readonly (Float32Array | null)[],
  writeBack: readonly boolean[],
  scalars: readonly (number | boolean)[],
): boolean {
  const fn = kern.exports[name];
  if (typeof fn !== "function") {
    throw new Error(`the optimizer kernels have no export ${name}: wasm/binary.ts is stale (run build:wasm)`);
  }
  const args = new Array<number>(arrays.length + 1 + scalars.length);
  for (let i = 0; i < scalars.length; i++) args[arrays.length + 1 + i] = +scalars[i];
  return streamChunks(kern, arrays[0]?.length ?? 0, arrays, writeBack, (ptrs, len) => {
    for (let i = 0; i < ptrs.length; i++) args[i] = ptrs[i];
    args[arrays.length] = len;
    (fn as KernelFunction)(...args);
  });
}

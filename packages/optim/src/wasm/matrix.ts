import { type OptimKernels, reserve } from "./module.js";

/** The kernel export of `asm/matrix.ts`: C (p×q) ← A (p×k)·B (k×q), byte addresses, `lower` as 0/1. */
type MatmulF64 = (a: number, b: number, c: number, p: number, q: number, k: number, lower: number) => void;

/**
 * Float64 matrices laid out one after another in the kernels' memory (from address 0, the
 * streaming kernels' scratch area: the two never run at the same time), and the product kernel
 * over them. Views are valid until the memory grows, which only `wasmMatrices` does.
 */
export interface WasmMatrices {
  /** One view per requested size, in order. */
  readonly views: Float64Array[];
  /** `c ← a·b` for views a (p×k), b (k×q), c (p×q); with `lower`, only entries on or below the diagonal are certain. */
  matmul(
    a: Float64Array,
    b: Float64Array,
    c: Float64Array,
    p: number,
    q: number,
    k: number,
    lower?: boolean,
  ): void;
}

/**
 * Reserves the kernels' memory for float64 matrices of the given element counts (each 16-byte
 * aligned) and returns views of them; null if the memory cannot grow (the caller then computes in
 * TypeScript).
 *
 * @throws Error if the module has no `matmulF64` (a stale `wasm/binary.ts`).
 */
export function wasmMatrices(kern: OptimKernels, sizes: readonly number[]): WasmMatrices | null {
  const fn = kern.exports.matmulF64;
  if (typeof fn !== "function") {
    throw new Error(
      "the optimizer kernels have no export matmulF64: wasm/binary.ts is stale (run build:wasm)",
    );
  }
  const offsets: number[] = [];
  let bytes = 0;
  for (const n of sizes) {
    offsets.push(bytes);
    bytes += Math.ceil((n * 8) / 16) * 16;
  }
  if (!reserve(kern, bytes)) return null;
  const buffer = kern.exports.memory.buffer;
  const views = sizes.map((n, i) => new Float64Array(buffer, offsets[i], n));
  const matmul = fn as MatmulF64;
  return {
    views,
    matmul: (a, b, c, p, q, k, lower = false) =>
      matmul(a.byteOffset, b.byteOffset, c.byteOffset, p, q, k, lower ? 1 : 0),
  };
}

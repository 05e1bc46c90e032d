import type { FloatArray } from "../dtype.js";
import type { Backend } from "./backend.js";
import { referenceBackend } from "./reference.js";
import { instantiateKernels, type Kernels, loadKernels, wasmSimdSupported } from "./wasm-module.js";

/**
 * Below this many multiply-adds (m·k·n) a matmul stays in JavaScript, where the call and the
 * copies into WASM memory would cost more than they save. Measured on Node 20 (x64): the WASM
 * path is already 2× faster than the reference loops at 8×8×8 (0.2 µs vs 0.5 µs) and 10× faster
 * from 16×16×16 on, so only trivial products stay in JS.
 */
export const WASM_MATMUL_MIN_MACS = 256;

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * `C (+)= op(A)·op(B)` for float32 operands in the WASM SIMD kernel (packed, cache-blocked, f32x4
 * micro-kernel). Operands are copied into the kernel's memory (A, B, and C when accumulating),
 * the product is computed there and copied back.
 */
function wasmMatmul(
  kern: Kernels,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  out: Float32Array,
  oOff: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): void {
  const x = kern.exports;
  const aPtr = 0;
  const bPtr = align16(aPtr + m * k * 4);
  const cPtr = align16(bPtr + k * n * 4);
  const paPtr = align16(cPtr + m * n * 4);
  const pbPtr = align16(paPtr + x.sgemmPackA());
  kern.reserve(pbPtr + x.sgemmPackB(n));
  const f32 = kern.f32;
  f32.set(a.subarray(aOff, aOff + m * k), aPtr >> 2);
  f32.set(b.subarray(bOff, bOff + k * n), bPtr >> 2);
  const c = cPtr >> 2;
  if (accumulate) f32.set(out.subarray(oOff, oOff + m * n), c);
  else f32.fill(0, c, c + m * n);
  x.sgemm(aPtr, bPtr, cPtr, m, k, n, transA, transB, paPtr, pbPtr);
  out.set(f32.subarray(c, c + m * n), oOff);
}

/**
 * A backend that runs the hot kernels in WebAssembly SIMD and everything else in the reference
 * backend. Today: float32 matmul (all transposed forms) of at least {@link WASM_MATMUL_MIN_MACS}
 * multiply-adds (`minMacs`); float64 and mixed-dtype matmuls stay in the reference backend.
 */
export function wasmBackendFrom(kern: Kernels, minMacs = WASM_MATMUL_MIN_MACS): Backend {
  const ref = referenceBackend;
  return {
    ...ref,
    name: "wasm",
    matmul(
      a: FloatArray,
      aOff: number,
      b: FloatArray,
      bOff: number,
      out: FloatArray,
      oOff: number,
      m: number,
      k: number,
      n: number,
      transA: boolean,
      transB: boolean,
      accumulate: boolean,
    ): void {
      if (
        m * k * n >= minMacs &&
        m * k * n > 0 &&
        a instanceof Float32Array &&
        b instanceof Float32Array &&
        out instanceof Float32Array
      ) {
        wasmMatmul(kern, a, aOff, b, bOff, out, oOff, m, k, n, transA, transB, accumulate);
      } else {
        ref.matmul(a, aOff, b, bOff, out, oOff, m, k, n, transA, transB, accumulate);
      }
    },
  };
}

let kernels: Kernels | null | undefined;
let cached: Backend | null = null;

/**
 * The one instance of the kernels every WASM entry point shares (compiled synchronously on first
 * use), or `null` where WebAssembly SIMD is unavailable.
 */
export function sharedKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    kernels = wasmSimdSupported() ? instantiateKernels() : null;
  } catch {
    kernels = null;
  }
  return kernels;
}

/**
 * The WASM SIMD backend, compiled synchronously on first use, or `null` where WebAssembly SIMD
 * is unavailable (use the reference backend there). Pass it to `setBackend`.
 */
export function createWasmBackend(): Backend | null {
  if (cached) return cached;
  const kern = sharedKernels();
  cached = kern && wasmBackendFrom(kern);
  return cached;
}

/** Like {@link createWasmBackend}, compiling asynchronously (for a browser's main thread). */
export async function loadWasmBackend(): Promise<Backend | null> {
  if (cached) return cached;
  if (kernels === undefined) kernels = wasmSimdSupported() ? await loadKernels() : null;
  return createWasmBackend();
}

import type { Backend, MatmulArgs } from "./backend.js";
import { referenceBackend } from "./reference.js";
import { instantiateKernels, type Kernels, loadKernels, wasmSimdSupported } from "./wasm-module.js";

/**
 * Below this many multiply-adds (m·k·n) a matmul stays in JavaScript, where the call and the
 * copies into WASM memory would cost more than they save. Both paths give the same bits, so this
 * only decides the time. Measured on Node 20 (x64, fastest of 15 rounds): at 4×8×8 (256) the
 * WASM path is 1.5× faster in float32 (0.25 µs against 0.36 µs) and even in float64; at 8×8×8
 * 2.3× (0.30 µs against 0.69 µs) and 1.7×; at 16×16×16 9× and 4×.
 */
export const WASM_MATMUL_MIN_MACS = 256;

/** `bytes` rounded up to a multiple of 16 (in float64 arithmetic: sizes may exceed 2³¹). */
const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/**
 * `C (+)= op(A)·op(B)` in the WASM SIMD kernel (`sgemm` for float32, `dgemm` for float64: packed,
 * cache-blocked, SIMD micro-kernel). Operands are copied into the kernel's memory (A, B, and C
 * when accumulating), the product is computed there and copied back. Returns false, having done
 * nothing, when the operands do not fit in the WebAssembly memory.
 */
function wasmMatmul<T extends Float32Array | Float64Array>(
  kern: Kernels,
  f64: boolean,
  a: T,
  b: T,
  out: T,
  { aOff = 0, bOff = 0, oOff = 0, m, k, n, transA = false, transB = false, accumulate = false }: MatmulArgs,
): boolean {
  const x = kern.exports;
  const es = f64 ? 8 : 4;
  const aPtr = 0;
  const bPtr = align16(aPtr + m * k * es);
  const cPtr = align16(bPtr + k * n * es);
  const paPtr = align16(cPtr + m * n * es);
  const pbPtr = align16(paPtr + x.gemmPackA());
  if (!kern.reserve(pbPtr + (f64 ? x.dgemmPackB(n) : x.sgemmPackB(n)))) return false;
  const mem = (f64 ? kern.f64 : kern.f32) as T;
  const shift = f64 ? 3 : 2;
  mem.set(a.subarray(aOff, aOff + m * k), aPtr >> shift);
  mem.set(b.subarray(bOff, bOff + k * n), bPtr >> shift);
  const c = cPtr >> shift;
  if (accumulate) mem.set(out.subarray(oOff, oOff + m * n), c);
  else mem.fill(0, c, c + m * n);
  if (f64) x.dgemm(aPtr, bPtr, cPtr, m, k, n, transA, transB, paPtr, pbPtr);
  else x.sgemm(aPtr, bPtr, cPtr, m, k, n, transA, transB, paPtr, pbPtr);
  out.set(mem.subarray(c, c + m * n), oOff);
  return true;
}

/**
 * A backend that runs the hot kernels in WebAssembly SIMD and everything else in the reference
 * backend. Today: float32 and float64 matmul (all transposed forms) of at least
 * {@link WASM_MATMUL_MIN_MACS} multiply-adds (`minMacs`); mixed-dtype matmuls and every other
 * kernel stay in the reference backend. `kernels` is the compiled module, or a function that
 * compiles it when a product first needs it (null: it cannot, and the reference runs everything).
 */
export function wasmBackendFrom(
  kernels: Kernels | (() => Kernels | null),
  minMacs = WASM_MATMUL_MIN_MACS,
): Backend {
  const ref = referenceBackend;
  let kern: Kernels | null | undefined = typeof kernels === "function" ? undefined : kernels;
  const compile = typeof kernels === "function" ? kernels : () => kernels;
  return {
    ...ref,
    name: "wasm",
    matmul(args: MatmulArgs): void {
      const { a, b, out } = args;
      const macs = args.m * args.k * args.n;
      if (macs >= minMacs && macs > 0 && (kern ??= compile()) !== null) {
        if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) {
          if (wasmMatmul(kern, false, a, b, out, args)) return;
        }
        if (a instanceof Float64Array && b instanceof Float64Array && out instanceof Float64Array) {
          if (wasmMatmul(kern, true, a, b, out, args)) return;
        }
      }
      ref.matmul(args);
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
 * The WASM SIMD backend, or `null` where WebAssembly SIMD is unavailable (use the reference
 * backend there). Pass it to `setBackend`. Creating it costs a feature test only: the kernels are
 * compiled (synchronously, about a millisecond) when a product first needs them.
 */
export function createWasmBackend(): Backend | null {
  if (cached) return cached;
  if (!wasmSimdSupported()) return null;
  cached = wasmBackendFrom(sharedKernels);
  return cached;
}

/** Like {@link createWasmBackend}, with the kernels compiled asynchronously now (for a browser's main thread). */
export async function loadWasmBackend(): Promise<Backend | null> {
  if (kernels === undefined) {
    try {
      kernels = wasmSimdSupported() ? await loadKernels() : null;
    } catch {
      kernels = null; // e.g. a Content-Security-Policy without 'wasm-unsafe-eval'
    }
  }
  return kernels === null ? null : createWasmBackend();
}

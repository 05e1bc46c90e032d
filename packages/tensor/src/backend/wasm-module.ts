import { wasmBinaryBase64 } from "./wasm-binary.js";

/** The exports of the compiled kernels (asm/*.ts). Pointers are byte offsets into `memory`. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  sgemm(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    packA: number,
    packB: number,
  ): void;
  /** Bytes of the B packing buffer for `n` float32 columns. */
  sgemmPackB(n: number): number;
  dgemm(
    a: number,
    b: number,
    c: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    packA: number,
    packB: number,
  ): void;
  /** Bytes of the B packing buffer for `n` float64 columns. */
  dgemmPackB(n: number): number;
  /** Bytes of the A packing buffer (the same for both element types). */
  gemmPackA(): number;
}

const PAGE = 65536;
/**
 * The largest memory the kernels use: 2 GiB, so every byte offset they compute in 32-bit integer
 * arithmetic stays positive (a 32-bit WebAssembly memory could grow to 4 GiB).
 */
export const MAX_KERNEL_BYTES = 32768 * PAGE;

/**
 * The kernels plus a scratch arena in their linear memory. Operands are copied into the arena,
 * the kernel runs there, and results are copied out; the arena only grows (never per call), so
 * steady-state calls allocate nothing.
 */
export class Kernels {
  readonly exports: KernelExports;
  /** Views of the whole memory; replaced when the memory grows. */
  f32: Float32Array;
  f64: Float64Array;

  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as unknown as KernelExports;
    this.f32 = new Float32Array(this.exports.memory.buffer);
    this.f64 = new Float64Array(this.exports.memory.buffer);
  }

  /**
   * Makes the memory at least `bytes` long; false when it cannot grow that far (past
   * {@link MAX_KERNEL_BYTES}, or when the engine refuses).
   */
  reserve(bytes: number): boolean {
    const mem = this.exports.memory;
    const have = mem.buffer.byteLength;
    if (bytes <= have) return true;
    if (bytes > MAX_KERNEL_BYTES) return false;
    // Grow geometrically so a slowly increasing demand does not grow on every call.
    const want = Math.min(MAX_KERNEL_BYTES, Math.max(bytes, have * 1.5));
    try {
      mem.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        mem.grow(Math.ceil((bytes - have) / PAGE));
      } catch {
        return false;
      }
    }
    this.f32 = new Float32Array(mem.buffer);
    this.f64 = new Float64Array(mem.buffer);
    return true;
  }
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

let bytes: Uint8Array<ArrayBuffer> | null = null;
function binary(): Uint8Array<ArrayBuffer> {
  bytes ??= decode(wasmBinaryBase64);
  return bytes;
}

/**
 * A minimal module that uses SIMD: `(func (result v128) i32.const 0 i8x16.splat)`. Validating it
 * is the feature test; it costs microseconds, where validating the kernels costs a millisecond.
 */
// biome-ignore format: one row per section of the module
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: i32.const 0, i8x16.splat, end
]);

/** Whether this engine runs the kernels: WebAssembly with the SIMD proposal. */
export function wasmSimdSupported(): boolean {
  return (
    typeof WebAssembly === "object" &&
    typeof WebAssembly.validate === "function" &&
    WebAssembly.validate(SIMD_PROBE)
  );
}

/**
 * Compiles and instantiates the kernels synchronously (fine in Node and in workers; browsers
 * refuse synchronous compilation of large modules on the main thread, see {@link loadKernels}).
 */
export function instantiateKernels(): Kernels {
  return new Kernels(new WebAssembly.Instance(new WebAssembly.Module(binary()), {}));
}

/** Compiles and instantiates the kernels asynchronously (works everywhere). */
export async function loadKernels(): Promise<Kernels> {
  const { instance } = await WebAssembly.instantiate(binary(), {});
  return new Kernels(instance);
}

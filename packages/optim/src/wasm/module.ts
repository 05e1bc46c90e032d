import { wasmBinaryBase64 } from "./binary.js";

/**
 * The exports of the compiled optimizer kernels (`asm/*.ts`): the memory, and one function per
 * rule, looked up by name by the rule that owns it (see `runKernel`). Every kernel takes the byte
 * addresses of its arrays in `memory`, then the element count, then its scalars.
 */
export interface OptimKernelExports {
  readonly memory: WebAssembly.Memory;
  readonly [kernel: string]: unknown;
}

/**
 * A minimal module that uses SIMD: `(func (result v128) i32.const 0 i8x16.splat)`. Validating it
 * is the feature test: microseconds, where compiling the kernels takes about a millisecond.
 */
// biome-ignore format: one row per section of the module
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: i32.const 0, i8x16.splat, end
]);

/** Whether this JavaScript engine has WebAssembly with the SIMD proposal (Node ≥ 16.4, every current browser). */
export function wasmSimdSupported(): boolean {
  return (
    typeof WebAssembly === "object" &&
    typeof WebAssembly.validate === "function" &&
    WebAssembly.validate(SIMD_PROBE)
  );
}

/** The compiled kernels and a `Float32Array` view of their memory (replaced when it grows). */
export interface OptimKernels {
  readonly exports: OptimKernelExports;
  f32: Float32Array;
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

function wrap(instance: WebAssembly.Instance): OptimKernels {
  const exports = instance.exports as unknown as OptimKernelExports;
  return { exports, f32: new Float32Array(exports.memory.buffer) };
}

/** undefined: not tried yet; null: unavailable here (no SIMD, or the engine refused to compile). */
let compiled: OptimKernels | null | undefined;

/**
 * The kernels, compiled and instantiated synchronously at the first call (the module is about
 * 4 KiB; Chromium compiles modules up to 8 MiB synchronously on the main thread since version
 * 115, up to 4 KiB before), or null where WebAssembly SIMD is unavailable or the engine refuses to
 * compile (then the TypeScript loops run, with the same results). A failed compilation is
 * remembered, not retried.
 */
export function optimKernels(): OptimKernels | null {
  if (compiled === undefined) {
    compiled = null;
    if (wasmSimdSupported()) {
      try {
        const bytes = decode(wasmBinaryBase64);
        compiled = wrap(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}));
      } catch {
        compiled = null;
      }
    }
  }
  return compiled;
}

const PAGE = 65536;

/** Makes the kernels' memory at least `bytes` long; false if the engine refuses to grow it. */
export function reserve(kern: OptimKernels, bytes: number): boolean {
  const mem = kern.exports.memory;
  const have = mem.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    mem.grow(Math.ceil((bytes - have) / PAGE));
  } catch {
    return false;
  }
  kern.f32 = new Float32Array(mem.buffer);
  return true;
}

import { type OptimKernels, optimKernels, wasmSimdSupported } from "./wasm/module.js";

/**
 * Where the update kernels of float32 parameters run: `"wasm"` (fused WebAssembly SIMD kernels,
 * the default where WebAssembly SIMD exists) or `"js"` (plain TypeScript loops). Both compute the
 * same float32 operations in the same order, so they give the same bits; float64 parameters
 * always use the TypeScript loops, except Muon's matrix products, which run in the WASM kernel
 * for both types on `"wasm"` (the same sums in the same order: the same bits).
 */
export type KernelBackend = "wasm" | "js";

/** The environment variables of the host, where there is one (Node), without a `node:` import. */
function hostEnv(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

/**
 * The backend at import: `"js"` when `DESCENT_BACKEND` is `js` or `reference` (the variable
 * `@descent/tensor` reads too, so one setting runs everything on the plain TypeScript oracle),
 * else `"wasm"` where WebAssembly SIMD is supported, else `"js"`.
 *
 * @throws Error for any other value of `DESCENT_BACKEND`.
 */
export function defaultKernelBackend(env: Record<string, string | undefined> = hostEnv()): KernelBackend {
  const want = env.DESCENT_BACKEND;
  if (want === "js" || want === "reference") return "js";
  if (want !== undefined && want !== "" && want !== "wasm") {
    throw new Error(`DESCENT_BACKEND=${JSON.stringify(want)}: expected "wasm", "js" or "reference"`);
  }
  return wasmSimdSupported() ? "wasm" : "js";
}

let active: KernelBackend = defaultKernelBackend();

/**
 * The backend float32 updates run on now: `"js"` also when `"wasm"` was chosen but the kernels
 * cannot be compiled here (e.g. a Content-Security-Policy without `'wasm-unsafe-eval'`), in which
 * case the TypeScript loops run.
 */
export function getKernelBackend(): KernelBackend {
  return active === "wasm" && optimKernels() !== null ? "wasm" : "js";
}

/**
 * Chooses where float32 updates run; returns the previous choice. Results do not depend on it
 * (both backends give the same bits); speed does.
 *
 * @throws TypeError for a name other than `"wasm"` or `"js"`; Error for `"wasm"` where
 *   WebAssembly SIMD is unavailable or the kernels fail to compile.
 */
export function setKernelBackend(next: KernelBackend): KernelBackend {
  if (next !== "wasm" && next !== "js") {
    throw new TypeError(`setKernelBackend: expected "wasm" or "js", got ${JSON.stringify(next)}`);
  }
  if (next === "wasm" && optimKernels() === null) {
    throw new Error(
      "setKernelBackend: WebAssembly SIMD is not available here (or the kernels failed to compile)",
    );
  }
  const prev = active;
  active = next;
  return prev;
}

/**
 * Below this many elements a float32 update stays in JavaScript: the call into WebAssembly and the
 * copies cost more than SIMD saves on a handful of numbers (e.g. a bias of 10). Same bits either
 * way. Measured per `step()` on one parameter (Node 20, x64): the two break even at about 32
 * elements for Adam and 48 for SGD with momentum (0.35 µs vs 0.36 µs); at 64 the kernels are
 * 1.2× (SGD) and 1.6× (Adam) faster, at 1024 5.5× and 8×.
 */
export const WASM_MIN_ELEMENTS = 48;

let minElements = WASM_MIN_ELEMENTS;

/** The kernels to run an update of `n` float32 elements on, or null for the TypeScript loop. */
export function wasmFor(n: number): OptimKernels | null {
  return active === "wasm" && n >= minElements ? optimKernels() : null;
}

/**
 * Runs `fn` with `backend` active and, for `"wasm"`, every array of at least `minSize` elements on
 * the WASM kernels; restores both afterwards. For tests (not exported from the package): it lets
 * small fixtures exercise the kernels.
 */
export function withKernelBackend<T>(backend: KernelBackend, fn: () => T, minSize = WASM_MIN_ELEMENTS): T {
  const prev = setKernelBackend(backend);
  const prevMin = minElements;
  minElements = minSize;
  try {
    return fn();
  } finally {
    minElements = prevMin;
    active = prev;
  }
}

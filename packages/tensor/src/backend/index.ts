import type { Backend } from "./backend.js";
import { selectDefaultBackend } from "./wasm-select.js";

/**
 * The active backend. Ops read this live binding on every call. It starts as the WASM SIMD
 * backend where WebAssembly SIMD is available (matmul in WASM, everything else in the reference
 * loops), else the reference backend; `DESCENT_BACKEND=js` forces the reference backend.
 */
export let backend: Backend = selectDefaultBackend();

/** The kernels every backend must implement (checked by {@link setBackend}). */
const KERNELS = [
  "matmul",
  "unary",
  "unaryGrad",
  "binary",
  "expand",
  "sumTo",
  "reduce",
  "reduceArg",
  "softmax",
  "softmaxGrad",
  "permute",
] as const satisfies readonly (keyof Backend)[];

/** Replaces the numeric kernels (e.g. with a WASM SIMD backend). Returns the previous backend. */
export function setBackend(next: Backend): Backend {
  if (typeof next !== "object" || next === null) {
    throw new TypeError(`setBackend: expected a Backend object, got ${next === null ? "null" : typeof next}`);
  }
  for (const k of KERNELS) {
    if (typeof next[k] !== "function") {
      throw new TypeError(
        `setBackend: backend ${String(next.name)} has no kernel '${k}' (expected a function)`,
      );
    }
  }
  const prev = backend;
  backend = next;
  return prev;
}

/** The backend currently in use. */
export function getBackend(): Backend {
  return backend;
}

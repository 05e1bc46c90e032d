import type { Backend } from "./backend.js";
import { selectDefaultBackend } from "./wasm-select.js";

/**
 * The active backend. Ops read this live binding on every call. It starts as the WASM SIMD
 * backend where WebAssembly SIMD is available (matmul in WASM, everything else in the reference
 * loops), else the reference backend; `DESCENT_BACKEND=js` forces the reference backend.
 */
export let backend: Backend = selectDefaultBackend();

/** Replaces the numeric kernels (e.g. with a WASM SIMD backend). Returns the previous backend. */
export function setBackend(next: Backend): Backend {
  const prev = backend;
  backend = next;
  return prev;
}

/** The backend currently in use. */
export function getBackend(): Backend {
  return backend;
}

import type { Backend } from "./backend.js";
import { referenceBackend } from "./reference.js";

/** The active backend. Ops read this live binding on every call. */
export let backend: Backend = referenceBackend;

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

import type { Backend } from "./backend.js";
import { referenceBackend } from "./reference.js";
import { createWasmBackend } from "./wasm.js";

/** The environment variables of the host, where there is one (Node), without a `node:` import. */
function hostEnv(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

/**
 * The backend ops start with: the WASM SIMD backend where WebAssembly SIMD is available, else the
 * plain TypeScript reference backend. `DESCENT_BACKEND=js` (or `reference`) forces the reference
 * backend, e.g. to run the test suite against the oracle; `DESCENT_BACKEND=wasm` is the default.
 *
 * @throws Error for any other value of `DESCENT_BACKEND`.
 */
export function selectDefaultBackend(env: Record<string, string | undefined> = hostEnv()): Backend {
  const want = env.DESCENT_BACKEND;
  if (want === "js" || want === "reference") return referenceBackend;
  if (want !== undefined && want !== "" && want !== "wasm") {
    throw new Error(`DESCENT_BACKEND=${JSON.stringify(want)}: expected "wasm", "js" or "reference"`);
  }
  return createWasmBackend() ?? referenceBackend;
}

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

const require = createRequire(import.meta.url);
let wasmReady = false;

/** Makes `name` TF.js's active backend (the wasm backend loads its .wasm files from node_modules, one thread). */
export async function useBackend(name: "cpu" | "wasm"): Promise<void> {
  if (name === "wasm" && !wasmReady) {
    const dir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
    setWasmPaths(`${join(dir, "dist")}/`);
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    wasmReady = true;
  }
  if (!(await tf.setBackend(name))) throw new Error(`TF.js backend ${name} failed to start`);
  await tf.ready();
}

export { tf };

import { expect, test } from "vitest";
import { referenceBackend } from "./reference.js";
import { createWasmBackend } from "./wasm.js";
import { selectDefaultBackend } from "./wasm-select.js";

test("the default backend is WASM where SIMD is available, the reference when DESCENT_BACKEND=js", () => {
  const wasm = createWasmBackend();
  expect(wasm).not.toBeNull(); // Node 20 has WebAssembly SIMD
  expect(selectDefaultBackend({})).toBe(wasm);
  expect(selectDefaultBackend({ DESCENT_BACKEND: "wasm" })).toBe(wasm);
  expect(selectDefaultBackend({ DESCENT_BACKEND: "js" })).toBe(referenceBackend);
  expect(selectDefaultBackend({ DESCENT_BACKEND: "reference" })).toBe(referenceBackend);
});

test("an unknown DESCENT_BACKEND is an error naming the value", () => {
  expect(() => selectDefaultBackend({ DESCENT_BACKEND: "gpu" })).toThrow(
    'DESCENT_BACKEND="gpu": expected "wasm", "js" or "reference"',
  );
});

import { describeBackendConformance } from "./conformance.testutil.js";
import { referenceBackend } from "./reference.js";
import { createWasmBackend } from "./wasm.js";

describeBackendConformance(referenceBackend);

const wasm = createWasmBackend();
if (wasm !== null) describeBackendConformance(wasm);

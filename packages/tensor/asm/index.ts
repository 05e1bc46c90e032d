// Entry point of the WASM kernels: re-exports every kernel file.
export { adamF32 } from "./adam";
export { sgemm, sgemmPackA, sgemmPackB } from "./sgemm";

// Entry point of the WASM kernels: re-exports every kernel file.
export { sgemm, sgemmPackA, sgemmPackB } from "./sgemm";

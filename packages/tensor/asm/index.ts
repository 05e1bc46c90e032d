// Entry point of the WASM kernels: re-exports every kernel file.
export { dgemm, dgemmPackB, gemmPackA, sgemm, sgemmPackB } from "./gemm";

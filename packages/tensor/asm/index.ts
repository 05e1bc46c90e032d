// Entry point of the WASM kernels: re-exports every kernel file.
export { dgemm, dgemmPackA, dgemmPackB } from "./dgemm";
export { sgemm, sgemmPackA, sgemmPackB } from "./sgemm";

// Entry point of the WASM kernels: re-exports every kernel file.
export { adagradF32 } from "./adagrad";
export { adamF32 } from "./adam";
export { dgemm, dgemmPackA, dgemmPackB } from "./dgemm";
export { rmspropF32 } from "./rmsprop";
export { sgdF32 } from "./sgd";
export { sgemm, sgemmPackA, sgemmPackB } from "./sgemm";

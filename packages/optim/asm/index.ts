// Entry point of the optimizer kernels: re-exports every kernel file.
export { adagradF32 } from "./adagrad";
export { adamF32 } from "./adam";
export { rmspropF32 } from "./rmsprop";
export { sgdF32 } from "./sgd";

import type { Backend } from "./backend.js";
import { binary } from "./reference/binary.js";
import { expand, permute, sumTo } from "./reference/layout.js";
import { matmul } from "./reference/matmul.js";
import { reduce, reduceArg, softmax, softmaxGrad } from "./reference/reduce.js";
import { unary, unaryGrad } from "./reference/unary.js";

/**
 * The plain TypeScript backend: loops over typed arrays with explicit sizes, one file per kernel
 * family under `reference/`. It is the numeric reference every faster backend is tested against.
 */
export const referenceBackend: Backend = {
  name: "reference",
  matmul,
  unary,
  unaryGrad,
  binary,
  expand,
  sumTo,
  reduce,
  reduceArg,
  softmax,
  softmaxGrad,
  permute,
};

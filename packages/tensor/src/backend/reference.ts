import type { Backend } from "./backend.js";
import { binary } from "./reference/binary.js";
import { expand, permute, sumTo } from "./reference/layout.js";
import { matmul } from "./reference/matmul.js";
import { reduce, reduceArg, softmax, softmaxGrad } from "./reference/reduce.js";

/**
 * The plain TypeScript backend: loops over typed arrays with explicit sizes, one file per kernel
 * family under `reference/`; elementwise ops run the kernels their records carry (`ops/unary.ts`,
 * `ops/binary.ts`). It is the numeric reference every faster backend is tested against.
 */
export const referenceBackend: Backend = {
  name: "reference",
  matmul,
  unary: (kernel, x, out, n, p0, p1) => kernel.forward(x, out, n, p0, p1),
  unaryGrad: (kernel, x, y, g, out, n, p0, p1) => kernel.backward(x, y, g, out, n, p0, p1),
  binary,
  expand,
  sumTo,
  reduce,
  reduceArg,
  softmax,
  softmaxGrad,
  permute,
};

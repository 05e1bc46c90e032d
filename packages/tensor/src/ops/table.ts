import { lossOps } from "../losses.js";
import { binaryOps, whereOp } from "./binary.js";
import { convOps } from "./conv.js";
import { embeddingOps } from "./embedding.js";
import { indexOps } from "./indexing.js";
import { matmulOps } from "./matmul.js";
import { normOps } from "./norm.js";
import type { OpTable } from "./op.js";
import { poolOps } from "./pool.js";
import { reduceOps } from "./reduce.js";
import { sliceOps } from "./slice.js";
import { softmaxOps } from "./softmax.js";
import { unaryOps } from "./unary.js";
import { varianceOps } from "./variance.js";
import { viewOps } from "./view.js";

/**
 * Every differentiable primitive, keyed by name. The type `OpTable` maps each name in `OpAttrs`
 * to an op with both `forward` and `backward`: a primitive without a derivative does not compile.
 */
export const OPS: OpTable = {
  ...unaryOps,
  ...binaryOps,
  where: whereOp,
  ...matmulOps,
  ...reduceOps,
  ...softmaxOps,
  ...viewOps,
  ...indexOps,
  ...lossOps,
  ...sliceOps,
  ...varianceOps,
  ...embeddingOps,
  ...normOps,
  ...convOps,
  ...poolOps,
};

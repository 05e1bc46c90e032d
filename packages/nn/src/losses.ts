/** The losses live in the tensor core (each one op with its gradient); re-exported here for convenience. */
export { binaryCrossEntropyWithLogits, crossEntropy, type LossOptions, mseLoss } from "@descent/tensor";

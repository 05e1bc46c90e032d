export { ConstantLR, type ConstantLROptions } from "./constant.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine.js";
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
} from "./cosine-warm-restarts.js";
export { ExponentialLR, type ExponentialLROptions } from "./exponential.js";
export { LambdaLR, type LambdaLROptions, type LrLambda } from "./lambda.js";
export { LinearLR, type LinearLROptions } from "./linear.js";
export { MultiStepLR, type MultiStepLROptions } from "./multi-step.js";
export { MultiplicativeLR, type MultiplicativeLROptions } from "./multiplicative.js";
export { OneCycleLR, type OneCycleLROptions } from "./one-cycle.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./plateau.js";
export { PolynomialLR, type PolynomialLROptions } from "./polynomial.js";
export { LRScheduler, type SchedulableOptimizer, type SchedulerParamGroup } from "./scheduler.js";
export { SequentialLR, type SequentialLROptions } from "./sequential.js";
export type { SchedulerState } from "./state.js";
export { StepLR, type StepLROptions } from "./step.js";

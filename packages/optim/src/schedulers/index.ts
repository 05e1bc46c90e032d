export { ChainedScheduler, type ChainedSchedulerOptions } from "./chained.js";
export {
  ConstantLR,
  type ConstantLROptions,
  type ConstantScheduleOptions,
  constantSchedule,
} from "./constant.js";
export {
  CosineAnnealingLR,
  type CosineAnnealingLROptions,
  type CosineAnnealingScheduleOptions,
  cosineAnnealingSchedule,
} from "./cosine.js";
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
  type CosineAnnealingWarmRestartsScheduleOptions,
  cosineAnnealingWarmRestartsSchedule,
} from "./cosine-warm-restarts.js";
export {
  CyclicLR,
  type CyclicLROptions,
  type CyclicMode,
  type CyclicScaleMode,
  type CyclicScheduleOptions,
  cyclicSchedule,
} from "./cyclic.js";
export {
  ExponentialLR,
  type ExponentialLROptions,
  type ExponentialScheduleOptions,
  exponentialSchedule,
} from "./exponential.js";
export { LambdaLR, type LambdaLROptions, type LrLambda } from "./lambda.js";
export { LinearLR, type LinearLROptions, type LinearScheduleOptions, linearSchedule } from "./linear.js";
export {
  MultiStepLR,
  type MultiStepLROptions,
  type MultiStepScheduleOptions,
  multiStepSchedule,
} from "./multi-step.js";
export { MultiplicativeLR, type MultiplicativeLROptions } from "./multiplicative.js";
export {
  OneCycleLR,
  type OneCycleLROptions,
  type OneCycleScheduleOptions,
  oneCycleSchedule,
} from "./one-cycle.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./plateau.js";
export {
  PolynomialLR,
  type PolynomialLROptions,
  type PolynomialScheduleOptions,
  polynomialSchedule,
} from "./polynomial.js";
export {
  LRScheduler,
  type MomentumUpdate,
  type SchedulableOptimizer,
  type SchedulerParamGroup,
} from "./scheduler.js";
export { SequentialLR, type SequentialLROptions } from "./sequential.js";
export type { SchedulerState } from "./state.js";
export { StepLR, type StepLROptions, type StepScheduleOptions, stepSchedule } from "./step.js";
export { SWALR, type SWALROptions, type SWAScheduleOptions, swaSchedule } from "./swa.js";

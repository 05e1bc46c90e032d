export {
  SCHEDULE_FREE_ADAMW_ENTRY,
  ScheduleFreeAdamW,
  type ScheduleFreeAdamWHyperparameters,
  type ScheduleFreeAdamWOptions,
  type ScheduleFreeAdamWScalars,
  type ScheduleFreeAdamWState,
  scheduleFreeAdamWScalars,
  scheduleFreeAdamWStep,
} from "./adamw.js";
export {
  SCHEDULE_FREE_GROUP_KEYS,
  type ScheduleFreeGroupState,
  type ScheduleFreeHyperparameters,
  ScheduleFreeOptimizer,
  type ScheduleFreeState,
} from "./optimizer.js";
export {
  SCHEDULE_FREE_SGD_ENTRY,
  ScheduleFreeSGD,
  type ScheduleFreeSGDHyperparameters,
  type ScheduleFreeSGDOptions,
  type ScheduleFreeSGDScalars,
  type ScheduleFreeSGDState,
  scheduleFreeSGDScalars,
  scheduleFreeSGDStep,
} from "./sgd.js";
export { type ScheduleFreeWeightOptions, type ScheduleFreeWeights, scheduleFreeWeights } from "./weights.js";

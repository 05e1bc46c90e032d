// Descent's optimizers as TensorFlow.js optimizers.
import { serialization } from "@tensorflow/tfjs-core";
import { DescentOptimizer } from "./optimizer.js";

export {
  type ScheduleInterval,
  type SchedulerCallback,
  type SchedulerCallbackOptions,
  schedulerCallback,
} from "./callback.js";
export type { GroupSpec, VariableMatcher } from "./groups.js";
export { type DescentFactory, DescentOptimizer, type DescentOptimizerSettings } from "./optimizer.js";
export type { DataPath, TransferCounts } from "./transfer.js";
export type { LayerVariableLike, ModelLike, VariablesInput } from "./variables.js";

// As TF.js registers its own optimizers: lets a model saved with this optimizer load with it.
serialization.registerClass(DescentOptimizer);

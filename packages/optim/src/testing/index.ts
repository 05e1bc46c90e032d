// @descent/optim/testing: the conformance suite an engine adapter must pass. No test-runner
// dependency: the cases are plain functions that throw, and `describeConformance` takes the
// runner's `describe`/`it`.
export type {
  BuildOptimizer,
  Dtype,
  EngineAdapter,
  EngineOptimizer,
  GroupLayout,
  ParamSpec,
  Values,
} from "./engine.js";
export { type ParamEngineSpec, paramEngine } from "./param-engine.js";
export { type RuleSetting, ruleSettings } from "./settings.js";
export {
  type ConformanceCase,
  ConformanceError,
  type ConformanceOptions,
  conformanceCases,
  describeConformance,
  type TestRunner,
} from "./suite.js";

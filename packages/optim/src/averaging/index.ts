export { type AveragedParam, AveragedParams, type AveragedParamsOptions } from "./averaged-params.js";
export {
  type AvgFn,
  emaLerpStep,
  emaStep,
  getEmaAvgFn,
  getEmaMultiAvgFn,
  getSwaAvgFn,
  type MultiAvgFn,
  swaStep,
} from "./avg-fns.js";
export {
  AVERAGED_PARAMS_FORMAT,
  AVERAGED_PARAMS_VERSION,
  type AveragedParamsStateDict,
} from "./state-dict.js";

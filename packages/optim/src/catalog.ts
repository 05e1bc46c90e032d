// The optimizer catalog: every rule of the package, its public exports and its entry. A rule is
// added here once (its exports and its entry in OPTIMIZER_CATALOG) and every application that
// reads the catalog (the demo's command line and reports, the lab) offers it with no other edit.

import { ADADELTA_ENTRY } from "./adadelta.js";
import { ADAFACTOR_ENTRY } from "./adafactor.js";
import { ADAGRAD_ENTRY } from "./adagrad.js";
import { ADAM_ENTRY } from "./adam.js";
import { ADAMAX_ENTRY } from "./adamax.js";
import { ADAMW_ENTRY } from "./adamw.js";
import { ADEMAMIX_ENTRY } from "./ademamix.js";
import { ASGD_ENTRY } from "./asgd.js";
import type { OptimizerEntry } from "./catalog-entry.js";
import { LAMB_ENTRY } from "./lamb.js";
import { LARS_ENTRY } from "./lars.js";
import { LBFGS_ENTRY } from "./lbfgs.js";
import { LION_ENTRY } from "./lion.js";
import { LOOKAHEAD_ADAM_ENTRY } from "./lookahead.js";
import { MUON_ENTRY } from "./muon.js";
import { NADAM_ENTRY } from "./nadam.js";
import { RADAM_ENTRY } from "./radam.js";
import { RMSPROP_ENTRY } from "./rmsprop.js";
import { RPROP_ENTRY } from "./rprop.js";
import { SCHEDULE_FREE_ADAMW_ENTRY, SCHEDULE_FREE_SGD_ENTRY } from "./schedule-free/index.js";
import { MOMENTUM_ENTRY, SGD_ENTRY } from "./sgd.js";

export {
  ADADELTA_ENTRY,
  Adadelta,
  type AdadeltaHyperparameters,
  type AdadeltaOptions,
  type AdadeltaState,
  adadeltaStep,
} from "./adadelta.js";
export {
  ADAFACTOR_ENTRY,
  Adafactor,
  type AdafactorBuffers,
  type AdafactorHyperparameters,
  type AdafactorOptions,
  type AdafactorState,
  adafactorStep,
} from "./adafactor.js";
export {
  ADAGRAD_ENTRY,
  Adagrad,
  type AdagradHyperparameters,
  type AdagradOptions,
  type AdagradState,
  adagradStep,
} from "./adagrad.js";
export {
  ADAM_ENTRY,
  Adam,
  type AdamHyperparameters,
  type AdamOptions,
  type AdamState,
  adamStep,
} from "./adam.js";
export {
  ADAMAX_ENTRY,
  Adamax,
  type AdamaxHyperparameters,
  type AdamaxOptions,
  type AdamaxState,
  adamaxStep,
} from "./adamax.js";
export { ADAMW_ENTRY, AdamW, adamwStep } from "./adamw.js";
export {
  ADEMAMIX_ENTRY,
  AdEMAMix,
  type AdEMAMixHyperparameters,
  type AdEMAMixOptions,
  type AdEMAMixState,
  ademamixAlpha,
  ademamixBeta3,
  ademamixStep,
} from "./ademamix.js";
export {
  ASGD,
  ASGD_ENTRY,
  type ASGDHyperparameters,
  type ASGDOptions,
  type ASGDScalars,
  type ASGDState,
  asgdStep,
} from "./asgd.js";
export {
  LAMB,
  LAMB_ENTRY,
  type LAMBHyperparameters,
  type LAMBOptions,
  type LAMBState,
  lambStep,
} from "./lamb.js";
export {
  LARS,
  LARS_CATALOG_LR,
  LARS_ENTRY,
  type LARSHyperparameters,
  type LARSOptions,
  type LARSState,
  larsStep,
} from "./lars.js";
export {
  LBFGS,
  LBFGS_ENTRY,
  type LBFGSHyperparameters,
  type LBFGSOptions,
  type LBFGSSettings,
  type LBFGSState,
} from "./lbfgs.js";
export {
  LION_ENTRY,
  Lion,
  type LionHyperparameters,
  type LionOptions,
  type LionState,
  lionStep,
} from "./lion.js";
export {
  LOOKAHEAD_ADAM_ENTRY,
  LOOKAHEAD_ALPHA,
  LOOKAHEAD_GROUP_KEYS,
  LOOKAHEAD_K,
  Lookahead,
  type LookaheadOptions,
  type LookaheadStateDict,
  lookaheadSync,
} from "./lookahead.js";
export {
  MUON_ENTRY,
  Muon,
  type MuonHyperparameters,
  type MuonLrAdjustment,
  type MuonOptions,
  type MuonState,
  muonAdjustedLr,
  muonStep,
} from "./muon.js";
export {
  NADAM_ENTRY,
  NAdam,
  type NAdamHyperparameters,
  type NAdamOptions,
  type NAdamState,
  nadamStep,
} from "./nadam.js";
export {
  RADAM_ENTRY,
  RAdam,
  type RAdamHyperparameters,
  type RAdamOptions,
  type RAdamState,
  radamRho,
  radamStep,
} from "./radam.js";
export {
  RMSPROP_ENTRY,
  RMSprop,
  type RMSpropHyperparameters,
  type RMSpropOptions,
  type RMSpropState,
  rmspropStep,
} from "./rmsprop.js";
export {
  RPROP_ENTRY,
  Rprop,
  type RpropHyperparameters,
  type RpropOptions,
  type RpropState,
  rpropStep,
} from "./rprop.js";
export * from "./schedule-free/index.js";
export {
  MOMENTUM_ENTRY,
  SGD,
  SGD_ENTRY,
  type SGDHyperparameters,
  type SGDOptions,
  type SGDState,
  sgdStep,
} from "./sgd.js";

/**
 * Every rule of the package, in the order applications list them: the five rules of the classic
 * path from SGD to Adam first, then the others. Entries with `needsShape` (Muon, Adafactor) need
 * parameters with a `shape`; Muon takes matrices only.
 */
export const OPTIMIZER_CATALOG: readonly OptimizerEntry[] = Object.freeze([
  SGD_ENTRY,
  MOMENTUM_ENTRY,
  ADAGRAD_ENTRY,
  RMSPROP_ENTRY,
  ADAM_ENTRY,
  ADAMW_ENTRY,
  NADAM_ENTRY,
  RADAM_ENTRY,
  ADAMAX_ENTRY,
  ADADELTA_ENTRY,
  RPROP_ENTRY,
  ASGD_ENTRY,
  LBFGS_ENTRY,
  LION_ENTRY,
  LAMB_ENTRY,
  LARS_ENTRY,
  ADEMAMIX_ENTRY,
  SCHEDULE_FREE_ADAMW_ENTRY,
  SCHEDULE_FREE_SGD_ENTRY,
  LOOKAHEAD_ADAM_ENTRY,
  MUON_ENTRY,
  ADAFACTOR_ENTRY,
]);

import { f, isFloat32 } from "../kernel-check.js";
import {
  type BaseHyperparameters,
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from "../optimizer.js";
import type { FloatArray } from "../param.js";
import { type OptimizerStateDict, STATE_DICT_FORMAT } from "../state-dict.js";
import type { TrainEvalOptimizer } from "../train-eval.js";
import { checkLr, checkWeightDecay, show } from "../validate.js";
import { type ScheduleFreeWeights, scheduleFreeWeights } from "./weights.js";

/** The options both Schedule-Free rules have: the reference's, camelCased, and `maximize`. */
export interface ScheduleFreeHyperparameters extends BaseHyperparameters {
  /** Learning rate γ (the peak, reached after warmup). */
  lr: number;
  /** Weight decay λ, taken at y (an L2 term added to the step direction). Default 0. */
  weightDecay: number;
  /** Linear warmup of γ over this many steps; 0 for none. Default 0. */
  warmupSteps: number;
  /** Polynomial weighting: step t weighs t^r in the average x. Default 0. */
  r: number;
  /** The weights also scale with (largest lr so far)^weightLrPower. Default 2. */
  weightLrPower: number;
  /** Maximize the objective (negate the gradient). Default false; the reference has no such option. */
  maximize: boolean;
}

/**
 * What a Schedule-Free param group keeps besides its options, in the group itself, as the reference
 * does (`group['k']`, `group['weight_sum']`, ...), so `stateDict()` saves it with the group. These
 * keys are the optimizer's: a group given to the constructor or to `addParamGroup` cannot set them.
 */
export interface ScheduleFreeGroupState {
  /** Steps the group has taken (every applied `step()` counts, gradients or not). */
  k: number;
  /** Σ of the averaging weights so far. */
  weightSum: number;
  /** The largest lr so far (−1 before the first step). */
  lrMax: number;
  /** The lr of the last step after warmup (the reference's `scheduled_lr`, for logging). */
  scheduledLr: number;
  /** True in training mode (parameters at y), false in evaluation mode (at x). */
  trainMode: boolean;
}

/** The keys of {@link ScheduleFreeGroupState}. */
export const SCHEDULE_FREE_GROUP_KEYS: readonly (keyof ScheduleFreeGroupState)[] = [
  "k",
  "weightSum",
  "lrMax",
  "scheduledLr",
  "trainMode",
];

/** Per-parameter state of both rules: the base sequence z (and AdamW's second moment). */
export interface ScheduleFreeState extends ParamState {
  z: FloatArray;
}

/** A group's {@link ScheduleFreeGroupState} keys, typed. */
export function groupState(group: object): ScheduleFreeGroupState {
  return group as unknown as ScheduleFreeGroupState;
}

/**
 * Throws unless `group` holds a valid {@link ScheduleFreeGroupState}; `where` names the group. Run
 * at every step (the keys are plain, writable properties) and on every group of a state being loaded.
 */
export function checkGroupState(group: Record<string, unknown>, where: string): void {
  const { k, weightSum, lrMax, scheduledLr, trainMode } = group;
  if (!Number.isSafeInteger(k) || (k as number) < 0) {
    throw new RangeError(
      `${where}: k is ${show(k)}, expected the group's step count (a non-negative integer)`,
    );
  }
  if (typeof weightSum !== "number" || !(weightSum >= 0 && weightSum < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`${where}: weightSum is ${show(weightSum)}, expected a finite number ≥ 0`);
  }
  for (const [key, value] of [
    ["lrMax", lrMax],
    ["scheduledLr", scheduledLr],
  ] as const) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new RangeError(`${where}: ${key} is ${show(value)}, expected a finite number`);
    }
  }
  if (typeof trainMode !== "boolean") {
    throw new TypeError(`${where}: trainMode is ${show(trainMode)}, expected true or false`);
  }
}

/** The option checks both rules share (`lr`, `weightDecay`, `warmupSteps`, `r`, `weightLrPower`). */
export function checkScheduleFreeOptions(h: ScheduleFreeHyperparameters): void {
  checkLr(h.lr);
  checkWeightDecay(h.weightDecay);
  if (!Number.isSafeInteger(h.warmupSteps) || h.warmupSteps < 0) {
    throw new RangeError(
      `Invalid warmupSteps value: ${show(h.warmupSteps)} (expected a non-negative integer; PyTorch: warmup_steps)`,
    );
  }
  for (const [key, value] of [
    ["r", h.r],
    ["weightLrPower", h.weightLrPower],
  ] as const) {
    if (typeof value !== "number" || !(value >= 0 && value < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`Invalid ${key} value: ${show(value)} (expected a finite number ≥ 0)`);
    }
  }
  if (typeof h.maximize !== "boolean") {
    throw new TypeError(`Invalid maximize value: ${show(h.maximize)} (expected a boolean)`);
  }
}

/**
 * `p ← lerp(p, z, w)` in place, as PyTorch's `p.lerp_(z, w)` computes it in the parameter's dtype
 * (`aten/src/ATen/native/Lerp.h`: `p + w·(z − p)` when |w| < 0.5, else `z − (z − p)·(1 − w)`;
 * for float32 arrays w is rounded to float32 first and every operation rounds to float32).
 */
export function lerpInPlace(p: FloatArray, z: FloatArray, weight: number): void {
  const n = p.length;
  if (isFloat32(p) && isFloat32(z)) {
    const w = f(weight);
    const wc = f(1 - w);
    if (Math.abs(w) < 0.5) for (let i = 0; i < n; i++) p[i] = f(p[i] + f(w * f(z[i] - p[i])));
    else for (let i = 0; i < n; i++) p[i] = f(z[i] - f(f(z[i] - p[i]) * wc));
    return;
  }
  if (Math.abs(weight) < 0.5) for (let i = 0; i < n; i++) p[i] = p[i] + weight * (z[i] - p[i]);
  else for (let i = 0; i < n; i++) p[i] = z[i] - (z[i] - p[i]) * (1 - weight);
}

/**
 * What `ScheduleFreeAdamW` and `ScheduleFreeSGD` share: the per-group counters and averaging
 * weights ({@link scheduleFreeWeights}), advanced once per group at every step; the training and
 * evaluation modes with `train()` / `eval()`; the check that `step()` runs in training mode; and
 * the group state in `stateDict()` / `loadStateDict()`.
 *
 * The parameters hold y (the point gradients are taken at) in training mode and x (the average,
 * the point to evaluate and to save) in evaluation mode; with β the rule's interpolation
 * (`betas[0]`, or SGD's `momentum`) and z the base sequence in the state:
 *
 *     y = (1 − β)·z + β·x
 *     train():  p ← lerp(p, z, 1 − β)         x → y
 *     eval():   p ← lerp(p, z, 1 − 1/β)       y → x
 *
 * Parameters without state (never stepped) are not moved: there x = y = z.
 */
export abstract class ScheduleFreeOptimizer<
    H extends ScheduleFreeHyperparameters,
    S extends ScheduleFreeState,
    C,
  >
  extends Optimizer<H, S>
  implements TrainEvalOptimizer
{
  /** Each group's scalars for the step under way, set by {@link beginGroupStep}. */
  private readonly current = new Map<object, C>();

  /** β of the interpolation y = (1 − β)·z + β·x: AdamW's `betas[0]`, SGD's `momentum`. */
  protected abstract interpolation(group: H): number;

  /** This step's scalars for the update kernel, from the group's options and weights. */
  protected abstract stepScalars(group: H, weights: ScheduleFreeWeights, k: number): C;

  /** True in training mode: the mode of param group 0, which `step()` requires, as in the reference. */
  get trainMode(): boolean {
    return groupState(this.paramGroups[0]).trainMode;
  }

  /**
   * Switches to training mode: every group in evaluation mode moves its parameters from x to y,
   * `p ← lerp(p, z, 1 − β)`. Call before training steps (the reference's `optimizer.train()`).
   */
  train(): void {
    for (const group of this.paramGroups) {
      const s = groupState(group);
      if (s.trainMode) continue;
      this.moveParams(group, 1 - this.interpolation(group));
      s.trainMode = true;
    }
  }

  /**
   * Switches to evaluation mode: every group in training mode moves its parameters from y to x,
   * `p ← lerp(p, z, 1 − 1/β)`. Call before evaluating or saving (the reference's `optimizer.eval()`).
   */
  eval(): void {
    for (const group of this.paramGroups) {
      const s = groupState(group);
      if (!s.trainMode) continue;
      this.moveParams(group, 1 - 1 / this.interpolation(group));
      s.trainMode = false;
    }
  }

  /**
   * One Schedule-Free step (see the class's documentation). Only in training mode: in evaluation
   * mode it throws before calling `closure`, as the reference does.
   */
  override step(closure?: () => number): number | undefined {
    this.paramGroups.forEach((group, g) => {
      checkGroupState(group, `${this.kind}.step: param group ${g}`);
      if (!groupState(group).trainMode) {
        throw new Error(
          `${this.kind}.step: the optimizer is in evaluation mode (param group ${g}); call train() before training steps and eval() before evaluating, as with model.train() and model.eval()`,
        );
      }
    });
    return super.step(closure);
  }

  /**
   * Adds a param group. Its counters start at 0, and it takes the mode of the other groups (the
   * reference starts an added group in evaluation mode whatever the others' mode, so `eval()`
   * would then skip it).
   */
  override addParamGroup(group: ParamGroupInput<H>): void {
    if (typeof group === "object" && group !== null) {
      for (const key of SCHEDULE_FREE_GROUP_KEYS) {
        if (Object.hasOwn(group, key)) {
          throw new TypeError(
            `${this.kind}: ${key} is kept by the optimizer (group state, not an option) and cannot be given in a param group`,
          );
        }
      }
    }
    const mode = this.paramGroups.length > 0 ? this.trainMode : false;
    super.addParamGroup(group);
    const added = this.paramGroups[this.paramGroups.length - 1] as unknown as Record<string, unknown>;
    const initial: ScheduleFreeGroupState = {
      k: 0,
      weightSum: 0,
      lrMax: -1,
      scheduledLr: 0,
      trainMode: mode,
    };
    Object.assign(added, initial);
  }

  /**
   * Restores a saved state (see `Optimizer.loadStateDict`), including every group's counters and
   * mode, all checked before anything changes. The parameters are not moved: load a state saved in
   * evaluation mode into an optimizer whose parameters hold x (as the reference recommends,
   * checkpoints are saved in evaluation mode).
   */
  override loadStateDict(stateDict: OptimizerStateDict): void {
    const sd = stateDict as unknown as Partial<Record<string, unknown>> | null;
    const groups = sd?.paramGroups;
    // Another format or kind: the base class says so.
    if (sd?.format === STATE_DICT_FORMAT && sd.kind === this.kind && Array.isArray(groups)) {
      groups.forEach((saved, g) => {
        if (typeof saved === "object" && saved !== null) {
          checkGroupState(saved as Record<string, unknown>, `${this.kind}.loadStateDict: param group ${g}`);
        }
      });
    }
    super.loadStateDict(stateDict);
  }

  /** Advances the group's counters and weights and keeps this step's scalars for {@link update}. */
  protected override beginGroupStep(group: ParamGroup & H): void {
    const s = groupState(group);
    const k = s.k;
    const weights = scheduleFreeWeights(k, group, s.lrMax, s.weightSum);
    s.scheduledLr = weights.lr;
    s.lrMax = weights.lrMax;
    s.weightSum = weights.weightSum;
    this.current.set(group, this.stepScalars(group, weights, k));
    s.k = k + 1;
  }

  /** The scalars {@link beginGroupStep} computed for `group` in the step under way. */
  protected scalarsOf(group: ParamGroup & H): C {
    const scalars = this.current.get(group);
    if (scalars === undefined) throw new Error(`${this.kind}: update outside of step()`);
    return scalars;
  }

  private moveParams(group: ParamGroup & H, weight: number): void {
    for (const p of group.params) {
      const state = this.state.get(p);
      if (state !== undefined) lerpInPlace(p.data, state.z, weight);
    }
  }
}

import {
  checksOf,
  num,
  perGroup,
  pytorchCheck,
  readOptions,
  required,
  scheduleFunction,
  withDefault,
} from "./options.js";
import {
  checkOptimizer,
  LAST_EPOCH,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerParamGroup,
} from "./scheduler.js";

/** Options of {@link SWALR}. */
export interface SWALROptions {
  /** The lr to anneal to (≥ 0), for all groups or one per group. */
  swaLr: number | readonly number[];
  /** Epochs the annealing takes (an integer ≥ 0; 0 jumps to `swaLr` at the first step). Default 10. */
  annealEpochs?: number;
  /** `"cos"` or `"linear"` annealing. Default `"cos"`. */
  annealStrategy?: "cos" | "linear";
  /** Index of the last epoch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link swaSchedule}: SWALR's, with one `swaLr` and the lr the annealing starts from. */
export interface SWAScheduleOptions {
  baseLr: number;
  swaLr: number;
  annealEpochs?: number;
  annealStrategy?: "cos" | "linear";
}

const OPTIONS = {
  annealEpochs: withDefault(
    pytorchCheck<number>(
      "number",
      (v) => Number.isSafeInteger(v) && v >= 0,
      (v) => `annealEpochs must be equal or greater than 0, got ${v}`,
    ),
    10,
  ),
  annealStrategy: withDefault(
    pytorchCheck<"cos" | "linear">(
      "string",
      (v) => v === "cos" || v === "linear",
      (v) => `annealStrategy must be one of 'cos' or 'linear', instead got ${v}`,
    ),
    "cos",
  ),
};

/** The fraction α ∈ [0, 1] of the way to swaLr at anneal progress t ∈ [0, 1]. */
const ANNEAL = {
  cos: (t: number) => (1 - Math.cos(Math.PI * t)) / 2,
  linear: (t: number) => t,
};

/** max(0, min(1, x)). */
function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

/**
 * SWALR's schedule when nothing else touches the lr: with t = clamp(step/annealEpochs, 0, 1) and
 * α = (1 − cos(πt))/2 (cos) or t (linear), lr = swaLr·α + baseLr·(1 − α); with annealEpochs 0,
 * swaLr from step 1 on. `baseLr` is the lr when the scheduler was created.
 *
 * @example
 * swaSchedule({ baseLr: 0.1, swaLr: 0.05, annealEpochs: 4, annealStrategy: "linear" })(2); // 0.075
 */
export function swaSchedule(options: SWAScheduleOptions): (step: number) => number {
  const kind = "swaSchedule";
  const lr = num({ min: 0 });
  const o = readOptions(kind, options, { baseLr: required(lr), swaLr: required(lr), ...OPTIONS });
  const anneal = ANNEAL[o.annealStrategy];
  return scheduleFunction(kind, (step) => {
    const s = o.annealEpochs === 0 ? Math.max(1, step) : step;
    const alpha = anneal(clamp01(s / Math.max(1, o.annealEpochs)));
    return o.swaLr * alpha + o.baseLr * (1 - alpha);
  });
}

/**
 * Anneals every group's lr to a fixed `swaLr` over `annealEpochs` epochs, for stochastic weight
 * averaging (PyTorch's `torch.optim.swa_utils.SWALR`; Izmailov et al., "Averaging Weights Leads to
 * Wider Optima and Better Generalization", 2018), then keeps it there. Usually switched to late
 * in training, after another scheduler.
 *
 * It writes `swaLr` into every group and, like PyTorch, counts with `stepCount`, not `lastEpoch`:
 * with s = stepCount − 1 (max(1, s) when annealEpochs = 0), A = max(1, annealEpochs),
 *
 *   α_prev = a(clamp((s − 1)/A)),   η_start = swaLr if α_prev = 1, else (η − α_prev·swaLr)/(1 − α_prev)
 *   α = a(clamp(s/A)),              η_new = swaLr·α + η_start·(1 − α)
 *
 * with a(t) = (1 − cos(πt))/2 (`"cos"`) or t (`"linear"`): it recovers the lr the annealing started
 * from out of the group's current lr η, so it is chainable, and without outside changes follows
 * {@link swaSchedule} from the lr the group had when the scheduler was created.
 *
 * @example
 * const swa = new SWALR(optimizer, { swaLr: 0.05, annealEpochs: 5, annealStrategy: "linear" });
 * for (let epoch = 0; epoch < 300; epoch++) { train(); if (epoch > 160) swa.step(); else sched.step(); }
 */
export class SWALR extends LRScheduler {
  annealEpochs: number;
  annealStrategy: "cos" | "linear";

  constructor(optimizer: SchedulableOptimizer, options: SWALROptions) {
    const kind = "SWALR";
    checkOptimizer(kind, optimizer);
    const spec = { swaLr: required(perGroup(num({ min: 0 }))), ...OPTIONS, lastEpoch: LAST_EPOCH };
    const o = readOptions(kind, options, spec, optimizer.paramGroups.length);
    super(kind, optimizer, o.lastEpoch, (groups) => {
      groups.forEach((group, i) => {
        group.swaLr = o.swaLr[i];
      });
    });
    this.annealEpochs = o.annealEpochs;
    this.annealStrategy = o.annealStrategy;
    this.start();
  }

  protected getLr(): number[] {
    const anneal = ANNEAL[this.annealStrategy];
    const epochs = this.annealEpochs;
    const step = epochs === 0 ? Math.max(1, this.stepCount - 1) : this.stepCount - 1;
    const prevAlpha = anneal(clamp01((step - 1) / Math.max(1, epochs)));
    const alpha = anneal(clamp01(step / Math.max(1, epochs)));
    return this.optimizer.paramGroups.map((group, i) => {
      const swaLr = swaLrOf(group, i);
      const start = prevAlpha === 1 ? swaLr : (group.lr - prevAlpha * swaLr) / (1 - prevAlpha);
      return swaLr * alpha + start * (1 - alpha);
    });
  }

  protected stateFields() {
    return checksOf(OPTIONS);
  }
}

function swaLrOf(group: SchedulerParamGroup, index: number): number {
  const value = group.swaLr;
  if (typeof value !== "number") {
    throw new TypeError(
      `SWALR: paramGroups[${index}].swaLr is missing (was the group added after the scheduler?)`,
    );
  }
  return value;
}

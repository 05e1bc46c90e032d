import { show } from "../validate.js";
import { momentumTarget, setMomentum } from "./momentum.js";
import {
  bool,
  type Check,
  fn,
  groupArray,
  num,
  oneOf,
  optional,
  perGroup,
  readOptions,
  required,
  scheduleFunction,
  withDefault,
} from "./options.js";
import {
  checkOptimizer,
  LAST_EPOCH,
  LRScheduler,
  type MomentumUpdate,
  type SchedulableOptimizer,
} from "./scheduler.js";

/** CyclicLR's built-in policies. */
export type CyclicMode = "triangular" | "triangular2" | "exp_range";
/** What a scale function is evaluated on: the cycle number, or the iteration (`lastEpoch`). */
export type CyclicScaleMode = "cycle" | "iterations";

/** Options of {@link CyclicLR}. */
export interface CyclicLROptions {
  /** Lower lr boundary of the cycle, for all groups or one per group. Also the groups' starting lr. */
  baseLr: number | readonly number[];
  /** Upper lr boundary (the amplitude is maxLr − baseLr), for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Iterations in the increasing half of a cycle (> 0). Default 2000. */
  stepSizeUp?: number;
  /** Iterations in the decreasing half (≥ 0). Default `stepSizeUp`. */
  stepSizeDown?: number;
  /** Amplitude policy; ignored when `scaleFn` is given. Default `"triangular"`. */
  mode?: CyclicMode;
  /** `"exp_range"`'s factor: the amplitude is scaled by gamma^iteration (≥ 0). Default 1. */
  gamma?: number;
  /** A custom amplitude scaling x ↦ s(x), 0 ≤ s ≤ 1, replacing `mode`. Cannot be saved in a state dict. */
  scaleFn?: (x: number) => number;
  /** What `scaleFn` is evaluated on; only used with `scaleFn`. Default `"cycle"`. */
  scaleMode?: CyclicScaleMode;
  /** Cycle the momentum (or `betas[0]`) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the lr peak, for all groups or one per group. Default 0.8. */
  baseMomentum?: number | readonly number[];
  /** Momentum at the start of a cycle, for all groups or one per group. Default 0.9. */
  maxMomentum?: number | readonly number[];
  /** Index of the last batch when resuming. Default −1 (start fresh). */
  lastEpoch?: number;
}

/** Options of {@link cyclicSchedule}: CyclicLR's lr options, with one `baseLr` and one `maxLr`. */
export interface CyclicScheduleOptions {
  baseLr: number;
  maxLr: number;
  stepSizeUp?: number;
  stepSizeDown?: number;
  mode?: CyclicMode;
  gamma?: number;
  scaleFn?: (x: number) => number;
  scaleMode?: CyclicScaleMode;
}

const LR = num({ min: 0 });
const MOMENTUM = num({ min: 0 });
const SCHEDULE = {
  stepSizeUp: withDefault(num({ above: 0 }), 2000),
  stepSizeDown: optional(num({ min: 0 })),
  mode: withDefault(oneOf<CyclicMode>("triangular", "triangular2", "exp_range"), "triangular"),
  gamma: withDefault(num({ min: 0 }), 1),
  scaleFn: optional(fn<(x: number) => number>()),
  scaleMode: withDefault(oneOf<CyclicScaleMode>("cycle", "iterations"), "cycle"),
};

/** The built-in scale functions and the scale mode each forces (PyTorch's `_init_scale_fn`). */
const POLICIES: Record<
  CyclicMode,
  { scale: (x: number, gamma: number) => number; scaleMode: CyclicScaleMode }
> = {
  triangular: { scale: () => 1, scaleMode: "cycle" },
  triangular2: { scale: (x) => 1 / 2 ** (x - 1), scaleMode: "cycle" },
  exp_range: { scale: (x, gamma) => gamma ** x, scaleMode: "iterations" },
};

/** A cycle's geometry: `totalSize` iterations, the first `stepRatio` of them going up. */
interface Geometry {
  totalSize: number;
  stepRatio: number;
}

function geometry(kind: string, stepSizeUp: number, stepSizeDown: number | undefined): Geometry {
  const totalSize = stepSizeUp + (stepSizeDown ?? stepSizeUp);
  if (!Number.isFinite(totalSize)) {
    throw new RangeError(`${kind}: stepSizeUp + stepSizeDown must be finite, got ${totalSize}`);
  }
  return { totalSize, stepRatio: stepSizeUp / totalSize };
}

/**
 * Where iteration t is: the cycle number c = ⌊1 + t/T⌋, and the fraction of the amplitude
 * h = x/r going up, (x − 1)/(r − 1) going down, with x = 1 + t/T − c (T = totalSize, r = stepRatio).
 */
function cyclePosition(t: number, { totalSize, stepRatio }: Geometry): { cycle: number; height: number } {
  const cycle = Math.floor(1 + t / totalSize);
  const x = 1 + t / totalSize - cycle;
  const height = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
  return { cycle, height };
}

/**
 * CyclicLR's lr schedule for one `baseLr` / `maxLr`, as a function of the iteration:
 *
 *   lr_t = baseLr + (maxLr − baseLr)·h(t)·s(·)
 *
 * with h the triangle wave of {@link CyclicLR} and s the mode's scale function.
 *
 * @example
 * cyclicSchedule({ baseLr: 0.1, maxLr: 1, stepSizeUp: 4 })(2); // 0.55
 */
export function cyclicSchedule(options: CyclicScheduleOptions): (step: number) => number {
  const kind = "cyclicSchedule";
  const o = readOptions(kind, options, { baseLr: required(LR), maxLr: required(LR), ...SCHEDULE });
  const g = geometry(kind, o.stepSizeUp, o.stepSizeDown);
  const scale = scaleOf(kind, o);
  return scheduleFunction(kind, (t) => {
    const { cycle, height } = cyclePosition(t, g);
    return o.baseLr + (o.maxLr - o.baseLr) * height * scale.at(cycle, t);
  });
}

/** The scale function and what it is evaluated on, with its output checked. */
function scaleOf(
  kind: string,
  o: { mode: CyclicMode; gamma: number; scaleFn?: (x: number) => number; scaleMode: CyclicScaleMode },
): { scaleMode: CyclicScaleMode; at: (cycle: number, t: number) => number } {
  const policy = POLICIES[o.mode];
  const custom = o.scaleFn;
  const scaleMode = custom === undefined ? policy.scaleMode : o.scaleMode;
  const f = custom ?? ((x: number) => policy.scale(x, o.gamma));
  return {
    scaleMode,
    at: (cycle, t) => {
      const x = scaleMode === "cycle" ? cycle : t;
      const s = f(x);
      if (typeof s !== "number" || !Number.isFinite(s)) {
        throw new RangeError(`${kind}: scaleFn(${x}) returned ${show(s)} (expected a finite number)`);
      }
      return s;
    },
  };
}

/**
 * Cyclical learning rates (PyTorch's `CyclicLR`; Smith, "Cyclical Learning Rates for Training
 * Neural Networks", 2017): the lr of every group moves along a triangle wave between `baseLr` and
 * `maxLr`, `stepSizeUp` iterations up and `stepSizeDown` down. Step it after every batch. At
 * iteration t (= `lastEpoch`), with T = stepSizeUp + stepSizeDown and r = stepSizeUp/T:
 *
 *   c = ⌊1 + t/T⌋,   x = 1 + t/T − c,   h = x/r if x ≤ r else (x − 1)/(r − 1)
 *   lr = baseLr + (maxLr − baseLr)·h·s,    momentum = maxMomentum − (maxMomentum − baseMomentum)·h·s
 *
 * where s is the amplitude scale: 1 (`"triangular"`), 1/2^(c−1) (`"triangular2"`), gamma^t
 * (`"exp_range"`), or `scaleFn(c)` / `scaleFn(t)` by `scaleMode` with a custom `scaleFn`. It is not
 * chainable. With `cycleMomentum`, the momentum (or `betas[0]` for Adam-family rules) cycles
 * inversely; an optimizer with neither is an error.
 *
 * As in PyTorch, the constructor overwrites every group's lr with its `baseLr` (when `lastEpoch`
 * is −1), and the initial step uses the groups' `initialLr` as base lrs: a group that already had
 * an `initialLr` (from an earlier scheduler) starts at that lr, and the base lrs become `baseLr`
 * from the first `step()` on. The constructor also writes `maxMomentum` / `baseMomentum` and the
 * starting momentum into the groups (PyTorch ≥ 2.2; 1.13 started from `baseMomentum` and read
 * the base momenta back from the groups).
 *
 * `stateDict()` holds the options but not a custom `scaleFn` (a function): PyTorch drops it too.
 * To load a state saved with a custom `scaleFn`, construct the CyclicLR with the same function.
 *
 * @example
 * const sched = new CyclicLR(optimizer, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 10 });
 * for (const batch of batches) { trainBatch(batch); optimizer.step(); sched.step(); }
 */
export class CyclicLR extends LRScheduler {
  /** Upper lr boundary of each group. */
  maxLrs: number[];
  /** Iterations per cycle. */
  totalSize: number;
  /** The fraction of a cycle spent going up. */
  stepRatio: number;
  mode: CyclicMode;
  gamma: number;
  /** What the scale function is evaluated on (forced by `mode` unless `scaleFn` is custom). */
  scaleMode: CyclicScaleMode;
  cycleMomentum: boolean;
  /** Cycle `betas[0]` (true) or `momentum` (false). */
  useBeta1: boolean;
  baseMomentums: number[];
  maxMomentums: number[];
  /** Whether a custom `scaleFn` was given (it is not part of the state). */
  readonly hasCustomScaleFn: boolean;
  private readonly customScaleFn: ((x: number) => number) | undefined;

  constructor(optimizer: SchedulableOptimizer, options: CyclicLROptions) {
    const kind = "CyclicLR";
    checkOptimizer(kind, optimizer);
    const spec = {
      baseLr: required(perGroup(LR)),
      maxLr: required(perGroup(LR)),
      ...SCHEDULE,
      cycleMomentum: withDefault(bool(), true),
      baseMomentum: withDefault(perGroup(MOMENTUM), 0.8),
      maxMomentum: withDefault(perGroup(MOMENTUM), 0.9),
      lastEpoch: LAST_EPOCH,
    };
    const o = readOptions(kind, options, spec, optimizer.paramGroups.length);
    const { baseMomentum, maxMomentum } = o;
    const useBeta1 = o.cycleMomentum && momentumTarget(kind, optimizer, { maxMomentum, baseMomentum });
    const { totalSize, stepRatio } = geometry(kind, o.stepSizeUp, o.stepSizeDown);
    super(kind, optimizer, o.lastEpoch, (groups) => {
      if (o.lastEpoch !== -1) return;
      groups.forEach((group, i) => {
        group.lr = o.baseLr[i];
        if (!o.cycleMomentum) return;
        setMomentum(group, maxMomentum[i], useBeta1);
        group.maxMomentum = maxMomentum[i];
        group.baseMomentum = baseMomentum[i];
      });
    });
    this.maxLrs = o.maxLr;
    this.totalSize = totalSize;
    this.stepRatio = stepRatio;
    this.mode = o.mode;
    this.gamma = o.gamma;
    this.customScaleFn = o.scaleFn;
    this.hasCustomScaleFn = o.scaleFn !== undefined;
    this.scaleMode = o.scaleFn === undefined ? POLICIES[o.mode].scaleMode : o.scaleMode;
    this.cycleMomentum = o.cycleMomentum;
    this.useBeta1 = useBeta1;
    this.baseMomentums = baseMomentum;
    this.maxMomentums = maxMomentum;
    this.start();
    this.baseLrs = o.baseLr;
  }

  /** The amplitude scale at x (a cycle number or an iteration, by `scaleMode`). */
  scaleFn(x: number): number {
    const { mode, gamma, scaleMode } = this;
    return scaleOf(this.kind, { mode, gamma, scaleMode, scaleFn: this.customScaleFn }).at(x, x);
  }

  /** `lo + (hi − lo)·h·s` per group (lr), or `hi − (hi − lo)·h·s` (momentum, `down`). */
  private wave(lo: readonly number[], hi: readonly number[], down: boolean): number[] {
    const t = this.lastEpoch;
    const { cycle, height } = cyclePosition(t, this);
    const s = this.scaleFn(this.scaleMode === "cycle" ? cycle : t);
    const n = Math.min(lo.length, hi.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const amplitude = (hi[i] - lo[i]) * height;
      out.push(down ? hi[i] - amplitude * s : lo[i] + amplitude * s);
    }
    return out;
  }

  protected getLr(): number[] {
    return this.wave(this.baseLrs, this.maxLrs, false);
  }

  protected override getMomentum(): MomentumUpdate | undefined {
    if (!this.cycleMomentum) return undefined;
    return { values: this.wave(this.baseMomentums, this.maxMomentums, true), useBeta1: this.useBeta1 };
  }

  protected stateFields(): Record<string, Check<unknown>> {
    const customFn: Check<boolean> = (value, label) => {
      const saved = bool()(value, label, 0);
      if (saved && !this.hasCustomScaleFn) {
        throw new TypeError(
          `${label}: the state was saved with a custom scaleFn, which a state dict cannot hold; construct this CyclicLR with the same scaleFn to load it`,
        );
      }
      if (!saved && this.hasCustomScaleFn) {
        throw new TypeError(
          `${label}: the state was saved without a custom scaleFn, but this CyclicLR has one`,
        );
      }
      return saved;
    };
    return {
      maxLrs: groupArray(LR),
      totalSize: num({ above: 0 }),
      stepRatio: num({ above: 0, max: 1 }),
      mode: SCHEDULE.mode.check,
      gamma: SCHEDULE.gamma.check,
      scaleMode: SCHEDULE.scaleMode.check,
      cycleMomentum: bool(),
      useBeta1: bool(),
      baseMomentums: groupArray(MOMENTUM),
      maxMomentums: groupArray(MOMENTUM),
      hasCustomScaleFn: customFn,
    };
  }
}

import { ADAM_ENTRY, Adam } from "./adam.js";
import type { NumberHyperparameter, OptimizerEntry } from "./catalog-entry.js";
import { f, isFloat32 } from "./kernel-check.js";
import {
  type BaseHyperparameters,
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type StateLayout,
} from "./optimizer.js";
import type { FloatArray, Param } from "./param.js";
import {
  decodeArray,
  encodeArray,
  type OptimizerStateDict,
  type SavedArray,
  STATE_DICT_FORMAT,
  STATE_DICT_VERSION,
} from "./state-dict.js";
import { hasTrainEvalModes } from "./train-eval.js";
import { show } from "./validate.js";

/** Lookahead's options. */
export interface LookaheadOptions {
  /** Inner steps between synchronizations (an integer ≥ 1). Default 5. */
  k?: number;
  /** How far the slow weights move towards the fast ones at a synchronization, in [0, 1]. Default 0.5. */
  alpha?: number;
}

/**
 * The keys Lookahead keeps in each param group of the inner optimizer (its `k` and `alpha` for
 * that group), so that they are saved with the groups and can be written between steps like any
 * group option, e.g. by an application that retunes `lookaheadAlpha`.
 */
export const LOOKAHEAD_GROUP_KEYS = { k: "lookaheadK", alpha: "lookaheadAlpha" } as const;

/**
 * Lookahead's saved state: the inner optimizer's (its `paramGroups`, `state` and `skippedSteps`,
 * with `inner` naming its kind) and Lookahead's own, each group's step counter since its last
 * synchronization and every parameter's slow weights (in parameter-index order).
 */
export interface LookaheadStateDict extends OptimizerStateDict {
  kind: "Lookahead";
  /** The inner optimizer's kind, e.g. `"Adam"`. */
  inner: string;
  lookahead: {
    /** Per param group: inner steps since its last synchronization. */
    counters: number[];
    /** Per parameter, numbered as in `paramGroups`: its slow weights. */
    slow: SavedArray[];
  };
}

/**
 * One Lookahead synchronization of one parameter, in place, in the authors' order
 * (`lookahead_pytorch.py`: `p.data.mul_(α).add_(1 − α, slow)`, then `slow.copy_(p.data)`):
 *
 *     fast ← α·fast + (1 − α)·slow         (= slow + α·(fast − slow), rounded as written)
 *     slow ← fast
 *
 * Float32 arrays in float32 arithmetic, op by op, α and 1 − α rounded to float32 first.
 */
export function lookaheadSync(fast: FloatArray, slow: FloatArray, alpha: number): void {
  const n = fast.length;
  if (slow.length !== n) {
    throw new RangeError(`lookaheadSync: slow has ${slow.length} elements, but the parameter has ${n}`);
  }
  if (isFloat32(fast) && isFloat32(slow)) {
    const a = f(alpha);
    const b = f(1 - alpha);
    for (let i = 0; i < n; i++) {
      const x = f(f(fast[i] * a) + f(b * slow[i]));
      fast[i] = x;
      slow[i] = x;
    }
    return;
  }
  const b = 1 - alpha;
  for (let i = 0; i < n; i++) {
    const x = fast[i] * alpha + b * slow[i];
    fast[i] = x;
    slow[i] = x;
  }
}

function checkK(k: unknown, where = ""): void {
  if (!Number.isSafeInteger(k) || (k as number) < 1) {
    throw new RangeError(`Invalid number of lookahead steps k: ${show(k)} (expected an integer ≥ 1)${where}`);
  }
}

function checkAlpha(alpha: unknown, where = ""): void {
  if (typeof alpha !== "number" || !(0 <= alpha && alpha <= 1)) {
    throw new RangeError(
      `Invalid linear interpolation factor alpha: ${show(alpha)} (expected a number in [0, 1])${where}`,
    );
  }
}

const STATE_KEYS = [
  "format",
  "version",
  "kind",
  "inner",
  "paramGroups",
  "state",
  "skippedSteps",
  "lookahead",
];

/**
 * Lookahead (Zhang, Lucas, Hinton & Ba, 2019) around any optimizer of this package: the inner
 * optimizer takes every step on the "fast" weights (the parameters); every k-th step the slow
 * weights φ move towards them and the fast weights restart from there:
 *
 *     θ ← inner step(θ)                          every step
 *     every k-th step:  φ ← φ + α·(θ − φ),  θ ← φ
 *
 * with φ a copy of the parameters made when the Lookahead is constructed. This is exactly the
 * authors' implementation (`lookahead_pytorch.py` of github.com/michaelrzhang/lookahead, commit
 * 990861b, with `pullback_momentum="none"`): φ is copied at construction, a counter of inner steps
 * triggers the synchronization when it reaches k and restarts at 0, every parameter of every group
 * is synchronized (those without a gradient too), and the synchronization computes
 * `θ·α + (1 − α)·φ` in that order (see {@link lookaheadSync}). The inner optimizer's state (Adam's
 * moments, momentum buffers) is kept across synchronizations.
 *
 * The Lookahead shares the inner optimizer's `paramGroups`, `state` and `defaults` (the same
 * objects), so LR schedulers, gradient clipping and `zeroGrad` work through it. Each group also
 * holds its `lookaheadK` and `lookaheadAlpha` ({@link LOOKAHEAD_GROUP_KEYS}), set from the options
 * and writable between steps; every group counts its own steps (with the same k, as the reference's
 * single counter). `stateDict()` saves the inner state, the counters and the slow weights
 * ({@link LookaheadStateDict}); `loadStateDict()` checks all of it before changing anything.
 *
 * Defaults: `k = 5, alpha = 0.5` (the paper's and `torch_optimizer.Lookahead`'s; the authors' code
 * defaults to `la_alpha = 0.8`).
 *
 * @example
 * ```ts
 * const opt = new Lookahead(new Adam(model.parameters(), { lr: 1e-3 }), { k: 5, alpha: 0.5 });
 * const sched = new CosineAnnealingLR(opt, { tMax: 100 }); // writes the Adam groups' lr
 * for (const batch of batches) { opt.zeroGrad(); lossOf(batch).backward(); opt.step(); sched.step(); }
 * ```
 *
 * **Other implementations.** `torch_optimizer.Lookahead` (default k = 5, α = 0.5) synchronizes at
 * the first step and then every k steps (steps 1, k + 1, 2k + 1, …) and copies φ from the
 * parameters at that first synchronization, after the first inner step; the same arithmetic
 * otherwise. Optax's `optax.lookahead(fast_optimizer, sync_period, slow_step_size)` holds fast and
 * slow parameters together (`LookaheadParams`, φ initialised to the parameters as here),
 * synchronizes after steps k, 2k, … as here, and computes `φ + α·(θ − φ)` as an update, with other
 * roundings; `reset_state=True` also resets the inner state at each synchronization. The authors'
 * "pullback" and "reset" options for a momentum buffer are not implemented. PyTorch, TF.js and
 * Keras have no Lookahead built in.
 *
 * An optimizer with training and evaluation modes (Schedule-Free) cannot be wrapped: its
 * parameters are an interpolation the slow weights cannot follow.
 */
export class Lookahead<
  H extends BaseHyperparameters = BaseHyperparameters,
  S extends ParamState = ParamState,
> extends Optimizer<H, S> {
  /** The wrapped optimizer, which takes every step. */
  readonly inner: Optimizer<H, S>;
  /** Each parameter's slow weights φ (same dtype and length as the parameter). */
  private readonly slow = new Map<Param, FloatArray>();
  /** Per param group: inner steps since its last synchronization. */
  private counters: number[] = [];
  private settings: { k: number; alpha: number };

  get kind(): string {
    return "Lookahead";
  }

  /**
   * @param inner the optimizer to wrap; from now on, step it through the Lookahead only.
   * @throws TypeError if `inner` is not an optimizer of this package, is already wrapped, or has
   *   training and evaluation modes; RangeError for an invalid k or alpha.
   */
  constructor(inner: Optimizer<H, S>, options: LookaheadOptions = {}) {
    if (!(inner instanceof Optimizer)) {
      throw new TypeError(
        `Lookahead: the inner optimizer must be an Optimizer of @descent/optim, got ${show(inner)}`,
      );
    }
    if (hasTrainEvalModes(inner)) {
      throw new TypeError(
        `Lookahead cannot wrap ${inner.kind}: its parameters move between a training and an evaluation point (train()/eval()), which slow weights cannot follow`,
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Lookahead: options must be an object, got ${show(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (key !== "k" && key !== "alpha") {
        throw new TypeError(`Lookahead: unknown option ${show(key)} (its options are k and alpha)`);
      }
    }
    const k = options.k ?? 5;
    const alpha = options.alpha ?? 0.5;
    checkK(k);
    checkAlpha(alpha);
    inner.paramGroups.forEach((group, g) => {
      if (Object.hasOwn(group, LOOKAHEAD_GROUP_KEYS.k) || Object.hasOwn(group, LOOKAHEAD_GROUP_KEYS.alpha)) {
        throw new TypeError(`Lookahead: ${inner.kind} is already wrapped by a Lookahead (param group ${g})`);
      }
    });
    // The base class builds groups of its own; the Lookahead has none (addParamGroup below ignores
    // the base constructor's call) and takes the inner optimizer's instead, the same objects.
    super([{ params: [] }] as unknown as ParamGroupInput<H>[], inner.defaults as H, {
      nonFinite: inner.nonFinite,
    });
    this.inner = inner;
    this.settings = { k, alpha };
    Object.defineProperties(this, {
      paramGroups: { value: inner.paramGroups, enumerable: true },
      state: { value: inner.state, enumerable: true },
      defaults: { value: inner.defaults, enumerable: true },
      nonFinite: { value: inner.nonFinite, enumerable: true },
      skippedSteps: {
        enumerable: true,
        get: () => inner.skippedSteps,
        set: (value: number) => {
          inner.skippedSteps = value;
        },
      },
    });
    for (const group of inner.paramGroups) this.adopt(group, k, alpha);
  }

  /** The default k: of the constructor, and of groups added later. Writing it sets every group's. */
  get k(): number {
    return this.settings.k;
  }

  set k(value: number) {
    checkK(value);
    this.settings.k = value;
    for (const group of this.paramGroups) (group as ParamGroup)[LOOKAHEAD_GROUP_KEYS.k] = value;
  }

  /** The default alpha: of the constructor, and of groups added later. Writing it sets every group's. */
  get alpha(): number {
    return this.settings.alpha;
  }

  set alpha(value: number) {
    checkAlpha(value);
    this.settings.alpha = value;
    for (const group of this.paramGroups) (group as ParamGroup)[LOOKAHEAD_GROUP_KEYS.alpha] = value;
  }

  /** The slow weights φ of `param` (the live array), or undefined for a parameter not optimized here. */
  slowWeights(param: Param): FloatArray | undefined {
    return this.slow.get(param);
  }

  /**
   * One inner step (`inner.step(closure)`), then, in every group that has now taken `lookaheadK`
   * steps since its last synchronization, the synchronization of all its parameters. Group options
   * and slow weights are checked first. A step the inner optimizer skips (non-finite gradient under
   * the `"skip"` policy) is not counted.
   */
  override step(closure?: () => number): number | undefined {
    this.checkGroups("Lookahead.step");
    const skipped = this.inner.skippedSteps;
    const loss = this.inner.step(closure);
    if (this.inner.skippedSteps !== skipped) return loss;
    this.paramGroups.forEach((group, g) => {
      const count = this.counters[g] + 1;
      if (count < (group[LOOKAHEAD_GROUP_KEYS.k] as number)) {
        this.counters[g] = count;
        return;
      }
      this.counters[g] = 0;
      const alpha = group[LOOKAHEAD_GROUP_KEYS.alpha] as number;
      for (const p of group.params) lookaheadSync(p.data, this.slow.get(p) as FloatArray, alpha);
    });
    return loss;
  }

  /** Resets the gradients, through the inner optimizer. */
  override zeroGrad(setToNone = true): void {
    this.inner.zeroGrad(setToNone);
  }

  /**
   * Adds a param group to the inner optimizer, with `lookaheadK` and `lookaheadAlpha` as given in
   * the group or else the Lookahead's defaults; its slow weights are copies of its parameters now.
   */
  override addParamGroup(group: ParamGroupInput<H>): void {
    // Called by the base class's constructor before `inner` is set: the Lookahead has no groups of its own.
    if ((this as { inner?: unknown }).inner === undefined) return;
    const where = ` (param group ${this.paramGroups.length})`;
    const given = (typeof group === "object" && group !== null ? group : {}) as Record<string, unknown>;
    const k = given[LOOKAHEAD_GROUP_KEYS.k] ?? this.settings.k;
    const alpha = given[LOOKAHEAD_GROUP_KEYS.alpha] ?? this.settings.alpha;
    checkK(k, where);
    checkAlpha(alpha, where);
    this.inner.addParamGroup(group);
    this.adopt(this.paramGroups[this.paramGroups.length - 1], k as number, alpha as number);
  }

  /** The inner optimizer's state dict, with Lookahead's counters and slow weights; see {@link LookaheadStateDict}. */
  override stateDict(): LookaheadStateDict {
    const inner = this.inner.stateDict();
    const slow: SavedArray[] = [];
    for (const group of this.paramGroups) {
      for (const p of group.params) slow.push(encodeArray(this.slow.get(p) as FloatArray));
    }
    return {
      ...inner,
      kind: "Lookahead",
      inner: inner.kind,
      lookahead: { counters: [...this.counters], slow },
    };
  }

  /**
   * Restores a state saved by {@link stateDict} (possibly through JSON): the inner optimizer's
   * (checked by it, as its own `loadStateDict` does), each group's `lookaheadK` and
   * `lookaheadAlpha`, the counters (below each group's k) and the slow weights (one per parameter,
   * of its length). Everything is checked before anything changes.
   */
  override loadStateDict(stateDict: OptimizerStateDict): void {
    const where = "Lookahead.loadStateDict";
    const sd = stateDict as unknown as Record<string, unknown>;
    if (typeof sd !== "object" || sd === null || Array.isArray(sd) || sd.format !== STATE_DICT_FORMAT) {
      throw new TypeError(
        `${where}: not an optimizer state dict (expected format "${STATE_DICT_FORMAT}", got ${show(typeof sd === "object" && sd !== null ? sd.format : sd)})`,
      );
    }
    if (sd.kind !== "Lookahead") {
      const hint =
        sd.kind === this.inner.kind
          ? ` (a state of the inner optimizer alone: load it with inner.loadStateDict)`
          : "";
      throw new TypeError(`${where}: the state dict is for ${show(sd.kind)}, not Lookahead${hint}`);
    }
    for (const key of Object.keys(sd)) {
      if (!STATE_KEYS.includes(key)) throw new RangeError(`${where}: unknown key ${show(key)}`);
    }
    if (sd.version !== STATE_DICT_VERSION) {
      throw new RangeError(
        `${where}: unsupported state dict version ${show(sd.version)} (this build reads version ${STATE_DICT_VERSION})`,
      );
    }
    if (sd.inner !== this.inner.kind) {
      throw new TypeError(
        `${where}: the state dict wraps ${show(sd.inner)}, but this Lookahead wraps ${this.inner.kind}`,
      );
    }
    const groups = sd.paramGroups;
    const count = this.paramGroups.length;
    if (!Array.isArray(groups) || groups.length !== count) {
      throw new RangeError(
        `${where}: paramGroups is ${Array.isArray(groups) ? `a list of ${groups.length}` : show(groups)}, expected ${count} param groups`,
      );
    }
    const ks = groups.map((saved: unknown, g) => {
      const options = (typeof saved === "object" && saved !== null ? saved : {}) as Record<string, unknown>;
      const at = ` (${where}: param group ${g})`;
      checkK(options[LOOKAHEAD_GROUP_KEYS.k], at);
      checkAlpha(options[LOOKAHEAD_GROUP_KEYS.alpha], at);
      return options[LOOKAHEAD_GROUP_KEYS.k] as number;
    });
    const own = sd.lookahead as Record<string, unknown> | null | undefined;
    if (typeof own !== "object" || own === null || Array.isArray(own)) {
      throw new TypeError(`${where}: lookahead is ${show(own)}, expected { counters, slow }`);
    }
    for (const key of Object.keys(own)) {
      if (key !== "counters" && key !== "slow")
        throw new RangeError(`${where}: lookahead has an unknown key ${show(key)}`);
    }
    const counters = own.counters;
    if (!Array.isArray(counters) || counters.length !== count) {
      throw new RangeError(
        `${where}: lookahead.counters is ${show(counters)}, expected one count per param group (${count})`,
      );
    }
    counters.forEach((c: unknown, g) => {
      if (!Number.isSafeInteger(c) || (c as number) < 0 || (c as number) >= ks[g]) {
        throw new RangeError(
          `${where}: lookahead.counters[${g}] is ${show(c)}, expected an integer in [0, ${ks[g] - 1}] (steps since the last synchronization, below lookaheadK)`,
        );
      }
    });
    const params = this.paramGroups.flatMap((group) => group.params);
    const saved = own.slow;
    if (!Array.isArray(saved) || saved.length !== params.length) {
      throw new RangeError(
        `${where}: lookahead.slow has ${Array.isArray(saved) ? saved.length : show(saved)} entries, expected one per parameter (${params.length})`,
      );
    }
    const slow = saved.map((s: unknown, i) =>
      decodeArray(s, params[i].data, `${where}: lookahead.slow[${i}]`),
    );
    const { inner: innerKind, lookahead: _, ...rest } = sd;
    // Checks and loads the inner state, all or nothing; then nothing of ours can fail.
    this.inner.loadStateDict({ ...rest, kind: innerKind } as unknown as OptimizerStateDict);
    this.counters = counters.slice() as number[];
    this.slow.clear();
    params.forEach((p, i) => {
      this.slow.set(p, slow[i]);
    });
  }

  /** Unused: the inner optimizer validates its options; Lookahead checks its own at every step. */
  protected validate(): void {}

  /** Unused: the inner optimizer keeps the per-parameter state. */
  protected stateLayout(): StateLayout {
    return { required: [], optional: [] };
  }

  /** Unused: the inner optimizer creates the per-parameter state. */
  protected initState(): S {
    throw new Error("Lookahead keeps no per-parameter state of its own");
  }

  /** Unused: {@link step} runs the inner optimizer's step. */
  protected update(): void {
    throw new Error("Lookahead updates parameters through its inner optimizer");
  }

  /** Writes the group's Lookahead keys, copies its parameters as slow weights, starts its counter. */
  private adopt(group: ParamGroup, k: number, alpha: number): void {
    group[LOOKAHEAD_GROUP_KEYS.k] = k;
    group[LOOKAHEAD_GROUP_KEYS.alpha] = alpha;
    for (const p of group.params) this.slow.set(p, p.data.slice());
    this.counters.push(0);
  }

  /** Throws, naming the group, unless every group has valid Lookahead options, a counter and slow weights. */
  private checkGroups(where: string): void {
    if (this.counters.length !== this.paramGroups.length) {
      throw new RangeError(
        `${where}: the inner optimizer has ${this.paramGroups.length} param groups, but ${this.counters.length} were added through the Lookahead; add groups with Lookahead.addParamGroup`,
      );
    }
    this.paramGroups.forEach((group, g) => {
      const at = ` (param group ${g})`;
      checkK(group[LOOKAHEAD_GROUP_KEYS.k], at);
      checkAlpha(group[LOOKAHEAD_GROUP_KEYS.alpha], at);
      group.params.forEach((p, i) => {
        const slow = this.slow.get(p);
        if (slow === undefined || slow.length !== p.data.length) {
          throw new RangeError(
            `${where}: parameter ${i} of param group ${g} has no slow weights of its length`,
          );
        }
      });
    });
  }
}

/** Lookahead's k in the catalog. */
export const LOOKAHEAD_K: NumberHyperparameter = {
  kind: "number",
  key: "k",
  option: LOOKAHEAD_GROUP_KEYS.k,
  label: "k (sync period)",
  default: 5,
  min: 1,
  max: Number.POSITIVE_INFINITY,
  integer: true,
  typical: [2, 20],
  scale: "linear",
  meaning: "inner steps between synchronizations of the slow weights",
};

/** Lookahead's alpha in the catalog. */
export const LOOKAHEAD_ALPHA: NumberHyperparameter = {
  kind: "number",
  key: "alpha",
  option: LOOKAHEAD_GROUP_KEYS.alpha,
  label: "α (slow step)",
  default: 0.5,
  min: 0,
  max: 1,
  typical: [0.2, 1],
  scale: "linear",
  meaning:
    "how far the slow weights move towards the fast ones at each synchronization (1: plain inner rule)",
};

/**
 * Lookahead around Adam in the optimizer catalog: Adam's hyperparameters, then k and alpha (the
 * options `lookaheadK` and `lookaheadAlpha`, which are also the group keys the Lookahead reads, so
 * an application that writes options into the param groups retunes them too).
 */
export const LOOKAHEAD_ADAM_ENTRY: OptimizerEntry = {
  id: "lookahead-adam",
  name: "Lookahead (Adam)",
  className: "Lookahead",
  create: (params, options) => {
    const { [LOOKAHEAD_GROUP_KEYS.k]: k, [LOOKAHEAD_GROUP_KEYS.alpha]: alpha, ...adam } = options;
    return new Lookahead(new Adam(params, adam), {
      k: k as number | undefined,
      alpha: alpha as number | undefined,
    });
  },
  hyperparameters: [...ADAM_ENTRY.hyperparameters, LOOKAHEAD_K, LOOKAHEAD_ALPHA],
  summary:
    "Adam takes k fast steps, then the slow weights move a fraction α of the way towards where they led and Adam restarts from there: less sensitive to the learning rate, and steadier.",
  update: "θ ← Adam step(θ)\nevery k steps:  φ ← φ + α·(θ − φ),  θ ← φ",
  reference: {
    authors: "M. R. Zhang, J. Lucas, G. Hinton, J. Ba",
    title: "Lookahead Optimizer: k steps forward, 1 step back",
    year: 2019,
    url: "https://arxiv.org/abs/1907.08610",
  },
};

import type { FloatArray } from "../param.js";
import { floatDtype } from "../state-dict.js";
import { show } from "../validate.js";
import { type AvgFn, type MultiAvgFn, swaStep } from "./avg-fns.js";
import { type AveragedParamsStateDict, decodeAveragedState, encodeAveragedState } from "./state-dict.js";

/** What `AveragedParams` averages: anything with a float typed array `data`, e.g. a `Param`. */
export interface AveragedParam {
  readonly data: FloatArray;
}

/** Options of {@link AveragedParams}: at most one averaging function. */
export interface AveragedParamsOptions {
  /**
   * Per-parameter averaging function (PyTorch's `avg_fn`), e.g. `getEmaAvgFn(0.99)` or your own.
   * Default: the equal-weight average {@link swaStep}.
   */
  avgFn?: AvgFn;
  /**
   * Averaging function over lists of parameters (PyTorch's `multi_avg_fn`), e.g.
   * `getEmaMultiAvgFn(0.999)`. Called once per dtype.
   */
  multiAvgFn?: MultiAvgFn;
}

/**
 * Running averages of a list of parameters: Stochastic Weight Averaging (equal weights, the
 * default) or an exponential moving average, with PyTorch's `torch.optim.swa_utils.AveragedModel`
 * semantics (`update_parameters` on CPU tensors) over plain parameters instead of a module.
 *
 * The averages start as a copy of the parameters (PyTorch deep-copies the model). `update()` reads
 * the live parameters; the first update copies them (`nAveraged` 0 → 1), every later one applies
 * the averaging function with `n = nAveraged`, then increments `nAveraged`:
 *
 *     SWA (default):                         ā ← ā + (θ − ā)/(n + 1),  so ā = mean(θ₁, …, θ_{n+1})
 *     EMA, multiAvgFn: getEmaMultiAvgFn(β):  ā ← lerp(ā, θ, 1 − β) = β·ā + (1 − β)·θ
 *     EMA, avgFn: getEmaAvgFn(β):            ā ← β·ā + (1 − β)·θ   (evaluated as written)
 *     custom avgFn(ā, θ, n) / multiAvgFn(ā[], θ[], n)
 *
 * so an EMA after k updates weighs the first value β^(k−1) and the j-th (j ≥ 2) (1 − β)·β^(k−j).
 * Averages have their parameter's dtype, and Float32Array parameters are averaged in float32 with
 * PyTorch's roundings. `averages` reads them; `swapIn()` / `swapOut()` (or `withAverages(fn)`) put
 * them into the live parameters for evaluation and bring the live values back.
 *
 * Misuse is an error, never a silent mix of live and averaged weights: `swapIn()` twice,
 * `swapOut()` without `swapIn()`, and `update()` or `loadStateDict()` while swapped in all throw
 * (updating then would average the averages with themselves). Anything written to the parameters
 * while swapped in (e.g. an optimizer step) is discarded by `swapOut()`.
 *
 * There are no modules here, hence no `update_bn`: a model whose forward pass uses running
 * statistics (BatchNorm in `@descent/nn`) must recompute them with the averages swapped in (one
 * pass over the training data in training mode, from fresh statistics), since the average of the
 * statistics is not the statistics of the averaged weights.
 *
 * @example
 * ```ts
 * const swa = new AveragedParams(params);                      // or { multiAvgFn: getEmaMultiAvgFn(0.999) }
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   trainOneEpoch(optimizer);
 *   if (epoch >= 75) swa.update();                             // average the last 25 epochs
 * }
 * const loss = swa.withAverages(() => evaluate(params));       // live weights restored after
 * ```
 *
 * **Differences from PyTorch.** Parameters, not a module: no buffers (`use_buffers`) and no
 * `update_bn`; `device` does not apply. PyTorch's default on CUDA/XPU tensors is
 * `get_swa_multi_avg_fn` (`lerp` with weight 1/(n + 1)), which rounds differently; this class
 * follows the CPU default, `get_swa_avg_fn`. An `avgFn` receives the count as a number rather than
 * a tensor. PyTorch asserts that at most one of `avg_fn` and `multi_avg_fn` is given; here that is
 * a `TypeError`. Real PyTorch runs `lerp` on long tensors with fused multiply-adds, about one
 * rounding of difference per EMA update (see the package README).
 *
 * **Other libraries.** Optax's `optax.ema(decay, debias=True)` is a gradient transformation: an
 * EMA of whatever flows through it (updates, unless you feed it parameters) that starts from zero
 * and is divided by 1 − β^t, so its first value is the input, like PyTorch's copy, but it weighs
 * the j-th input (1 − β)β^(t−j)/(1 − β^t) instead of giving the first one β^(t−1);
 * `optax.incremental_update` is the plain parameter EMA. Keras's `use_ema=True` (optimizer option,
 * `ema_momentum` 0.99) updates the EMA inside every optimizer step (first step: copy) as
 * `m·ā + (1 − m)·θ`, and overwrites the model's weights with it, every `ema_overwrite_frequency`
 * steps and at the end of `fit()`, with no way back to the live weights.
 */
export class AveragedParams {
  /** The live parameters, in the order given. */
  readonly params: readonly AveragedParam[];
  /** The per-parameter averaging function, or null. */
  readonly avgFn: AvgFn | null;
  /** The list averaging function, or null. */
  readonly multiAvgFn: MultiAvgFn | null;
  #averages: FloatArray[];
  #nAveraged = 0;
  /** The live values while the averages are swapped in, else null. */
  #saved: FloatArray[] | null = null;
  /** Storage for the live values, allocated at the first swapIn(). */
  #backup: FloatArray[] | null = null;

  /**
   * @param params the parameters to average (an array or other ordered iterable, not a Set).
   * @param options at most one of `avgFn` and `multiAvgFn`; neither: equal-weight SWA.
   */
  constructor(params: Iterable<AveragedParam>, options: AveragedParamsOptions = {}) {
    const where = "AveragedParams";
    if (params instanceof Set) {
      throw new TypeError(
        `${where}: params must be an ordered collection (an array), not a Set: the order of the averages and of the saved state follows it`,
      );
    }
    if (params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
      throw new TypeError(`${where}: params must be an array of parameters, got ${show(params)}`);
    }
    const list = [...params];
    if (list.length === 0) throw new RangeError(`${where}: params is an empty list`);
    list.forEach((p, i) => {
      const data = typeof p === "object" && p !== null ? (p as { data?: unknown }).data : undefined;
      if (floatDtype(data) === undefined) {
        throw new TypeError(
          `${where}: params[${i}] must have data of type Float32Array or Float64Array, got ${show(data ?? p)}`,
        );
      }
    });
    if (new Set(list).size !== list.length) {
      const i = list.findIndex((p, j) => list.indexOf(p) !== j);
      throw new RangeError(`${where}: params[${i}] appears twice in the list`);
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`${where}: options must be an object, got ${show(options)}`);
    }
    const { avgFn, multiAvgFn } = options;
    if (avgFn !== undefined && typeof avgFn !== "function") {
      throw new TypeError(`${where}: avgFn must be a function, got ${show(avgFn)}`);
    }
    if (multiAvgFn !== undefined && typeof multiAvgFn !== "function") {
      throw new TypeError(`${where}: multiAvgFn must be a function, got ${show(multiAvgFn)}`);
    }
    if (avgFn !== undefined && multiAvgFn !== undefined) {
      throw new TypeError(`${where}: Only one of avgFn and multiAvgFn should be provided`);
    }
    this.params = Object.freeze(list);
    this.avgFn = avgFn ?? null;
    this.multiAvgFn = multiAvgFn ?? null;
    this.#averages = list.map((p) => p.data.slice());
  }

  /** How many parameter values the averages hold (PyTorch's `n_averaged`): 0 before `update()`. */
  get nAveraged(): number {
    return this.#nAveraged;
  }

  /**
   * The averages, one array per parameter, with its dtype and length (before the first update: the
   * parameters' values at construction). The arrays are the live state: read them, do not write
   * them; they stay valid across `update()` and `loadStateDict()`.
   */
  get averages(): readonly FloatArray[] {
    return this.#averages;
  }

  /** Whether the averages are currently swapped into the parameters. */
  get swappedIn(): boolean {
    return this.#saved !== null;
  }

  /**
   * Folds the live parameter values into the averages (PyTorch's `update_parameters`): copies them
   * at the first call, applies the averaging function with `n = nAveraged` afterwards, then
   * increments `nAveraged`. Throws while swapped in, and if a parameter's array changed length or
   * dtype (checked before anything changes). If a custom function throws or returns an array of
   * the wrong length, `nAveraged` is unchanged and no returned values are copied (a function that
   * works in place may already have written).
   */
  update(): void {
    const live = this.#live("update");
    const averages = this.#averages;
    const n = this.#nAveraged;
    if (n === 0) {
      for (let i = 0; i < live.length; i++) averages[i].set(live[i]);
    } else if (this.multiAvgFn !== null) {
      for (const indices of byDtype(averages)) {
        this.multiAvgFn(
          indices.map((i) => averages[i]),
          indices.map((i) => live[i]),
          n,
        );
      }
    } else if (this.avgFn !== null) {
      const avgFn = this.avgFn;
      const results = live.map((p, i) => {
        const out = avgFn(averages[i], p, n);
        const length = (out as { length?: unknown } | null)?.length;
        if (length !== averages[i].length) {
          throw new RangeError(
            `AveragedParams.update: avgFn returned ${show(out)} of length ${show(length)} for params[${i}], which has ${averages[i].length} elements (it must return the new average; to work in place, return the \`averaged\` array)`,
          );
        }
        return out;
      });
      results.forEach((out, i) => {
        if (out !== averages[i]) averages[i].set(out);
      });
    } else {
      for (let i = 0; i < live.length; i++) swaStep(averages[i], live[i], n);
    }
    this.#nAveraged = n + 1;
  }

  /**
   * Copies the averages into the live parameters, keeping the live values aside for `swapOut()`.
   * Throws if already swapped in.
   */
  swapIn(): void {
    if (this.#saved !== null) {
      throw new Error("AveragedParams.swapIn: the averages are already swapped in; call swapOut() first");
    }
    const live = this.#check("swapIn");
    const averages = this.#averages;
    this.#backup ??= averages.map((a) => a.slice());
    const backup = this.#backup;
    live.forEach((p, i) => {
      backup[i].set(p);
      p.set(averages[i]);
    });
    this.#saved = backup;
  }

  /**
   * Restores the live parameter values saved by `swapIn()`; whatever was written to the parameters
   * in between is discarded. Throws if not swapped in.
   */
  swapOut(): void {
    const saved = this.#saved;
    if (saved === null) {
      throw new Error("AveragedParams.swapOut: the averages are not swapped in (call swapIn() first)");
    }
    const live = this.#check("swapOut");
    for (let i = 0; i < live.length; i++) live[i].set(saved[i]);
    this.#saved = null;
  }

  /**
   * Runs `fn` with the averages swapped into the parameters and swaps the live values back
   * afterwards, also when `fn` throws; if `fn` returns a promise, when it settles.
   */
  withAverages<T>(fn: () => T): T {
    this.swapIn();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.swapOut();
      throw error;
    }
    if (isPromiseLike(result)) {
      return result.then(
        (value) => {
          this.swapOut();
          return value;
        },
        (error: unknown) => {
          this.swapOut();
          throw error;
        },
      ) as T;
    }
    this.swapOut();
    return result;
  }

  /**
   * The averages and `nAveraged` as plain JSON (not the averaging function, as in PyTorch). Allowed
   * while swapped in: the averages are the same.
   */
  stateDict(): AveragedParamsStateDict {
    return encodeAveragedState(this.#nAveraged, this.#averages);
  }

  /**
   * Loads a state saved by `stateDict()` from an `AveragedParams` over parameters of the same
   * lengths. The whole input is checked first (format, version, `nAveraged`, the number of averages,
   * each one's length and values), with errors naming the field, and nothing changes unless all of
   * it is valid. Saved values are converted to the parameters' dtypes. Throws while swapped in.
   */
  loadStateDict(stateDict: AveragedParamsStateDict): void {
    const where = "AveragedParams.loadStateDict";
    if (this.#saved !== null) {
      throw new Error(`${where}: the averages are swapped in; call swapOut() first`);
    }
    const loaded = decodeAveragedState(stateDict, this.#averages, where);
    for (let i = 0; i < loaded.averages.length; i++) this.#averages[i].set(loaded.averages[i]);
    this.#nAveraged = loaded.nAveraged;
  }

  /** The live arrays, checked for `update`: not swapped in, lengths and dtypes unchanged. */
  #live(method: string): FloatArray[] {
    if (this.#saved !== null) {
      throw new Error(
        `AveragedParams.${method}: the averages are swapped into the parameters; call swapOut() first`,
      );
    }
    return this.#check(method);
  }

  /** The live arrays, each checked against its average's length and dtype. */
  #check(method: string): FloatArray[] {
    return this.params.map((p, i) => {
      const data = p.data;
      const average = this.#averages[i];
      if (floatDtype(data) !== floatDtype(average) || data.length !== average.length) {
        throw new RangeError(
          `AveragedParams.${method}: params[${i}].data is ${describe(data)}, but its average is ${describe(average)}`,
        );
      }
      return data;
    });
  }
}

/** `a float32 array of 3 elements`, or the value when it is not a float array. */
function describe(data: unknown): string {
  const dtype = floatDtype(data);
  return dtype === undefined ? show(data) : `a ${dtype} array of ${(data as FloatArray).length} elements`;
}

/** The indices of `arrays` grouped by dtype, groups in order of first appearance. */
function byDtype(arrays: readonly FloatArray[]): number[][] {
  const groups = new Map<string | undefined, number[]>();
  arrays.forEach((a, i) => {
    const key = floatDtype(a);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}

function isPromiseLike<T>(x: T): x is T & PromiseLike<Awaited<T>> {
  return (
    (typeof x === "object" || typeof x === "function") &&
    x !== null &&
    typeof (x as { then?: unknown }).then === "function"
  );
}

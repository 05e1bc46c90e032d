import { didYouMean, snakeToCamel } from "./did-you-mean.js";
import { readOptimizerState, type StateLayout } from "./load-state-dict.js";
import {
  firstNonFinite,
  NON_FINITE_POLICIES,
  NonFiniteGradientError,
  type NonFinitePolicy,
} from "./non-finite.js";
import type { FloatArray, Param } from "./param.js";
import {
  encodeArray,
  encodeScalar,
  encodeValue,
  floatDtype,
  type OptimizerStateDict,
  type SavedParamState,
  STATE_DICT_FORMAT,
  STATE_DICT_VERSION,
} from "./state-dict.js";
import { show } from "./validate.js";

/** The hyperparameters every rule has (`weightDecay`: every rule but Rprop, which has none in PyTorch). */
export interface BaseHyperparameters {
  lr: number;
  weightDecay?: number;
  maximize: boolean;
}

/**
 * A parameter group: parameters and the options they are optimized with. `lr` and the other
 * options may be written between steps (that is how LR schedulers work): each write of a
 * hyperparameter is validated at once (an invalid value throws and is not stored), and the whole
 * group is checked again at every `step()`.
 *
 * Every rule's group has `lr` and `maximize` (and `weightDecay`, except Rprop's), and the rule's
 * other hyperparameters. Any other key (e.g. `initialLr`, written by a scheduler) is kept and saved by
 * `stateDict()`.
 */
export interface ParamGroup extends BaseHyperparameters {
  params: Param[];
  [key: string]: unknown;
}

/** A param group as given to a constructor or to `addParamGroup`: options default to the optimizer's. */
export type ParamGroupInput<H extends BaseHyperparameters = BaseHyperparameters> = Partial<H> & {
  params: Param | Iterable<Param>;
  [key: string]: unknown;
};

/** What an optimizer is constructed from: parameters, or param groups. */
export type ParamsInput<H extends BaseHyperparameters = BaseHyperparameters> =
  | Iterable<Param>
  | Iterable<ParamGroupInput<H>>;

/** Per-parameter state: the number of steps this parameter took, and the rule's buffers. */
export interface ParamState {
  step: number;
}

/** Options every optimizer takes besides its hyperparameters. */
export interface OptimizerOptions {
  /** What to do with a NaN or ±Infinity gradient; see {@link NonFinitePolicy}. Default `"error"`. */
  nonFinite?: NonFinitePolicy;
}

export type { StateLayout } from "./load-state-dict.js";

/**
 * Base of the optimizers: parameter groups, lazily created per-parameter state, `step()`,
 * `zeroGrad()` and `stateDict()` / `loadStateDict()`, with PyTorch's `torch.optim.Optimizer`
 * semantics. The update itself is a pure kernel that a subclass calls from {@link update}.
 *
 * Deliberate differences from PyTorch: a parameter repeated inside one group is an error (PyTorch
 * warns that it will become one), group options are validated too (PyTorch checks only the
 * constructor's), and a NaN or ±Infinity gradient is an error by default ({@link NonFinitePolicy}).
 */
export abstract class Optimizer<
  H extends BaseHyperparameters = BaseHyperparameters,
  S extends ParamState = ParamState,
> {
  /** The constructor's hyperparameters, used for any option a group does not set. */
  readonly defaults: Readonly<H>;
  /** The parameter groups, in order. Options are writable between steps. */
  readonly paramGroups: Array<ParamGroup & H> = [];
  /** Per-parameter state, created at a parameter's first step with a gradient. */
  readonly state = new Map<Param, S>();
  /** What `step()` does with a non-finite gradient. */
  readonly nonFinite: NonFinitePolicy;
  /** Number of steps skipped because of a non-finite gradient (policy `"skip"`). */
  skippedSteps = 0;

  /** The optimizer's name (`"SGD"`, `"Adam"`, ...), used in messages and in the state dict. */
  abstract get kind(): string;

  /**
   * @param params parameters, or param groups (`{ params, ...options }`).
   * @param defaults every hyperparameter, defaulted (by `resolveOptions`).
   */
  protected constructor(params: ParamsInput<H>, defaults: H, options: OptimizerOptions) {
    this.validate(defaults);
    const nonFinite = options.nonFinite ?? "error";
    if (!NON_FINITE_POLICIES.includes(nonFinite)) {
      throw new RangeError(
        `Invalid nonFinite value: ${show(nonFinite)} (expected "error", "skip" or "propagate")`,
      );
    }
    this.nonFinite = nonFinite;
    this.defaults = Object.freeze({ ...defaults });
    if (params === null || typeof params !== "object" || !(Symbol.iterator in params) || isParam(params)) {
      throw new TypeError(
        `params argument given to the optimizer should be an iterable of Params or param groups, but got ${show(params)}`,
      );
    }
    const list = [...(params as Iterable<Param | ParamGroupInput<H>>)];
    if (list.length === 0) throw new RangeError("optimizer got an empty parameter list");
    const first = list[0] as object | null;
    const isGroupList =
      typeof first === "object" && first !== null && "params" in first && !("data" in first);
    const groups = isGroupList ? list : [{ params: list as Param[] } as unknown as ParamGroupInput<H>];
    for (const group of groups) this.addParamGroup(group as ParamGroupInput<H>);
  }

  /** Throws (PyTorch's messages) if a hyperparameter is invalid. */
  protected abstract validate(hyper: H): void;

  /** The buffers of the rule's per-parameter state. */
  protected abstract stateLayout(): StateLayout;

  /**
   * Creates the state of a parameter at its first step (before `step` is incremented). `owner` is
   * the parameter itself, for rules that read more than its data (its `shape`).
   */
  protected abstract initState(param: FloatArray, group: ParamGroup & H, owner: Param): S;

  /**
   * Applies one update to `param` in place; `state.step` already counts this step. `owner` is the
   * parameter itself, for rules that read more than its data (its `shape`).
   */
  protected abstract update(
    param: FloatArray,
    grad: FloatArray,
    state: S,
    group: ParamGroup & H,
    owner: Param,
  ): void;

  /**
   * Checks a parameter as it joins a group (construction, `addParamGroup`), before anything
   * changes; throws, naming it with `where`, if the rule cannot optimize it (Muon: not a matrix).
   * Every parameter is accepted by default.
   */
  protected checkParam(_param: Param, _where: string): void {}

  /**
   * Called once per param group at every step that is applied (after the checks, before the
   * group's parameters are updated), whether or not any of its parameters has a gradient. Rules
   * that keep state per group rather than per parameter (Schedule-Free's step count and average
   * weights) advance it here. Does nothing by default.
   */
  protected beginGroupStep(_group: ParamGroup & H): void {}

  /**
   * Adds a param group; options it does not set take the optimizer's defaults. Errors, with
   * PyTorch's messages: a parameter already in another group, a parameter twice in this group.
   */
  addParamGroup(group: ParamGroupInput<H>): void {
    const index = this.paramGroups.length;
    const where = `param group ${index}`;
    if (typeof group !== "object" || group === null || !("params" in group)) {
      throw new TypeError(`param group must be an object with params, but got ${show(group)}`);
    }
    const given = group.params;
    if (given instanceof Set) {
      throw new TypeError(
        "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.",
      );
    }
    const params: Param[] =
      typeof given === "object" && given !== null && !isParam(given) && Symbol.iterator in given
        ? [...(given as Iterable<Param>)]
        : [given as Param];
    params.forEach((p, i) => {
      if (!isParam(p)) {
        throw new TypeError(
          `optimizer can only optimize Params ({ data: Float32Array | Float64Array, grad }), but parameter ${i} of ${where} is ${describeParam(p)}`,
        );
      }
    });
    params.forEach((p, i) => {
      this.checkParam(p, `parameter ${i} of ${where}`);
    });
    if (new Set(params).size !== params.length) {
      throw new RangeError(`optimizer contains a parameter group with duplicate parameters (${where})`);
    }
    for (const other of this.paramGroups) {
      for (const p of other.params) {
        if (params.includes(p))
          throw new RangeError("some parameters appear in more than one parameter group");
      }
    }
    const full: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(group)) {
      if (key !== "params" && value !== undefined) full[key] = copyOption(value);
    }
    rejectSnakeCase(full, this.defaults, where);
    for (const [key, value] of Object.entries(this.defaults)) {
      if (full[key] === undefined) full[key] = copyOption(value);
    }
    full.params = params;
    this.validateGroup(full as ParamGroup & H, where);
    this.paramGroups.push(
      guardedGroup(full, Object.keys(this.defaults), (group) =>
        this.validateGroup(group as ParamGroup & H, `param group ${index}`, "update"),
      ) as ParamGroup & H,
    );
  }

  /**
   * Performs one optimization step on every parameter whose `grad` is not null.
   *
   * Everything is checked before anything changes: the groups' options, each gradient's type and
   * length, and (unless `nonFinite` is `"propagate"`) that gradients are finite.
   *
   * @param closure optional: re-evaluates the model and returns the loss (called first).
   * @returns the closure's loss, if a closure was given.
   */
  step(closure?: () => number): number | undefined {
    const loss = closure === undefined ? undefined : closure();
    if (this.checkStep()) this.applyStep();
    else this.skippedSteps += 1;
    return loss;
  }

  /**
   * Resets the gradients: to `null` (the default, like PyTorch's `set_to_none=True`), which makes
   * the next `step()` skip the parameter unless it gets a new gradient, or else fills them with 0.
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null || p.grad === undefined) continue;
        if (setToNone) p.grad = null;
        else p.grad.data.fill(0);
      }
    }
  }

  /** The optimizer's state as plain JSON; see {@link OptimizerStateDict}. */
  stateDict(): OptimizerStateDict {
    const indexOf = new Map<Param, number>();
    const paramGroups = this.paramGroups.map((group, g) => {
      const saved: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key !== "params" && value !== undefined)
          saved[key] = encodeValue(value, `param group ${g} ${key}`);
      }
      saved.params = group.params.map((p) => {
        const index = indexOf.size;
        indexOf.set(p, index);
        return index;
      });
      return saved as OptimizerStateDict["paramGroups"][number];
    });
    const state: Record<string, SavedParamState> = {};
    for (const [p, index] of indexOf) {
      const s = this.state.get(p);
      if (s === undefined) continue;
      const saved: SavedParamState = { step: s.step };
      for (const [key, value] of Object.entries(s)) {
        if (key === "step" || value === undefined) continue;
        saved[key] = typeof value === "number" ? encodeScalar(value) : encodeArray(value as FloatArray);
      }
      state[String(index)] = saved;
    }
    return {
      format: STATE_DICT_FORMAT,
      version: STATE_DICT_VERSION,
      kind: this.kind,
      paramGroups,
      state,
      skippedSteps: this.skippedSteps,
    };
  }

  /**
   * Restores a state saved by {@link stateDict} (possibly through JSON): group options, per-parameter
   * state and step counts. Parameters are matched by position, as in PyTorch. The whole input is
   * validated before anything changes (see `readOptimizerState`), then applied all at once.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const loaded = readOptimizerState(
      {
        kind: this.kind,
        defaults: this.defaults,
        paramGroups: this.paramGroups,
        layout: this.stateLayout(),
        validateGroup: (group, where) => this.validateGroup(group as ParamGroup & H, where),
      },
      stateDict,
    );
    // All checked: commit. Group objects keep their identity.
    this.paramGroups.forEach((group, g) => {
      replaceGroupOptions(group, loaded.groups[g]);
    });
    this.state.clear();
    for (const [p, s] of loaded.state) this.state.set(p, s as unknown as S);
    this.skippedSteps = loaded.skippedSteps;
  }

  /**
   * Validates a group's options, naming the group in the message. `phase` "update" (a write
   * between steps, and the check at every step) accepts the tiny negative learning rates that
   * PyTorch's own schedule recursions leave where a schedule reaches 0 (`LinearLR` to
   * `endFactor: 0` gives −2.2e-18): PyTorch checks `lr ≥ 0` only at construction and steps with
   * them; such an lr moves a parameter by less than its rounding error.
   */
  private validateGroup(group: ParamGroup & H, where: string, phase: "create" | "update" = "create"): void {
    try {
      const residue = phase === "update" && group.lr < 0 && group.lr >= -LR_RESIDUE;
      this.validate(residue ? { ...group, lr: 0 } : group);
    } catch (error) {
      if (error instanceof Error && where !== "") error.message = `${error.message} (${where})`;
      throw error;
    }
  }

  /** Checks the groups and gradients; false if the step must be skipped (policy "skip"). */
  private checkStep(): boolean {
    const kind = this.kind;
    let finite = true;
    for (let g = 0; g < this.paramGroups.length; g++) {
      const group = this.paramGroups[g];
      this.validateGroup(group, `param group ${g}`, "update");
      for (let i = 0; i < group.params.length; i++) {
        const p = group.params[i];
        const grad = p.grad;
        if (grad === null || grad === undefined) continue;
        const where = `param ${i} in param group ${g}`;
        const data = (grad as { data?: unknown }).data;
        if (floatDtype(data) === undefined) {
          throw new TypeError(
            `${kind}.step: the gradient of ${where} must have data of type Float32Array or Float64Array, got ${show(data)}`,
          );
        }
        const values = data as FloatArray;
        if (values.length !== p.data.length) {
          throw new RangeError(
            `${kind}.step: the gradient of ${where} has ${values.length} elements, but the parameter has ${p.data.length}`,
          );
        }
        if (this.nonFinite === "propagate" || !finite) continue;
        const bad = firstNonFinite(values);
        if (bad < 0) continue;
        if (this.nonFinite === "skip") finite = false;
        else {
          throw new NonFiniteGradientError(
            `${kind}.step: non-finite gradient (${values[bad]} at element ${bad}) for ${where}; nothing was updated. Use the option nonFinite: "skip" to skip such steps, or "propagate" for PyTorch's behaviour`,
            g,
            i,
            bad,
            values[bad],
          );
        }
      }
    }
    return finite;
  }

  private applyStep(): void {
    for (const group of this.paramGroups) {
      this.beginGroupStep(group);
      for (const p of group.params) {
        const grad = p.grad;
        if (grad === null || grad === undefined) continue;
        let state = this.state.get(p);
        if (state === undefined) {
          state = this.initState(p.data, group, p);
          this.state.set(p, state);
        }
        state.step += 1;
        this.update(p.data, grad.data, state, group, p);
      }
    }
  }
}

/**
 * Fills in the defaults of an options object, rejecting unknown options (with a hint for
 * snake_case names). Returns the hyperparameters and the optimizer options.
 */
export function resolveOptions<H extends BaseHyperparameters>(
  kind: string,
  options: Partial<H> & OptimizerOptions,
  defaults: H,
): [H, OptimizerOptions] {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${kind}: options must be an object, got ${show(options)}`);
  }
  const hyper: Record<string, unknown> = { ...(defaults as object) };
  let nonFinite: NonFinitePolicy | undefined;
  for (const [key, value] of Object.entries(options)) {
    if (key === "nonFinite") {
      nonFinite = value as NonFinitePolicy | undefined;
      continue;
    }
    if (!Object.hasOwn(defaults, key)) {
      throw new TypeError(
        `${kind}: unknown option ${show(key)}${didYouMean(key, [...Object.keys(defaults), "nonFinite"])}`,
      );
    }
    if (value !== undefined) hyper[key] = copyOption(value);
  }
  return [hyper as H, { nonFinite }];
}

function rejectSnakeCase(group: Record<string, unknown>, defaults: object, where: string): void {
  for (const key of Object.keys(group)) {
    const camel = snakeToCamel(key);
    if (camel !== key && Object.hasOwn(defaults, camel)) {
      throw new TypeError(`unknown option ${show(key)} in ${where} (did you mean ${camel}?)`);
    }
  }
}

function copyOption(value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value;
}

function isParam(x: unknown): x is Param {
  return typeof x === "object" && x !== null && floatDtype((x as { data?: unknown }).data) !== undefined;
}

function describeParam(x: unknown): string {
  if (typeof x !== "object" || x === null) return show(x);
  const data = (x as { data?: unknown }).data;
  return data === undefined ? "an object without data" : `an object whose data is ${show(data)}`;
}

/**
 * The largest negative learning rate accepted after construction: floating-point residue of a
 * schedule that reaches 0 (see `validateGroup`), not a deliberate negative step size.
 */
const LR_RESIDUE = 1e-12;

/** The values behind a guarded group's hyperparameter accessors. */
const VALUES = Symbol("values");

/**
 * `group` with an accessor per hyperparameter `key`: reading gives the stored value, writing
 * validates the group with the new value first (`validate` throws, naming the option, the group
 * and the value) and stores it only if valid. Other keys stay plain properties.
 */
function guardedGroup(
  group: Record<string, unknown>,
  keys: readonly string[],
  validate: (group: Record<string, unknown>) => void,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key of keys) {
    values[key] = group[key];
    delete group[key];
  }
  for (const key of keys) {
    Object.defineProperty(group, key, {
      enumerable: true,
      configurable: false,
      get: () => values[key],
      set: (value: unknown) => {
        validate({ ...group, [key]: copyOption(value) });
        values[key] = copyOption(value);
      },
    });
  }
  Object.defineProperty(group, VALUES, { value: values });
  return group;
}

/**
 * Replaces every option of a group by `next`'s (validated as a whole already): the
 * hyperparameters behind the accessors, the other keys as plain properties.
 */
function replaceGroupOptions(target: object, next: Record<string, unknown>): void {
  const group = target as Record<string | symbol, unknown>;
  const values = group[VALUES] as Record<string, unknown>;
  for (const key of Object.keys(group)) if (!Object.hasOwn(values, key)) delete group[key];
  for (const [key, value] of Object.entries(next)) {
    if (Object.hasOwn(values, key)) values[key] = value;
    else group[key] = value;
  }
}

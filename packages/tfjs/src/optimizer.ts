import {
  clipGradNorm,
  clipGradValue,
  type Optimizer as DescentRule,
  type OptimizerStateDict,
  optimizerEntry,
  optionsFromValues,
  type ParamGroup,
  type ParamGroupInput,
} from "@descent/optim";
import {
  engine,
  type NamedTensorMap,
  type serialization,
  type Tensor,
  Optimizer as TfOptimizer,
  type Variable,
} from "@tensorflow/tfjs-core";
import { decodeConfig, encodeConfig } from "./config.js";
import { buildGroups, type GroupSpec } from "./groups.js";
import { show, showShape } from "./show.js";
import type { NamedTensor } from "./state-weights.js";
import { readStateWeights, stateWeights } from "./state-weights.js";
import { dataPath, type Staged, type StageRequest, stage, type TransferCounts } from "./transfer.js";
import { VariableParam } from "./variable-param.js";
import { resolveVariables, type VariablesInput } from "./variables.js";

/** Builds a Descent optimizer over the param groups it is given (e.g. `(groups) => new AdamW(groups)`). */
export type DescentFactory = (groups: ParamGroupInput[]) => DescentRule;

/** Settings of a {@link DescentOptimizer} besides the rule and its options. */
export interface DescentOptimizerSettings {
  /**
   * The variables to train: a `tf.LayersModel` (its trainable weights), layer weights, or
   * `tf.Variable`s. Default: the variables of the first `applyGradients` call (for `model.fit`,
   * all trainable weights), bound then. Give them to use {@link DescentOptimizer.descent},
   * `paramGroups` (schedulers) and `loadStateDict` before the first step.
   */
  variables?: VariablesInput;
  /**
   * Param groups chosen by variable name, each with the options it overrides, e.g.
   * `[{ match: /\/bias$/, weightDecay: 0 }]`. A variable joins the first group that matches it;
   * the others form group 0 with the rule's options.
   */
  groups?: readonly GroupSpec[];
  /** Before each step, rescale the gradients so that their total L2 norm is at most this (`clipGradNorm`). */
  clipGradNorm?: number;
  /** Before each step (and before norm clipping), clamp every gradient element to ±this (`clipGradValue`). */
  clipGradValue?: number;
  /**
   * Move data through TF.js's public API only (`dataSync` and `tf.tensor`), as on backends other
   * than cpu and wasm, whatever the backend. Default false.
   */
  portable?: boolean;
}

interface Bound {
  readonly params: VariableParam[];
  readonly byName: Map<string, VariableParam>;
  readonly descent: DescentRule;
}

/**
 * Any `@descent/optim` optimizer as a TF.js optimizer: PyTorch's update rules (AdamW, AMSGrad,
 * NAdam, RAdam, Rprop, ...), param groups chosen by variable name, LR schedulers, gradient
 * clipping and state save/load, in `model.compile({ optimizer })` + `model.fit()` or in
 * `optimizer.minimize(f)`.
 *
 * A step reads each gradient where the backend keeps it, copies each variable's values once, lets
 * the rule's kernel update the copy in place (the same float32 arithmetic as `@descent/optim` on a
 * `Float32Array`, so the trajectory is the same to the bit), and makes the copy the variable's new
 * tensor; see {@link DataPath} for each backend. It makes no other tensors, and disposes the
 * variable's old one as `variable.assign` does.
 *
 * @example
 * const optimizer = new DescentOptimizer("adamw", { lr: 1e-3, weightDecay: 0.01 }, {
 *   variables: model,
 *   groups: [{ match: /\/bias$/, weightDecay: 0 }],
 *   clipGradNorm: 1,
 * });
 * model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
 * const schedule = new OneCycleLR(optimizer, { maxLr: 0.01, totalSteps });
 * await model.fit(xs, ys, { epochs, batchSize, callbacks: schedulerCallback(schedule, "batch") });
 */
export class DescentOptimizer extends TfOptimizer {
  /** The name TF.js serialization knows this class by. */
  static get className(): string {
    return "DescentOptimizer";
  }

  /** The catalog id of the rule (`"adamw"`), or undefined for an optimizer built by a function. */
  readonly rule: string | undefined;
  /** The rule's options as given (camelCase PyTorch names). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The param groups by variable name, as given. */
  readonly groups: readonly GroupSpec[];
  /** Gradient norm clipping bound, or undefined for none. */
  clipGradNorm: number | undefined;
  /** Gradient value clipping bound, or undefined for none. */
  clipGradValue: number | undefined;
  /** The total gradient norm before clipping at the last step (with `clipGradNorm`). */
  lastGradNorm: number | undefined;
  /** What the last step copied, and on which path. */
  readonly transfers: TransferCounts = {
    path: "cpu",
    paramCopies: 0,
    gradCopies: 0,
    downloads: 0,
    uploads: 0,
  };

  private readonly factory: DescentFactory;
  private readonly portable: boolean;
  private bound: Bound | undefined;
  /** A state loaded (by `setWeights`) before the optimizer was bound: applied when it is. */
  private pendingState: OptimizerStateDict | undefined;
  /** Tensors returned by the last `getWeights()`, disposed at the next call or by `dispose()`. */
  private lent: Tensor[] = [];

  /**
   * @param rule a rule of `@descent/optim`'s catalog by id (`"sgd"`, `"momentum"`, `"adam"`,
   *   `"adamw"`, `"nadam"`, ...), or a function that builds a Descent optimizer over param groups.
   * @param options the rule's constructor options (camelCase PyTorch names: `lr`, `betas`,
   *   `weightDecay`, `amsgrad`, ...); unset options take the catalog's defaults.
   * @param settings the variables, param groups by name, clipping.
   */
  constructor(rule: string, options?: Record<string, unknown>, settings?: DescentOptimizerSettings);
  constructor(factory: DescentFactory, settings?: DescentOptimizerSettings);
  constructor(
    rule: string | DescentFactory,
    optionsOrSettings: Record<string, unknown> | DescentOptimizerSettings = {},
    maybeSettings: DescentOptimizerSettings = {},
  ) {
    super();
    const settings = ((typeof rule === "function" ? optionsOrSettings : maybeSettings) ??
      {}) as DescentOptimizerSettings;
    const options = typeof rule === "function" ? {} : ((optionsOrSettings ?? {}) as Record<string, unknown>);
    if (typeof settings !== "object") {
      throw new TypeError(`DescentOptimizer: settings must be an object, got ${show(settings)}`);
    }
    if (typeof options !== "object") {
      throw new TypeError(`DescentOptimizer: options must be an object, got ${show(options)}`);
    }
    checkSettingKeys(settings);
    if (typeof rule === "function") {
      this.rule = undefined;
      this.factory = rule;
    } else if (typeof rule === "string") {
      const entry = optimizerEntry(rule);
      if (entry.needsClosure === true) {
        throw new RangeError(
          `DescentOptimizer: ${entry.name} needs a closure that re-evaluates the loss several times per step; TF.js optimizers get one gradient per step, so it cannot run here`,
        );
      }
      this.rule = rule;
      const defaults = optionsFromValues(entry);
      this.factory = (params) => entry.create(params as never, { ...defaults, ...options });
    } else {
      throw new TypeError(
        `DescentOptimizer: rule must be a catalog id such as "adamw" or a function building a Descent optimizer, got ${show(rule)}`,
      );
    }
    this.options = Object.freeze({ ...options });
    this.groups = Object.freeze([...(settings.groups ?? [])]);
    this.clipGradNorm = checkBound(settings.clipGradNorm, "clipGradNorm");
    this.clipGradValue = checkBound(settings.clipGradValue, "clipGradValue");
    this.portable = settings.portable === true;
    if (settings.variables !== undefined) this.bind(settings.variables);
    else this.checkOptions();
  }

  /** True once the optimizer knows its variables (given, or from the first step). */
  get isBound(): boolean {
    return this.bound !== undefined;
  }

  /** The wrapped Descent optimizer (its param groups, state, `stateDict()`, ...). */
  get descent(): DescentRule {
    return this.requireBound("descent").descent;
  }

  /** The Descent optimizer's param groups: what LR schedulers read and write. */
  get paramGroups(): ParamGroup[] {
    return this.requireBound("paramGroups").descent.paramGroups;
  }

  /** The Descent optimizer's defaults (for schedulers that cycle momentum). */
  get defaults(): object {
    return this.requireBound("defaults").descent.defaults;
  }

  /** The variables' names, in the order of the Descent optimizer's parameters (state dict indices). */
  get variableNames(): string[] {
    return this.requireBound("variableNames").params.map((p) => p.name);
  }

  /**
   * Binds the optimizer to its variables and builds the Descent optimizer (done by the constructor
   * when `variables` is given, else by the first step).
   *
   * @throws Error if already bound; TypeError/RangeError for a variable that is not float32, a param
   *   group that matches nothing, or invalid options.
   */
  bind(variables: VariablesInput): void {
    if (this.bound !== undefined) {
      throw new Error(`DescentOptimizer.bind: already bound to ${this.bound.params.length} variables`);
    }
    const list = resolveVariables(variables);
    for (const v of list) {
      if (v.dtype !== "float32") {
        throw new TypeError(
          `DescentOptimizer: variable "${v.name}" has dtype ${v.dtype}; Descent optimizers update float32 variables`,
        );
      }
    }
    const params = list.map((v) => new VariableParam(v.name, [...v.shape], () => lookUp(v.name)));
    const descent = this.factory(buildGroups(params, this.groups));
    if (typeof descent?.step !== "function" || !Array.isArray(descent.paramGroups)) {
      throw new TypeError(`DescentOptimizer: the factory returned ${show(descent)}, not a Descent optimizer`);
    }
    const ordered = descent.paramGroups.flatMap((g) => g.params as VariableParam[]);
    this.bound = { params: ordered, byName: new Map(ordered.map((p) => [p.name, p])), descent };
    if (this.pendingState !== undefined) {
      const state = this.pendingState;
      this.pendingState = undefined;
      this.loadStateDict(state);
    }
  }

  /**
   * Updates the variables from their gradients (the TF.js optimizer interface, called by
   * `minimize` and `model.fit`). Variables of this optimizer missing from `variableGradients` (or
   * with a null gradient) are skipped, as in PyTorch.
   *
   * @throws naming the variable: unknown or disposed variable, a gradient whose shape or dtype does
   *   not fit; and whatever the Descent optimizer throws (e.g. a non-finite gradient), in which
   *   case no variable changed.
   */
  applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const pairs = namedGradients(variableGradients);
    if (this.bound === undefined) this.bind(pairs.map(([name]) => lookUp(name)));
    const bound = this.bound as Bound;
    const requests: (StageRequest & { param: VariableParam })[] = [];
    for (const [name, grad] of pairs) {
      const param = bound.byName.get(name);
      if (param === undefined) {
        throw new RangeError(
          `DescentOptimizer.applyGradients: variable "${name}" is not one of this optimizer's (${bound.params.map((p) => p.name).join(", ")})`,
        );
      }
      if (grad === null || grad === undefined) continue;
      const variable = lookUp(name);
      checkGradient(name, variable, grad, param.shape);
      requests.push({ variable, grad, uploaded: param.uploaded, param });
    }
    Object.assign(this.transfers, { paramCopies: 0, gradCopies: 0, downloads: 0, uploads: 0 });
    const staged = stage(requests, dataPath(this.portable), this.transfers);
    try {
      this.step(requests, staged);
    } catch (error) {
      for (const s of staged) s.discard();
      throw this.nameVariables(error);
    } finally {
      for (const p of bound.params) {
        p.staged = null;
        p.grad = null;
      }
    }
    for (const s of staged) s.commit();
    this.incrementIterations();
  }

  private step(requests: readonly { param: VariableParam }[], staged: readonly Staged[]): void {
    const clipping = this.clipGradNorm !== undefined || this.clipGradValue !== undefined;
    requests.forEach(({ param }, i) => {
      param.staged = staged[i].data;
      // Clipping scales in place: TF.js's gradient is copied first, never written.
      param.grad = { data: clipping ? staged[i].grad.slice() : staged[i].grad };
    });
    if (clipping) this.transfers.gradCopies += requests.length;
    const withGrads = requests.map((r) => r.param);
    if (this.clipGradValue !== undefined) clipGradValue(withGrads, this.clipGradValue);
    if (this.clipGradNorm !== undefined) this.lastGradNorm = clipGradNorm(withGrads, this.clipGradNorm);
    this.descent.step();
  }

  /** The Descent optimizer's state (the `@descent/optim` format; parameters in `variableNames` order). */
  stateDict(): OptimizerStateDict {
    return this.requireBound("stateDict").descent.stateDict();
  }

  /**
   * Restores a state saved by {@link stateDict} (here, or by a Descent optimizer of the same rule
   * on parameters of the same sizes, in the same order).
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const { descent } = this.requireBound("loadStateDict");
    try {
      descent.loadStateDict(stateDict);
    } catch (error) {
      throw this.nameVariables(error);
    }
  }

  /** TF.js serialization: the rule, its options, the param groups and the clipping settings. */
  override getConfig(): serialization.ConfigDict {
    if (this.rule === undefined) {
      throw new Error(
        "DescentOptimizer.getConfig: an optimizer built by a function cannot be serialized; build it from a catalog id",
      );
    }
    return encodeConfig({
      rule: this.rule,
      options: this.options,
      groups: this.groups,
      clipGradNorm: this.clipGradNorm,
      clipGradValue: this.clipGradValue,
    });
  }

  /** TF.js serialization: an unbound optimizer from {@link getConfig}'s output (bound at its first step). */
  static override fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
  ): T {
    const { rule, options, groups, clipGradNorm, clipGradValue } = decodeConfig(config);
    return new (cls as unknown as typeof DescentOptimizer)(rule, options, {
      groups,
      clipGradNorm,
      clipGradValue,
    }) as unknown as T;
  }

  /**
   * TF.js's optimizer weights (`model.save(..., { includeOptimizer: true })`): the iteration count,
   * the state's buffers as float32 tensors named `<variable>/<buffer>`, and the rest of the state
   * as a JSON string tensor. The tensors stay owned by this optimizer: they are disposed by the
   * next `getWeights()` or by `dispose()`.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    this.disposeLent();
    const iterations = await this.saveIterations();
    const weights = [iterations, ...stateWeights(this.stateDict(), this.variableNames)];
    this.lent = weights.map((w) => w.tensor);
    return weights;
  }

  /** Restores what {@link getWeights} wrote (before the first step, it is applied when the optimizer binds). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const state = await readStateWeights(rest);
    if (this.bound === undefined) this.pendingState = state;
    else this.loadStateDict(state);
  }

  /** Disposes the tensors lent by `getWeights()`. The optimizer owns no other tensor. */
  override dispose(): void {
    this.disposeLent();
    super.dispose();
  }

  private disposeLent(): void {
    for (const t of this.lent) if (!t.isDisposed) t.dispose();
    this.lent = [];
  }

  private requireBound(what: string): Bound {
    if (this.bound === undefined) {
      throw new Error(
        `DescentOptimizer.${what}: the optimizer has no variables yet; give them (settings.variables, or bind(model)) or take one step first`,
      );
    }
    return this.bound;
  }

  /** Checks the rule's options and the groups' at once (on stand-in parameters), for an unbound optimizer. */
  private checkOptions(): void {
    const standIn = () => ({ data: new Float32Array(1), grad: null });
    const groups = [
      { params: [standIn()] },
      ...this.groups.map(({ match: _, ...o }) => ({ ...o, params: [standIn()] })),
    ];
    this.factory(groups as ParamGroupInput[]);
  }

  /** Adds the variable's name to an error that names a parameter by its index. */
  private nameVariables(error: unknown): unknown {
    const bound = this.bound;
    if (!(error instanceof Error) || bound === undefined) return error;
    const groups = bound.descent.paramGroups;
    error.message = error.message
      .replace(/\bparam (\d+) in param group (\d+)/g, (text, i: string, g: string) => {
        const p = groups[Number(g)]?.params[Number(i)] as VariableParam | undefined;
        return p === undefined ? text : `variable "${p.name}" (${text})`;
      })
      .replace(/\bparameter (\d+)\b/g, (text, i: string) => {
        const p = bound.params[Number(i)];
        return p === undefined ? text : `${text} (variable "${p.name}")`;
      });
    return error;
  }
}

const SETTING_KEYS = ["variables", "groups", "clipGradNorm", "clipGradValue", "portable"];

function checkSettingKeys(settings: object): void {
  for (const key of Object.keys(settings)) {
    if (!SETTING_KEYS.includes(key)) {
      throw new TypeError(
        `DescentOptimizer: unknown setting ${show(key)} (settings: ${SETTING_KEYS.join(", ")}; the rule's options go in the second argument)`,
      );
    }
  }
}

function checkBound(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new RangeError(`DescentOptimizer: ${name} must be a non-negative number, got ${show(value)}`);
  }
  return value;
}

/** The registered TF.js variable called `name`. */
function lookUp(name: string): Variable {
  const v = (engine().registeredVariables as Record<string, Variable | undefined>)[name];
  if (v === undefined || v.isDisposed) {
    throw new RangeError(
      `DescentOptimizer: no variable named "${name}" is registered with TensorFlow.js (was it disposed?)`,
    );
  }
  return v;
}

/** `[name, gradient]` pairs from either form TF.js passes. */
function namedGradients(grads: NamedTensorMap | NamedTensor[]): [string, Tensor | null | undefined][] {
  if (typeof grads !== "object" || grads === null) {
    throw new TypeError(
      `DescentOptimizer.applyGradients: expected a map or list of named gradients, got ${show(grads)}`,
    );
  }
  const pairs: [string, Tensor | null | undefined][] = Array.isArray(grads)
    ? grads.map((g) => [g.name, g.tensor])
    : Object.entries(grads);
  const seen = new Set<string>();
  for (const [name] of pairs) {
    if (seen.has(name)) {
      throw new RangeError(`DescentOptimizer.applyGradients: variable "${name}" has two gradients`);
    }
    seen.add(name);
  }
  return pairs;
}

function checkGradient(name: string, variable: Variable, grad: Tensor, shape: readonly number[]): void {
  const where = `DescentOptimizer.applyGradients: variable "${name}"`;
  if (grad.isDisposed) throw new Error(`${where}: its gradient was disposed`);
  if (grad.dtype !== "float32") {
    throw new TypeError(`${where}: its gradient has dtype ${grad.dtype}, expected float32`);
  }
  if (!sameShape(variable.shape, shape)) {
    throw new RangeError(
      `${where} has shape ${showShape(variable.shape)} now, but the optimizer was bound to shape ${showShape(shape)}`,
    );
  }
  if (!sameShape(grad.shape, shape)) {
    throw new RangeError(
      `${where} has shape ${showShape(shape)}, but its gradient has shape ${showShape(grad.shape)}`,
    );
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/**
 * `Module`: the base of every layer, PyTorch's `torch.nn.Module` without hooks or buffers.
 *
 * A module owns named parameters (tensors with `requiresGrad`) and named child modules, both in
 * registration order. Names compose with dots exactly as in PyTorch's `state_dict()`: a
 * `Sequential` names its children `"0"`, `"1"`, …, so an MLP's keys are `0.weight`, `0.bias`,
 * `2.weight`, … and a module holding it as `layers` gives `layers.0.weight`. A state dict saved
 * here therefore loads into the same architecture in PyTorch and back.
 */
import { noGrad, Tensor } from "@descent/tensor";
import { stageStateDict, type TensorLike } from "./load-state.js";
import { checkBoolean, checkOptions } from "./options.js";

/** A module's state: parameter name → tensor. */
export type StateDict = Record<string, Tensor>;

export type { TensorLike };

export interface LoadStateDictOptions {
  /**
   * When true (default), keys missing from the state dict or not in the module are an error.
   * When false they are reported in the result and skipped. Shape mismatches are always errors.
   */
  strict?: boolean;
  /**
   * Load NaN and ±Infinity values (default false: a non-finite weight makes every output NaN, so
   * it is taken for a corrupt or diverged checkpoint and rejected).
   */
  allowNonFinite?: boolean;
}

/** Keys that did not match (only non-empty with `strict: false`). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const NAME = /^[^.]+$/;

export abstract class Module {
  /** True in training mode (the default), false after `eval()`. Dropout reads it. */
  training = true;
  readonly #parameters = new Map<string, Tensor | null>();
  readonly #modules = new Map<string, Module>();

  /** The computation. Subclasses implement it; call it directly: `model.forward(x)`. */
  abstract forward(x: Tensor): Tensor;

  /** Registers (or replaces) a parameter; `null` registers an absent optional one (e.g. no bias). */
  registerParameter(name: string, param: Tensor | null): void {
    this.#checkName("registerParameter", name, this.#modules.has(name));
    if (param !== null && !(param instanceof Tensor)) {
      throw new TypeError(`registerParameter: "${name}" must be a Tensor or null`);
    }
    this.#parameters.set(name, param);
  }

  /** Registers (or replaces) a child module. */
  registerModule(name: string, module: Module): void {
    this.#checkName("registerModule", name, this.#parameters.has(name));
    if (!(module instanceof Module)) throw new TypeError(`registerModule: "${name}" must be a Module`);
    this.#modules.set(name, module);
  }

  #checkName(op: string, name: string, taken: boolean): void {
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new RangeError(`${op}: name ${JSON.stringify(name)} must be a non-empty string without "."`);
    }
    if (taken)
      throw new RangeError(
        `${op}: "${name}" is already used by a ${op === "registerModule" ? "parameter" : "module"}`,
      );
  }

  /** Direct children with their names, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.#modules];
  }

  children(): Module[] {
    return [...this.#modules.values()];
  }

  /** This module (name `prefix`) and all descendants, pre-order, each module once. */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, name: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [child, sub] of m.#modules) visit(sub, name === "" ? child : `${name}.${child}`);
    };
    visit(this, prefix);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameters with dotted names, in PyTorch's order (each module's own parameters in
   * registration order, modules pre-order). A parameter shared by two modules is listed once.
   */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [name, m] of this.namedModules(prefix)) {
      for (const [p, t] of m.#parameters) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([name === "" ? p : `${name}.${p}`, t]);
      }
    }
    return out;
  }

  /** The parameter tensors, in `namedParameters()` order: what an optimizer takes. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Total number of parameter elements. */
  numParameters(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    return n;
  }

  /** Sets training mode on this module and every descendant; returns `this`. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new TypeError(`train: mode must be a boolean, got ${String(mode)}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** `train(false)`: evaluation mode (Dropout becomes the identity). */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient: `grad = null` (PyTorch's default `set_to_none=True`) or zero-filled. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const { setToNone = true } = checkOptions("zeroGrad", options, ["setToNone"]);
    checkBoolean("zeroGrad", "setToNone", setToNone);
    for (const p of this.parameters()) {
      if (setToNone) p.grad = null;
      else p.grad?.data.fill(0);
    }
  }

  /**
   * A snapshot of every parameter, keyed like PyTorch's `state_dict()` (a shared parameter appears
   * under each of its names). The tensors are copies: training on does not change a saved state.
   * With `keepVars` (PyTorch's `keep_vars=True`) the entries are the live parameter tensors
   * themselves, for a caller that only reads them right away (e.g. to serialise) and wants no copy.
   */
  stateDict(options: { keepVars?: boolean } = {}): StateDict {
    const { keepVars = false } = checkOptions("stateDict", options, ["keepVars"]);
    checkBoolean("stateDict", "keepVars", keepVars);
    const out = Object.create(null) as StateDict;
    for (const [key, t] of this.#stateEntries()) {
      out[key] = keepVars ? t : new Tensor(t.data.slice(), t.shape.slice());
    }
    return out;
  }

  /**
   * Copies a state dict into the parameters (converting float32 ↔ float64 as needed), like
   * PyTorch's `load_state_dict`, ALL OR NOTHING: the whole input is validated first — names
   * (unknown names get the closest missing one suggested, e.g. a snake_case spelling), shapes,
   * dtypes (float data only), every element (numbers; NaN/±Infinity rejected unless
   * `allowNonFinite`; a float64 value too large for a float32 parameter), and the names of a
   * shared parameter agreeing — and copied into staging arrays; only then is anything written.
   * A failed load throws one error listing every problem and leaves every parameter unchanged.
   */
  loadStateDict(
    stateDict: Readonly<Record<string, TensorLike>>,
    options: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    const { strict = true, allowNonFinite = false } = checkOptions("loadStateDict", options, [
      "strict",
      "allowNonFinite",
    ]);
    checkBoolean("loadStateDict", "strict", strict);
    checkBoolean("loadStateDict", "allowNonFinite", allowNonFinite);
    const staged = stageStateDict(this.#stateEntries(), stateDict, strict, allowNonFinite);
    if (staged.problems.length > 0) {
      throw new Error(
        `loadStateDict: error(s) loading state dict into ${this.constructor.name}:\n  ${staged.problems.join("\n  ")}`,
      );
    }
    noGrad(() => {
      for (const [param, values] of staged.writes) param.data.set(values);
    });
    return { missingKeys: staged.missingKeys, unexpectedKeys: staged.unexpectedKeys };
  }

  /**
   * Every (key, parameter) pair of the state dict. Like PyTorch's `state_dict()` this walks the
   * tree WITHOUT de-duplication, so a module reused twice appears under both names.
   */
  #stateEntries(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const walk = (m: Module, prefix: string, ancestors: Set<Module>) => {
      if (ancestors.has(m))
        throw new Error(`${this.constructor.name}: module tree has a cycle at "${prefix}"`);
      for (const [p, t] of m.#parameters) if (t !== null) out.push([prefix + p, t]);
      const inner = new Set(ancestors).add(m);
      for (const [name, child] of m.#modules) walk(child, `${prefix}${name}.`, inner);
    };
    walk(this, "", new Set());
    return out;
  }

  /** Extra text inside this module's `toString()` parentheses, e.g. `in_features=3, ...`. */
  extraRepr(): string {
    return "";
  }

  /** A PyTorch-style description of the module tree. */
  toString(): string {
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([name, m]) => `  (${name}): ${m.toString().replaceAll("\n", "\n  ")}`);
    return `${head}\n${lines.join("\n")}\n)`;
  }
}

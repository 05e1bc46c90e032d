import type { OptimizerEntry, OptimizerStateDict, Param, ParamGroup, SavedParamState } from "@descent/optim";
import type { OptimizerName } from "./args.js";
import { RunError, UsageError } from "./errors.js";
import { checkedOptions, type RuleValues, ruleValues, type ValueSources } from "./rule-values.js";
import { ruleEntry } from "./rules.js";

/**
 * What the training loop, the schedules and the checkpoints need of an optimizer: one rule of the
 * catalog (any `@descent/optim` optimizer fits), or a rule paired with a partner
 * ({@link PairedOptimizer}).
 */
export interface TrainingOptimizer {
  /** Live, writable param groups (a schedule writes `lr` into them). */
  readonly paramGroups: ParamGroup[];
  /** One step; `closure` recomputes the loss and the gradients (rules with `needsClosure`). */
  step(closure?: () => number): number | undefined;
  zeroGrad(): void;
  stateDict(): OptimizerStateDict;
  loadStateDict(stateDict: OptimizerStateDict): void;
}

/** The hyperparameter settings `makeOptimizer` reads: the command line's (see `rule-values.ts`). */
export type OptimizerSettings = ValueSources;

/** One rule of a run's optimizer: the rule, its values and the parameters it optimizes. */
export interface RulePart {
  readonly id: string;
  readonly entry: OptimizerEntry;
  readonly values: RuleValues;
  readonly params: readonly Param[];
}

/** A run's optimizer and the rules it is made of (one, or a rule and its partner). */
export interface BuiltOptimizer {
  readonly optimizer: TrainingOptimizer;
  readonly parts: readonly RulePart[];
}

/**
 * The rule that optimizes the parameters a rule refuses (Muon takes only 2-D weight matrices;
 * the biases then go to AdamW, as PyTorch's and Keras's Muon documentation recommend).
 */
export const PARTNER_RULE = "adamw";

/** The learning rate rule `name` runs with (see `rule-values.ts` for where it comes from). */
export function learningRate(name: OptimizerName, s: OptimizerSettings): number {
  const lr = ruleValues(name, s).lr;
  return typeof lr === "number" ? lr : Number.NaN;
}

/** Builds the optimizer of rule `name` over `params`; see {@link buildOptimizer}. */
export function makeOptimizer(
  name: OptimizerName,
  params: Iterable<Param>,
  s: OptimizerSettings,
): TrainingOptimizer {
  return buildOptimizer(name, params, s).optimizer;
}

/**
 * Builds the optimizer of catalog rule `name` over `params`, with the hyperparameter values the
 * settings give (checked by the catalog). A rule that refuses some of the parameters (Muon takes
 * only matrices) gets the ones it accepts, and {@link PARTNER_RULE} the others: which ones is
 * found by building the rule on each parameter alone, so any rule that checks its parameters when
 * built is paired the same way, with no list of such rules here.
 *
 * @throws UsageError for invalid values, or when the rule refuses every parameter.
 */
export function buildOptimizer(
  name: OptimizerName,
  params: Iterable<Param>,
  s: OptimizerSettings,
): BuiltOptimizer {
  const entry = ruleEntry(name);
  const list = Array.from(params);
  const values = ruleValues(name, s);
  const options = checkedOptions(name, values, s);
  let whole: unknown;
  try {
    return { optimizer: entry.create(list, options), parts: [{ id: name, entry, values, params: list }] };
  } catch (e) {
    whole = e;
  }
  const accepted: Param[] = [];
  const refused: Param[] = [];
  for (const p of list) {
    try {
      entry.create([p], options);
      accepted.push(p);
    } catch {
      refused.push(p);
    }
  }
  if (accepted.length === 0 || refused.length === 0 || name === PARTNER_RULE) {
    throw new UsageError(`${entry.name} (${name}) cannot be built: ${messageOf(whole)}`);
  }
  if (entry.needsClosure) {
    throw new RunError(
      `${entry.name} (${name}) refuses some of the parameters (${messageOf(whole)}), and a rule that steps with a closure cannot share the step with ${ruleEntry(PARTNER_RULE).name}`,
    );
  }
  const partner = ruleEntry(PARTNER_RULE);
  const partnerValues = ruleValues(PARTNER_RULE, s, "partner");
  const main = entry.create(accepted, options);
  const other = partner.create(refused, checkedOptions(PARTNER_RULE, partnerValues, s));
  return {
    optimizer: new PairedOptimizer(main, other),
    parts: [
      { id: name, entry, values, params: accepted },
      { id: PARTNER_RULE, entry: partner, values: partnerValues, params: refused },
    ],
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The parameters of one part, in words: "2-D weights", "biases", "2-D weights and biases". */
export function describeParams(params: readonly Param[]): string {
  const ranks = [...new Set(params.map((p) => shapeOf(p)?.length ?? -1))].sort((a, b) => b - a);
  const words = ranks.map((r) =>
    r === 2 ? "2-D weights" : r === 1 ? "biases" : r < 0 ? "parameters" : `${r}-D parameters`,
  );
  return words.join(" and ");
}

/** A parameter's shape, if it has one (`@descent/tensor` tensors do). */
export function shapeOf(p: Param): readonly number[] | undefined {
  const shape = (p as { readonly shape?: unknown }).shape;
  return Array.isArray(shape) ? shape : undefined;
}

/** "Adam", or "Muon (2-D weights) + AdamW (biases)" for a rule paired with a partner. */
export function partsLabel(parts: readonly RulePart[]): string {
  if (parts.length === 1) return parts[0].entry.name;
  return parts.map((p) => `${p.entry.name} (${describeParams(p.params)})`).join(" + ");
}

/** An optimizer-like object: what {@link PairedOptimizer} combines. */
type Part = TrainingOptimizer & { readonly kind: string };

/**
 * Two optimizers stepping together over disjoint parameters, as one: `paramGroups` lists the first
 * one's groups then the second's (the same live objects, so a schedule drives both), `step()` and
 * `zeroGrad()` call both, and `stateDict()` is one state dict of kind `"Muon+AdamW"` whose groups
 * and parameter indices follow that order, as a single optimizer with those groups would write
 * it. `skippedSteps` is the sum of both (the demo never skips: a non-finite gradient stops it).
 */
export class PairedOptimizer implements TrainingOptimizer {
  readonly paramGroups: ParamGroup[];

  constructor(
    readonly first: Part,
    readonly second: Part,
  ) {
    this.paramGroups = [...first.paramGroups, ...second.paramGroups];
  }

  get kind(): string {
    return `${this.first.kind}+${this.second.kind}`;
  }

  step(closure?: () => number): number | undefined {
    if (closure !== undefined) throw new TypeError(`${this.kind}.step takes no closure`);
    this.first.step();
    this.second.step();
    return undefined;
  }

  zeroGrad(): void {
    this.first.zeroGrad();
    this.second.zeroGrad();
  }

  stateDict(): OptimizerStateDict {
    const a = this.first.stateDict();
    const b = this.second.stateDict();
    const offset = countParams(a);
    const state: Record<string, SavedParamState> = { ...a.state };
    for (const [k, v] of Object.entries(b.state)) state[String(Number(k) + offset)] = v;
    return {
      format: a.format,
      version: a.version,
      kind: this.kind,
      paramGroups: [
        ...a.paramGroups,
        ...b.paramGroups.map((g) => ({ ...g, params: g.params.map((i) => i + offset) })),
      ],
      state,
      skippedSteps: a.skippedSteps + b.skippedSteps,
    };
  }

  /**
   * Splits a state dict written by {@link stateDict} between the two optimizers, each of which
   * checks its part before anything changes (the first is loaded only once the second's part is
   * known to have the right shape).
   *
   * @throws RangeError naming what does not fit.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd?.kind !== this.kind) {
      throw new RangeError(
        `loadStateDict: expected a state dict of kind ${JSON.stringify(this.kind)}, got ${JSON.stringify(sd?.kind)}`,
      );
    }
    const na = this.first.paramGroups.length;
    const groups = Array.isArray(sd.paramGroups) ? sd.paramGroups : [];
    if (groups.length !== na + this.second.paramGroups.length) {
      throw new RangeError(
        `loadStateDict: expected ${na + this.second.paramGroups.length} param groups (${this.kind}), got ${groups.length}`,
      );
    }
    const offset = this.first.paramGroups.reduce((n, g) => n + g.params.length, 0);
    const stateA: Record<string, SavedParamState> = {};
    const stateB: Record<string, SavedParamState> = {};
    for (const [k, v] of Object.entries(sd.state ?? {})) {
      const i = Number(k);
      if (Number.isInteger(i) && i >= offset) stateB[String(i - offset)] = v;
      else stateA[k] = v;
    }
    const common = { format: sd.format, version: sd.version };
    const second = {
      ...common,
      kind: this.second.kind,
      paramGroups: groups.slice(na).map((g) => ({
        ...g,
        params: Array.isArray(g.params) ? g.params.map((i) => i - offset) : g.params,
      })),
      state: stateB,
      skippedSteps: 0,
    };
    const first = {
      ...common,
      kind: this.first.kind,
      paramGroups: groups.slice(0, na),
      state: stateA,
      skippedSteps: sd.skippedSteps,
    };
    // Each part is checked by its optimizer before anything changes; if the second refuses its
    // part, the first gets its previous state back.
    const before = this.first.stateDict();
    this.first.loadStateDict(first);
    try {
      this.second.loadStateDict(second);
    } catch (e) {
      this.first.loadStateDict(before);
      throw e;
    }
  }
}

function countParams(sd: OptimizerStateDict): number {
  return sd.paramGroups.reduce((n, g) => n + g.params.length, 0);
}

/** True for an optimizer with training and evaluation modes (Schedule-Free: `train()` / `eval()`). */
export function hasModes(opt: unknown): opt is { train(): void; eval(): void; readonly trainMode?: boolean } {
  if (typeof opt !== "object" || opt === null) return false;
  const o = opt as { train?: unknown; eval?: unknown };
  return typeof o.train === "function" && typeof o.eval === "function";
}

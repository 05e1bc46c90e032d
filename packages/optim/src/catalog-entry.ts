import type { Optimizer } from "./optimizer.js";
import type { Param } from "./param.js";

/**
 * A numeric hyperparameter of a rule, as a user interface or a tuner needs it: its constructor
 * option (and element, for a pair such as `betas`), default, valid range, the range worth
 * exploring, and the scale to explore it on.
 */
export interface NumberHyperparameter {
  readonly kind: "number";
  /** Unique within the rule, stable (command-line flags, URLs): `"lr"`, `"beta1"`, `"momentum"`. */
  readonly key: string;
  /** The constructor option it sets: `"lr"`, `"betas"`. */
  readonly option: string;
  /** For an array option, the element it sets (`betas[0]` is β₁). */
  readonly index?: number;
  /** Short display name: `"learning rate"`, `"β₁"`. */
  readonly label: string;
  /** The rule's default (PyTorch's, for the rules PyTorch has). */
  readonly default: number;
  /** Smallest valid value (inclusive unless {@link minExclusive}). */
  readonly min: number;
  /** Largest valid value (inclusive unless {@link maxExclusive}); `Infinity` if unbounded. */
  readonly max: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  /** Only whole numbers are valid. */
  readonly integer?: boolean;
  /** The range a slider or a tuning sweep should cover (inside the valid range). */
  readonly typical: readonly [number, number];
  /** How to explore it: on a log scale (learning rates, ε) or a linear one (β, momentum). */
  readonly scale: "log" | "linear";
  /** One line: what it does. */
  readonly meaning: string;
}

/** An on/off option of a rule (`amsgrad`, `nesterov`, `centered`). */
export interface BooleanHyperparameter {
  readonly kind: "boolean";
  readonly key: string;
  readonly option: string;
  readonly label: string;
  readonly default: boolean;
  readonly meaning: string;
}

/** An option with a few named values (`lineSearchFn`). */
export interface ChoiceHyperparameter {
  readonly kind: "choice";
  readonly key: string;
  readonly option: string;
  readonly label: string;
  /** The values the option takes (null where the option is "none"). */
  readonly choices: readonly (string | null)[];
  readonly default: string | null;
  readonly meaning: string;
}

/** Any hyperparameter of a catalog entry. */
export type Hyperparameter = NumberHyperparameter | BooleanHyperparameter | ChoiceHyperparameter;

/** A value of a hyperparameter, as a user interface holds it. */
export type HyperparameterValue = number | boolean | string | null;

/** The paper (or documentation) a rule comes from. */
export interface RuleReference {
  readonly authors: string;
  readonly title: string;
  readonly year: number;
  readonly url: string;
}

/** Anything that builds an optimizer from parameters and an options object. */
export type OptimizerFactory = (params: Iterable<Param>, options: Record<string, unknown>) => Optimizer;

/**
 * One rule (or a named setting of one, such as SGD with momentum) as the catalog describes it to
 * applications: enough to list it, explain it, expose every hyperparameter and build it.
 */
export interface OptimizerEntry {
  /** Stable identifier for command lines and URLs: lower case, e.g. `"adam"`, `"momentum"`. */
  readonly id: string;
  /** Display name: `"Adam"`, `"SGD + momentum"`. */
  readonly name: string;
  /** The class that implements it: `"Adam"`, `"SGD"`. */
  readonly className: string;
  /** Builds the optimizer; `options` are constructor options (see {@link optionsFromValues}). */
  readonly create: OptimizerFactory;
  /** Constructor options this entry always passes and users do not set (e.g. `nesterov: true`). */
  readonly fixed?: Readonly<Record<string, unknown>>;
  /** Every hyperparameter users may set, in display order (`lr` first). */
  readonly hyperparameters: readonly Hyperparameter[];
  /** One or two sentences: what the rule does and when it helps. */
  readonly summary: string;
  /** The update rule in plain-text math, one statement per line. */
  readonly update: string;
  /** Where the rule comes from. */
  readonly reference: RuleReference;
  /** True when `step()` needs a closure that re-evaluates the loss (LBFGS). */
  readonly needsClosure?: boolean;
  /**
   * True when the optimizer has training and evaluation modes (Schedule-Free; see
   * `TrainEvalOptimizer` and `hasTrainEvalModes`): its parameters hold the training point after
   * `train()` and the point to evaluate after `eval()`. `create` returns it in training mode, so
   * steps work at once; an application calls `eval()` before evaluating the model or saving it,
   * and `train()` before training resumes.
   */
  readonly modes?: boolean;
  /**
   * True when the rule needs each parameter's `shape` (Muon: 2-D matrices only; Adafactor): build
   * it with parameters that have one (`@descent/tensor` tensors do).
   */
  readonly needsShape?: boolean;
}

import {
  checkHyperparameter,
  type Hyperparameter,
  type HyperparameterValue,
  type OptimizerEntry,
  optionsFromValues,
  rangeText,
} from "@descent/optim";
import type { DatasetName } from "./args.js";
import { DATASET_LR, DEFAULT_LR } from "./config.js";
import { UsageError } from "./errors.js";
import { lookup } from "./own.js";
import { parseNumber } from "./parse-number.js";
import { ruleEntry, unknownRule } from "./rules.js";
import { didYouMean } from "./suggest.js";

/*
 * The hyperparameter values a run gives each rule, from the catalog and the command line. For a
 * rule, in increasing precedence:
 *
 *   1. the catalog's defaults (PyTorch's, for the rules PyTorch has);
 *   2. the demo's default learning rate, for the rules `DEFAULT_LR` lists (and `DATASET_LR` per
 *      data set);
 *   3. the flags `--lr` (every rule with an `lr`), `--weight-decay` (every rule with a
 *      `weightDecay`) and `--momentum` (the rules that use momentum by default);
 *   4. `--set KEY=VALUE` (every rule of the run that has KEY);
 *   5. `--set RULE.KEY=VALUE` (that rule only).
 *
 * A rule paired with another (the partner that optimizes the parameters a rule such as Muon
 * refuses) takes only 1, 2 and 5: the flags and unqualified settings are meant for the rules the
 * user chose.
 */

/** Hyperparameter values by key, for one rule. */
export type RuleValues = Record<string, HyperparameterValue>;

/** One assignment of `--set`: `beta2=0.99` or `adam.beta2=0.99`. */
export interface Setting {
  /** The assignment as written, for messages. */
  readonly text: string;
  /** The rule it is for, or null: every rule of the run that has the key. */
  readonly rule: string | null;
  readonly key: string;
  /** The value as written. */
  readonly raw: string;
}

/** Where a run's hyperparameter values come from. */
export interface ValueSources {
  /** For the data-set default learning rates (`DATASET_LR`). */
  readonly dataset?: DatasetName;
  readonly lr?: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
  readonly settings?: readonly Setting[];
  /** Complete values by rule id (a resumed checkpoint's): used as they are, nothing else applies. */
  readonly hyperparameters?: Readonly<Record<string, Readonly<RuleValues>>>;
}

/** The command-line flags that set a hyperparameter of every rule of the run that takes it. */
export const HYPERPARAMETER_FLAGS = [
  { flag: "--lr", source: "lr", key: "lr", who: "every rule with a learning rate" },
  { flag: "--weight-decay", source: "weightDecay", key: "weightDecay", who: "every rule with weight decay" },
  {
    flag: "--momentum",
    source: "momentum",
    key: "momentum",
    who: "the rules that use momentum by default",
  },
] as const;

type Flag = (typeof HYPERPARAMETER_FLAGS)[number];

/** Whether `flag` sets a hyperparameter of `entry` (`--momentum`: only where momentum is on by default). */
export function flagApplies(flag: Flag, entry: OptimizerEntry): boolean {
  const h = entry.hyperparameters.find((x) => x.key === flag.key);
  if (h === undefined) return false;
  return flag.key !== "momentum" || (h.kind === "number" && h.default > 0);
}

/**
 * Parses the values of `--set` (each a comma-separated list of assignments).
 *
 * @throws UsageError for an assignment without `=`, an unknown rule (the catalog's did-you-mean),
 *   or the same hyperparameter set twice.
 */
export function parseSettings(specs: readonly string[]): Setting[] {
  const out: Setting[] = [];
  for (const spec of specs) {
    for (const part of spec.split(",")) {
      const text = part.trim();
      const eq = text.indexOf("=");
      if (eq <= 0) {
        throw new UsageError(
          `--set ${JSON.stringify(text)}: expected KEY=VALUE or RULE.KEY=VALUE, e.g. --set beta2=0.99,amsgrad=true or --set adam.beta2=0.99`,
        );
      }
      const name = text.slice(0, eq).trim();
      const raw = text.slice(eq + 1).trim();
      const dot = name.indexOf(".");
      const rule = dot < 0 ? null : name.slice(0, dot);
      const key = dot < 0 ? name : name.slice(dot + 1);
      if (key === "" || rule === "")
        throw new UsageError(`--set ${text}: expected KEY=VALUE or RULE.KEY=VALUE`);
      if (rule !== null) {
        const problem = unknownRule(rule);
        if (problem !== null) throw new UsageError(`--set ${text}: ${problem}`);
      }
      const twice = out.find((s) => s.rule === rule && s.key === key);
      if (twice) throw new UsageError(`--set sets ${name} twice (${twice.text}, ${text})`);
      out.push({ text, rule, key, raw });
    }
  }
  return out;
}

/**
 * A value as the command line writes it, typed for `h`: a number, `true`/`false`, or a choice
 * (`null` or `none` for a choice of none). Text that is none of these is returned as it is, for
 * `checkHyperparameter` to name.
 */
export function parseHyperparameterValue(h: Hyperparameter, raw: string): HyperparameterValue {
  switch (h.kind) {
    case "number": {
      const v = parseNumber(raw);
      return Number.isNaN(v) ? raw : v;
    }
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "choice":
      return (raw === "null" || raw === "none") && h.choices.includes(null) ? null : raw;
  }
}

/** The demo's default learning rate for a rule, if it has one (`DEFAULT_LR`, `DATASET_LR`). */
export function demoDefaultLr(id: string, dataset?: DatasetName): number | undefined {
  const perDataset = dataset === undefined ? undefined : lookup(DATASET_LR, dataset);
  return (perDataset ? lookup(perDataset, id) : undefined) ?? lookup(DEFAULT_LR, id);
}

/**
 * The values rule `id` runs with (every hyperparameter of its catalog entry, by key), from the
 * sources in the order described above. Not validated: see {@link checkedOptions}.
 */
export function ruleValues(id: string, s: ValueSources, role: "rule" | "partner" = "rule"): RuleValues {
  const entry = ruleEntry(id);
  const fixed = s.hyperparameters === undefined ? undefined : lookup(s.hyperparameters, id);
  if (fixed !== undefined) return { ...fixed };
  const values: RuleValues = {};
  for (const h of entry.hyperparameters) values[h.key] = h.default;
  const has = (key: string) => Object.hasOwn(values, key);
  const lr = demoDefaultLr(id, s.dataset);
  if (lr !== undefined && has("lr")) values.lr = lr;
  if (role === "rule") {
    for (const f of HYPERPARAMETER_FLAGS) {
      const v = s[f.source];
      if (v !== undefined && flagApplies(f, entry)) values[f.key] = v;
    }
  }
  for (const setting of s.settings ?? []) {
    const mine = setting.rule === null ? role === "rule" && has(setting.key) : setting.rule === id;
    if (!mine) continue;
    const h = entry.hyperparameters.find((x) => x.key === setting.key);
    // An unknown key of a qualified setting is kept as text, for checkedOptions to report.
    values[setting.key] = h === undefined ? setting.raw : parseHyperparameterValue(h, setting.raw);
  }
  return values;
}

/**
 * Constructor options of rule `id` from `values`, checked by the catalog.
 *
 * @throws UsageError naming the rule, the key, the setting that gave the value and the valid
 *   range or choices; an unknown key gets the closest one and the list.
 */
export function checkedOptions(
  id: string,
  values: RuleValues,
  s: ValueSources = {},
): Record<string, unknown> {
  const entry = ruleEntry(id);
  const keys = entry.hyperparameters.map((h) => h.key);
  for (const key of Object.keys(values)) {
    if (!keys.includes(key)) {
      const where = settingOf(s, id, key);
      throw new UsageError(
        `${where ? `--set ${where.text}: ` : ""}${entry.name} (${id}) has no hyperparameter ${JSON.stringify(key)}${didYouMean(key, keys)}; its hyperparameters: ${keys.join(", ")}`,
      );
    }
  }
  for (const h of entry.hyperparameters) {
    const problem = checkHyperparameter(h, values[h.key]);
    if (problem === null) continue;
    const where = settingOf(s, id, h.key);
    const range = h.kind === "number" && !problem.includes(" must be in ") ? ` (valid: ${rangeText(h)})` : "";
    throw new UsageError(`${where ? `--set ${where.text}: ` : ""}${entry.name} (${id}): ${problem}${range}`);
  }
  try {
    return optionsFromValues(entry, values);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * Checks the values of every rule of a run (before any data is loaded).
 *
 * @throws UsageError as {@link checkedOptions}.
 */
export function checkRunValues(rules: readonly string[], s: ValueSources): void {
  for (const id of rules) checkedOptions(id, ruleValues(id, s), s);
}

/** The `--set` assignment that set `key` of rule `id`, if one did (a qualified one first). */
function settingOf(s: ValueSources, id: string, key: string): Setting | undefined {
  const settings = s.settings ?? [];
  return (
    settings.find((x) => x.rule === id && x.key === key) ??
    settings.find((x) => x.rule === null && x.key === key)
  );
}

/**
 * Checks that every flag and `--set` of the command line applies to some rule of the run
 * (`rules`: the rules chosen; `partners`: the rules paired with them), so nothing is silently
 * ignored.
 *
 * @throws UsageError naming the flag or setting, and what it could apply to.
 */
export function checkSettingsApply(
  rules: readonly string[],
  partners: readonly string[],
  s: ValueSources,
  runText: string,
): void {
  const entries = rules.map(ruleEntry);
  for (const f of HYPERPARAMETER_FLAGS) {
    if (s[f.source] === undefined) continue;
    if (entries.some((e) => flagApplies(f, e))) continue;
    const off = entries.filter((e) => e.hyperparameters.some((h) => h.key === f.key)).map((e) => e.id);
    const hint = off.length ? `; where it is off by default (${off.join(", ")}), use --set ${f.key}=X` : "";
    throw new UsageError(
      `${f.flag} sets the ${f.key} of ${f.who}, and no rule of this run has one (${runText})${hint}`,
    );
  }
  for (const setting of s.settings ?? []) {
    if (setting.rule !== null) {
      if (rules.includes(setting.rule) || partners.includes(setting.rule)) continue;
      throw new UsageError(`--set ${setting.text}: ${setting.rule} is not a rule of this run (${runText})`);
    }
    if (entries.some((e) => e.hyperparameters.some((h) => h.key === setting.key))) continue;
    const keys = [...new Set(entries.flatMap((e) => e.hyperparameters.map((h) => h.key)))];
    throw new UsageError(
      `--set ${setting.text}: no rule of this run (${runText}) has a hyperparameter ${JSON.stringify(setting.key)}${didYouMean(setting.key, keys)}; theirs: ${keys.join(", ")}`,
    );
  }
}

/** `"lr 0.001, beta2 0.99"`: the lr and every value that differs from the catalog's default. */
export function describeValues(id: string, values: Readonly<RuleValues>): string {
  const entry = ruleEntry(id);
  const parts: string[] = [];
  for (const h of entry.hyperparameters) {
    const v = values[h.key];
    if (h.key === "lr" || !Object.is(v, h.default)) parts.push(`${h.key} ${v}`);
  }
  return parts.join(", ");
}

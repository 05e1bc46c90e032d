import { rangeText } from "@descent/optim";
import { COMPARE_DEFAULT, DATASET_LR, DEFAULT_LR } from "./config.js";
import { UsageError } from "./errors.js";
import { lookup } from "./own.js";
import { parseNumber } from "./parse-number.js";
import { demoDefaultLr } from "./rule-values.js";
import { firstSentence, ruleEntries, ruleEntry, ruleIds, unknownRule } from "./rules.js";
import { didYouMean } from "./suggest.js";

/** The commands the CLI knows; `train` is the default. */
export const COMMANDS = ["train", "compare"] as const;
export type Command = (typeof COMMANDS)[number];

export const DATASETS = ["mnist", "iris", "spiral", "moons", "circles", "xor", "sine"] as const;
export type DatasetName = (typeof DATASETS)[number];

/** The optimizer rules: every id of `@descent/optim`'s catalog, in catalog order. */
export const OPTIMIZERS: readonly string[] = ruleIds();
/** A rule id of the catalog (checked when parsed: see `unknownRule`). */
export type OptimizerName = string;

/** The value of `--optimizers` that names every rule of the catalog. */
export const ALL_OPTIMIZERS = "all";

export const ACTIVATIONS = ["relu", "tanh", "sigmoid", "gelu", "leaky-relu"] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const SCHEDULES = ["none", "step", "cosine", "onecycle"] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/**
 * What the user asked for. Options the user did not give are `undefined` here; the per-data-set
 * defaults are filled in later by `resolveConfig`, so `--help` can show both.
 */
export interface CliArgs {
  command: Command;
  help: boolean;
  dataset?: DatasetName;
  optimizer?: OptimizerName;
  optimizers?: OptimizerName[];
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  epochs?: number;
  batchSize?: number;
  hidden?: number[];
  activation?: ActivationName;
  schedule?: ScheduleName;
  clip?: number;
  seed?: number;
  threshold?: number;
  limit?: number;
  out?: string;
  json: boolean;
  quiet: boolean;
  save?: string;
  resume?: string;
  /** `--set` values as given (each a comma-separated list of assignments), in order. */
  set?: string[];
}

/** How an option's value is read and checked. */
export type Kind =
  | { type: "flag" }
  | { type: "choice"; choices: readonly string[]; unknown?: (value: string) => string }
  | { type: "list"; choices: readonly string[]; unknown?: (value: string) => string; all?: string }
  | { type: "number"; min: number; max: number; minOpen?: boolean; maxOpen?: boolean }
  | { type: "int"; min: number; max: number }
  | { type: "sizes" }
  | { type: "string" };

export interface OptionSpec {
  readonly name: string;
  readonly key: keyof CliArgs;
  readonly kind: Kind;
  readonly value?: string;
  readonly help: string;
  /** The commands the option applies to; absent: every command. */
  readonly commands?: readonly Command[];
  /** What to use instead, said when the option is given to another command. */
  readonly instead?: string;
  /** May be given more than once (the values are collected in order). */
  readonly repeatable?: boolean;
}

/** Every option, in the order `--help` lists them. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    name: "dataset",
    key: "dataset",
    kind: { type: "choice", choices: DATASETS },
    value: "NAME",
    help: `data set: ${DATASETS.join(", ")} (default mnist: 8 000 train / 2 000 test real digits)`,
  },
  {
    name: "optimizer",
    key: "optimizer",
    kind: { type: "choice", choices: OPTIMIZERS, unknown: unknownRuleText },
    value: "NAME",
    help: "optimizer for train: any rule listed below (default adam)",
    commands: ["train"],
    instead: "use --optimizers for compare",
  },
  {
    name: "optimizers",
    key: "optimizers",
    kind: { type: "list", choices: OPTIMIZERS, unknown: unknownRuleText, all: ALL_OPTIMIZERS },
    value: "A,B,..",
    help: `optimizers for compare, in order, or "all" (every rule listed below); default ${COMPARE_DEFAULT.join(",")}`,
    commands: ["compare"],
    instead: "use --optimizer for train",
  },
  {
    name: "lr",
    key: "lr",
    kind: { type: "number", min: 0, max: Number.POSITIVE_INFINITY, minOpen: true, maxOpen: true },
    value: "X",
    help: `learning rate of every rule of the run (peak lr with onecycle); default per optimizer: ${defaultLrText()}; every other rule its catalog default (shown below)`,
  },
  {
    name: "momentum",
    key: "momentum",
    kind: { type: "number", min: 0, max: 1, maxOpen: true },
    value: "X",
    help: "momentum of the rules that use momentum by default (momentum, ...), in [0, 1) (default: the rule's, 0.9 for momentum)",
  },
  {
    name: "weight-decay",
    key: "weightDecay",
    kind: { type: "number", min: 0, max: Number.POSITIVE_INFINITY, maxOpen: true },
    value: "X",
    help: "weight decay of every rule that has one, >= 0 (default: the rule's; 0, adamw 0.01)",
  },
  {
    name: "set",
    key: "set",
    kind: { type: "string" },
    value: "K=V,..",
    help: "any hyperparameter of the run's rules: KEY=VALUE (each rule that has KEY) or RULE.KEY=VALUE, comma-separated, repeatable; e.g. --set beta2=0.99,amsgrad=true or --set adam.eps=1e-6 (--help --optimizer NAME lists a rule's keys)",
    repeatable: true,
  },
  {
    name: "epochs",
    key: "epochs",
    kind: { type: "int", min: 1, max: 1_000_000 },
    value: "N",
    help: "passes over the training set (default: mnist 8, iris 100, spiral, moons, circles, xor 100, sine 300)",
  },
  {
    name: "batch-size",
    key: "batchSize",
    kind: { type: "int", min: 1, max: 1_000_000 },
    value: "N",
    help: "samples per step (default: mnist 64, iris 16, others 32)",
  },
  {
    name: "hidden",
    key: "hidden",
    kind: { type: "sizes" },
    value: "N,N,..",
    help: 'hidden layer widths, e.g. 128,64; "" for none (default: mnist 1024,256, iris 16, spiral 64,64, others 32,32)',
  },
  {
    name: "activation",
    key: "activation",
    kind: { type: "choice", choices: ACTIVATIONS },
    value: "NAME",
    help: `hidden activation: ${ACTIVATIONS.join(", ")} (default relu; sine tanh)`,
  },
  {
    name: "schedule",
    key: "schedule",
    kind: { type: "choice", choices: SCHEDULES },
    value: "NAME",
    help: "learning-rate schedule, stepped each batch: none, step (x0.5 every third of the run), cosine, onecycle (default: mnist onecycle, others none)",
  },
  {
    name: "clip",
    key: "clip",
    kind: { type: "number", min: 0, max: Number.POSITIVE_INFINITY, minOpen: true, maxOpen: true },
    value: "X",
    help: "clip the global gradient norm to X before each step (default: off)",
  },
  {
    name: "seed",
    key: "seed",
    kind: { type: "int", min: 0, max: 2 ** 32 - 1 },
    value: "N",
    help: "seed of the data split, weights and batch order; same seed, same numbers (default 1)",
  },
  {
    name: "threshold",
    key: "threshold",
    kind: { type: "number", min: 0, max: Number.POSITIVE_INFINITY, minOpen: true, maxOpen: true },
    value: "X",
    help: "compare: the train loss each optimizer must reach, for the steps-to-threshold column (default per data set)",
    commands: ["compare"],
  },
  {
    name: "limit",
    key: "limit",
    kind: { type: "int", min: 1, max: 1_000_000 },
    value: "N",
    help: "use only the first N training samples, for a quick run (the test set is unchanged)",
  },
  {
    name: "out",
    key: "out",
    kind: { type: "string" },
    value: "DIR",
    help: "where compare writes report.html and the PNG charts (default apps/mlp-demo/out)",
    commands: ["compare"],
  },
  {
    name: "save",
    key: "save",
    kind: { type: "string" },
    value: "DIR",
    help: "train: write a checkpoint (weights, optimizer, schedule, epoch, RNG) to DIR after each epoch",
    commands: ["train"],
  },
  {
    name: "resume",
    key: "resume",
    kind: { type: "string" },
    value: "DIR",
    help: "train: continue from the checkpoint in DIR, bit-identical to an uninterrupted run",
    commands: ["train"],
  },
  {
    name: "json",
    key: "json",
    kind: { type: "flag" },
    help: "print one JSON line per epoch instead of text",
  },
  { name: "quiet", key: "quiet", kind: { type: "flag" }, help: "no progress bar or chart, only results" },
  { name: "help", key: "help", kind: { type: "flag" }, help: "show this help" },
];

const BY_NAME = new Map(OPTIONS.map((o) => [o.name, o]));
const BY_KEY = new Map(OPTIONS.map((o) => [o.key, o]));

/** The option that sets `key` of {@link CliArgs} (its name, kind and range). */
export function optionOf(key: keyof CliArgs): OptionSpec {
  const spec = BY_KEY.get(key);
  if (!spec) throw new Error(`no option sets ${key}`);
  return spec;
}

/**
 * Parses the command line (without `node` and the script). Accepts `--name value` and
 * `--name=value`, `-h` for `--help`; the first bare word is the command. An option that does not
 * apply to the command (`train --threshold`) is an error.
 *
 * @throws UsageError naming the bad command, option or value, with the closest valid name
 *   ("did you mean") and the valid choices.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const out: CliArgs = { command: "train", help: false, json: false, quiet: false };
  const record = out as unknown as Record<string, unknown>;
  let commandSeen = false;
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      out.help = true;
      continue;
    }
    if (!arg.startsWith("-")) {
      if (commandSeen)
        throw new UsageError(`unexpected argument "${arg}" (the command is already ${out.command})`);
      if (!(COMMANDS as readonly string[]).includes(arg)) {
        throw new UsageError(
          `unknown command "${arg}"${didYouMean(arg, COMMANDS)}; valid commands: ${COMMANDS.join(", ")}`,
        );
      }
      out.command = arg as Command;
      commandSeen = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      throw new UsageError(`unknown option "${arg}"; valid options: ${validOptions()}`);
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = BY_NAME.get(name);
    if (!spec) {
      const hint = didYouMean(name, BY_NAME.keys(), (n) => `--${n}`);
      throw new UsageError(`unknown option "--${name}"${hint}; valid options: ${validOptions()}`);
    }
    if (seen.has(name) && !spec.repeatable) throw new UsageError(`option --${name} given twice`);
    seen.add(name);
    if (spec.kind.type === "flag") {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      record[spec.key] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value (${spec.value})`);
      raw = argv[++i];
    }
    const value = parseValue(spec, raw);
    if (spec.repeatable) record[spec.key] = [...((record[spec.key] as unknown[] | undefined) ?? []), value];
    else record[spec.key] = value;
  }
  if (!out.help) checkApplicable(out.command, seen);
  return out;
}

/** Rejects options that do not apply to `command`, naming the command and what applies instead. */
function checkApplicable(command: Command, given: ReadonlySet<string>): void {
  const wrong = OPTIONS.filter((o) => given.has(o.name) && o.commands && !o.commands.includes(command));
  if (wrong.length === 0) return;
  if (wrong.length === 1) {
    const o = wrong[0];
    throw new UsageError(
      `--${o.name} applies to ${o.commands?.join(" and ")}, not ${command}${o.instead ? `; ${o.instead}` : ""}`,
    );
  }
  throw new UsageError(
    `${wrong.map((o) => `--${o.name} (${o.commands?.join(" and ")})`).join(", ")} do not apply to ${command}`,
  );
}

function validOptions(): string {
  return OPTIONS.map((o) => `--${o.name}`).join(", ");
}

function parseValue(spec: OptionSpec, raw: string): unknown {
  const kind = spec.kind;
  const name = `--${spec.name}`;
  let value: unknown;
  switch (kind.type) {
    case "number":
    case "int":
      value = parseNumber(raw);
      break;
    case "list":
      value =
        kind.all !== undefined && raw.trim() === kind.all
          ? [...kind.choices]
          : raw.split(",").map((s) => s.trim());
      break;
    case "sizes":
      value = raw.trim() === "" || raw.trim() === "none" ? [] : raw.split(",").map(parseNumber);
      break;
    case "flag":
      return true;
    default:
      value = raw;
  }
  const problem = checkValue(spec, value);
  if (problem === null) return value;
  if (kind.type === "choice" || kind.type === "list") throw new UsageError(`${problem} for ${name}`);
  throw new UsageError(`${name}: ${problem}, got "${raw}"`);
}

/**
 * What is wrong with a typed option value, or null if it is valid: the one range check shared by
 * the command line and by `checkpoint.json`. Choice problems name the value
 * (`unknown activation "swish" (did you mean ...?); valid choices: ...`); others say what was
 * expected (`expected an integer in [1, 1000000]`) and leave the value to the caller.
 */
export function checkValue(spec: OptionSpec, value: unknown): string | null {
  const kind = spec.kind;
  switch (kind.type) {
    case "flag":
      return typeof value === "boolean" ? null : "expected true or false";
    case "choice":
      if (typeof value === "string" && kind.choices.includes(value)) return null;
      if (typeof value !== "string") return `expected one of ${kind.choices.join(", ")}`;
      if (kind.unknown) return kind.unknown(value);
      return `unknown ${spec.name} "${value}"${didYouMean(value, kind.choices)}; valid choices: ${kind.choices.join(", ")}`;
    case "list": {
      if (!Array.isArray(value) || value.length === 0) return `expected a list of ${kind.choices.join(", ")}`;
      for (const item of value) {
        if (typeof item !== "string" || !kind.choices.includes(item)) {
          if (typeof item === "string" && kind.unknown) return kind.unknown(item);
          const text = typeof item === "string" ? item : JSON.stringify(item);
          return `unknown optimizer "${text}"${typeof item === "string" ? didYouMean(item, kind.choices) : ""}; valid choices: ${kind.choices.join(", ")}`;
        }
      }
      if (new Set(value).size !== value.length) return `"${value.join(",")}" names an optimizer twice`;
      return null;
    }
    case "number": {
      const ok =
        typeof value === "number" &&
        (kind.minOpen ? value > kind.min : value >= kind.min) &&
        (kind.maxOpen ? value < kind.max : value <= kind.max);
      return ok ? null : `expected a number in ${range(kind)}`;
    }
    case "int":
      return Number.isInteger(value) && (value as number) >= kind.min && (value as number) <= kind.max
        ? null
        : `expected an integer in [${kind.min}, ${kind.max}]`;
    case "sizes":
      return Array.isArray(value) &&
        value.every((x) => Number.isInteger(x) && x >= MIN_WIDTH && x <= MAX_WIDTH)
        ? null
        : `expected comma-separated positive layer widths like 128,64 (each in [${MIN_WIDTH}, ${MAX_WIDTH}])`;
    case "string":
      return typeof value === "string" && value !== "" ? null : `expected a ${spec.value}`;
  }
}

/** The range of a hidden layer's width. */
const MIN_WIDTH = 1;
const MAX_WIDTH = 100_000;

function range(k: { min: number; max: number; minOpen?: boolean; maxOpen?: boolean }): string {
  const hi = k.max === Number.POSITIVE_INFINITY ? "inf" : String(k.max);
  return `${k.minOpen ? "(" : "["}${k.min}, ${hi}${k.maxOpen ? ")" : "]"}`;
}

/** The catalog's message for an id that is not one of its rules. */
function unknownRuleText(id: string): string {
  return unknownRule(id) ?? `unknown optimizer ${JSON.stringify(id)}`;
}

/**
 * The demo's default learning rates in words, rules with the same defaults joined:
 * `sgd 0.1, momentum 0.03, ..., adam/adamw 0.001 (0.002 on mnist)`.
 */
export function defaultLrText(): string {
  const perDataset = (id: string) =>
    DATASETS.flatMap((d) => {
      const table = lookup(DATASET_LR, d);
      const lr = table === undefined ? undefined : lookup(table, id);
      return lr === undefined ? [] : [`${lr} on ${d}`];
    });
  const groups: { ids: string[]; text: string }[] = [];
  for (const [id, lr] of Object.entries(DEFAULT_LR)) {
    const extra = perDataset(id);
    const text = `${lr}${extra.length ? ` (${extra.join(", ")})` : ""}`;
    const last = groups.at(-1);
    if (last && last.text === text) last.ids.push(id);
    else groups.push({ ids: [id], text });
  }
  return groups.map((g) => `${g.ids.join("/")} ${g.text}`).join(", ");
}

/**
 * The text of `--help`: commands, options, and the optimizer rules of the catalog (id, name, the
 * first sentence of its summary). With `--optimizer` or `--optimizers`, also every hyperparameter
 * of those rules (key, default, valid range, meaning), for `--set`.
 */
export function helpText(args?: Pick<CliArgs, "optimizer" | "optimizers">, width = 100): string {
  const lines = [
    "descent-demo: train small networks with Descent on real data and compare the optimizers",
    "",
    "usage: descent-demo [train|compare] [options]",
    "",
    "commands:",
    "  train     train one network with one optimizer (the default), print test accuracy",
    "  compare   train the same network from the same weights and batch order with each",
    "            optimizer; print a table and write report.html + PNG charts to --out",
    "",
    "options:",
  ];
  for (const o of OPTIONS) {
    const left = `  --${o.name}${o.value ? ` ${o.value}` : ""}`;
    lines.push(`${left.padEnd(26)}${o.help}`);
  }
  const entries = ruleEntries();
  const idWidth = Math.max(...entries.map((e) => e.id.length)) + 2;
  lines.push(
    "",
    `optimizers (${entries.length}, from @descent/optim's catalog), with the lr they start from: this demo's for the classic rules (see --lr), the catalog's default for the others:`,
  );
  for (const e of entries) {
    const lr = demoDefaultLr(e.id) ?? e.hyperparameters.find((h) => h.key === "lr")?.default;
    const head = `${e.name}${lr === undefined ? "" : ` (lr ${lr})`}: `;
    lines.push(...wrap(head + firstSentence(e.summary), `  ${e.id.padEnd(idWidth)}`, width));
  }
  const chosen = [...new Set([...(args?.optimizer ? [args.optimizer] : []), ...(args?.optimizers ?? [])])];
  for (const id of chosen) lines.push("", ...hyperparameterHelp(id, width));
  if (chosen.length === 0) {
    lines.push(
      "",
      "each rule's hyperparameters: descent-demo --help --optimizer NAME (or compare --help --optimizers A,B)",
    );
  }
  lines.push(
    "",
    "examples:",
    "  pnpm demo",
    "  pnpm demo compare --dataset spiral",
    "  pnpm demo compare --dataset spiral --optimizers all --epochs 20",
    "  pnpm demo --dataset moons --optimizer sgd --lr 0.3 --json",
    "  pnpm demo --dataset moons --optimizer adam --set beta2=0.99,amsgrad=true",
  );
  return `${lines.join("\n")}\n`;
}

/** The hyperparameters of rule `id`, one line each, for `--set`. */
function hyperparameterHelp(id: string, width: number): string[] {
  const e = ruleEntry(id);
  const lines = [`hyperparameters of ${e.name} (${id}), for --set KEY=VALUE or --set ${id}.KEY=VALUE:`];
  const keyWidth = Math.max(...e.hyperparameters.map((h) => h.key.length)) + 2;
  for (const h of e.hyperparameters) {
    let valid: string;
    let def = String(h.default);
    if (h.kind === "number") valid = `${h.integer ? "integer in " : ""}${rangeText(h)}`;
    else if (h.kind === "boolean") valid = "true or false";
    else {
      valid = h.choices.map((c) => (c === null ? "none" : c)).join(" | ");
      if (h.default === null) def = "none";
    }
    if (h.key === "lr") {
      const demo = demoDefaultLr(id);
      if (demo !== undefined && demo !== h.default) def = `${demo} in this demo (catalog ${h.default})`;
    }
    lines.push(
      ...wrap(`${h.label}, default ${def}, ${valid}: ${h.meaning}`, `  ${h.key.padEnd(keyWidth)}`, width),
    );
  }
  return lines;
}

/**
 * `text` after `head`, wrapped at word boundaries to `width` columns, continuation lines indented
 * as far as `head` is long.
 */
function wrap(text: string, head: string, width: number): string[] {
  const room = Math.max(20, width - head.length);
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? head : " ".repeat(head.length)) + l);
}

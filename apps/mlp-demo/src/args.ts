import { UsageError } from "./errors.js";
import { didYouMean } from "./suggest.js";

/** The commands the CLI knows; `train` is the default. */
export const COMMANDS = ["train", "compare"] as const;
export type Command = (typeof COMMANDS)[number];

export const DATASETS = ["mnist", "iris", "spiral", "moons", "circles", "xor", "sine"] as const;
export type DatasetName = (typeof DATASETS)[number];

export const OPTIMIZERS = ["sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

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
}

/** How an option's value is read and checked. */
export type Kind =
  | { type: "flag" }
  | { type: "choice"; choices: readonly string[] }
  | { type: "list"; choices: readonly string[] }
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
    kind: { type: "choice", choices: OPTIMIZERS },
    value: "NAME",
    help: `optimizer for train: ${OPTIMIZERS.join(", ")} (default adam)`,
    commands: ["train"],
    instead: "use --optimizers for compare",
  },
  {
    name: "optimizers",
    key: "optimizers",
    kind: { type: "list", choices: OPTIMIZERS },
    value: "A,B,..",
    help: "optimizers for compare (default sgd,momentum,adagrad,rmsprop,adam)",
    commands: ["compare"],
    instead: "use --optimizer for train",
  },
  {
    name: "lr",
    key: "lr",
    kind: { type: "number", min: 0, max: Number.POSITIVE_INFINITY, minOpen: true, maxOpen: true },
    value: "X",
    help: "learning rate (peak lr with onecycle); default per optimizer: sgd 0.1, momentum 0.03, adagrad 0.05, rmsprop 0.001, adam/adamw 0.001 (0.002 on mnist)",
  },
  {
    name: "momentum",
    key: "momentum",
    kind: { type: "number", min: 0, max: 1, maxOpen: true },
    value: "X",
    help: "momentum of the momentum optimizer, in [0, 1) (default 0.9)",
  },
  {
    name: "weight-decay",
    key: "weightDecay",
    kind: { type: "number", min: 0, max: Number.POSITIVE_INFINITY, maxOpen: true },
    value: "X",
    help: "weight decay, >= 0 (default 0; adamw 0.01)",
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
    if (seen.has(name)) throw new UsageError(`option --${name} given twice`);
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
    record[spec.key] = parseValue(spec, raw);
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
      value = raw.split(",").map((s) => s.trim());
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
      return `unknown ${spec.name} "${value}"${didYouMean(value, kind.choices)}; valid choices: ${kind.choices.join(", ")}`;
    case "list": {
      if (!Array.isArray(value) || value.length === 0) return `expected a list of ${kind.choices.join(", ")}`;
      for (const item of value) {
        if (typeof item !== "string" || !kind.choices.includes(item)) {
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

/** Strict number parsing: "1e-3" and "0.5" yes; "", "1x", "0x10", " 1" no. */
function parseNumber(raw: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return Number.NaN;
  return Number(raw);
}

function range(k: { min: number; max: number; minOpen?: boolean; maxOpen?: boolean }): string {
  const hi = k.max === Number.POSITIVE_INFINITY ? "inf" : String(k.max);
  return `${k.minOpen ? "(" : "["}${k.min}, ${hi}${k.maxOpen ? ")" : "]"}`;
}

/** The text of `--help`. */
export function helpText(): string {
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
  lines.push(
    "",
    "examples:",
    "  pnpm demo",
    "  pnpm demo compare --dataset spiral",
    "  pnpm demo --dataset moons --optimizer sgd --lr 0.3 --json",
  );
  return `${lines.join("\n")}\n`;
}

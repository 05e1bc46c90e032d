import { UsageError } from "./errors.js";

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

type Kind =
  | { type: "flag" }
  | { type: "choice"; choices: readonly string[] }
  | { type: "list"; choices: readonly string[] }
  | { type: "number"; min: number; max: number; minOpen?: boolean; maxOpen?: boolean }
  | { type: "int"; min: number; max: number }
  | { type: "sizes" }
  | { type: "string" };

interface OptionSpec {
  name: string;
  key: keyof CliArgs;
  kind: Kind;
  value?: string;
  help: string;
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
  },
  {
    name: "optimizers",
    key: "optimizers",
    kind: { type: "list", choices: OPTIMIZERS },
    value: "A,B,..",
    help: "optimizers for compare (default sgd,momentum,adagrad,rmsprop,adam)",
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
  },
  {
    name: "save",
    key: "save",
    kind: { type: "string" },
    value: "DIR",
    help: "train: write a checkpoint (weights, optimizer, schedule, epoch, RNG) to DIR after each epoch",
  },
  {
    name: "resume",
    key: "resume",
    kind: { type: "string" },
    value: "DIR",
    help: "train: continue from the checkpoint in DIR, bit-identical to an uninterrupted run",
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

/**
 * Parses the command line (without `node` and the script). Accepts `--name value` and
 * `--name=value`, `-h` for `--help`; the first bare word is the command.
 *
 * @throws UsageError naming the bad command, option or value and listing the valid choices.
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
        throw new UsageError(`unknown command "${arg}"; valid commands: ${COMMANDS.join(", ")}`);
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
    if (!spec) throw new UsageError(`unknown option "--${name}"; valid options: ${validOptions()}`);
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
  return out;
}

function validOptions(): string {
  return OPTIONS.map((o) => `--${o.name}`).join(", ");
}

function parseValue(spec: OptionSpec, raw: string): unknown {
  const kind = spec.kind;
  const name = `--${spec.name}`;
  switch (kind.type) {
    case "choice":
      if (!kind.choices.includes(raw)) {
        throw new UsageError(
          `unknown ${spec.name} "${raw}" for ${name}; valid choices: ${kind.choices.join(", ")}`,
        );
      }
      return raw;
    case "list": {
      const items = raw.split(",").map((s) => s.trim());
      for (const item of items) {
        if (!kind.choices.includes(item)) {
          throw new UsageError(
            `unknown optimizer "${item}" in ${name}; valid choices: ${kind.choices.join(", ")}`,
          );
        }
      }
      if (new Set(items).size !== items.length)
        throw new UsageError(`${name}: "${raw}" names an optimizer twice`);
      return items;
    }
    case "number": {
      const x = parseNumber(raw);
      const lowOk = kind.minOpen ? x > kind.min : x >= kind.min;
      const highOk = kind.maxOpen ? x < kind.max : x <= kind.max;
      if (Number.isNaN(x) || !lowOk || !highOk) {
        throw new UsageError(`${name}: expected a number in ${range(kind)}, got "${raw}"`);
      }
      return x;
    }
    case "int": {
      const x = parseNumber(raw);
      if (!Number.isInteger(x) || x < kind.min || x > kind.max) {
        throw new UsageError(`${name}: expected an integer in [${kind.min}, ${kind.max}], got "${raw}"`);
      }
      return x;
    }
    case "sizes": {
      if (raw.trim() === "" || raw.trim() === "none") return [];
      const parts = raw.split(",");
      return parts.map((p) => {
        const x = parseNumber(p);
        if (!Number.isInteger(x) || x < 1 || x > 100_000) {
          throw new UsageError(
            `${name}: expected comma-separated positive layer widths like 128,64, got "${raw}"`,
          );
        }
        return x;
      });
    }
    case "string":
      if (raw === "") throw new UsageError(`${name}: expected a ${spec.value}, got an empty string`);
      return raw;
    case "flag":
      return true;
  }
}

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

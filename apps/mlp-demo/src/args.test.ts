import { describe, expect, it } from "vitest";
import { COMMANDS, DATASETS, helpText, OPTIMIZERS, OPTIONS, parseArgs } from "./args.js";
import { DATASET_DEFAULTS, DATASET_LR, DEFAULT_LR } from "./config.js";
import { UsageError } from "./errors.js";
import { closest, editDistance } from "./suggest.js";

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error(`expected a UsageError for ${argv.join(" ")}`);
}

describe("parseArgs", () => {
  it("defaults to train with nothing set", () => {
    expect(parseArgs([])).toEqual({ command: "train", help: false, json: false, quiet: false });
  });

  it("parses every option in both --name value and --name=value forms", () => {
    const a = parseArgs([
      "compare",
      "--dataset",
      "spiral",
      "--optimizers",
      "sgd,adam",
      "--lr",
      "1e-3",
      "--momentum=0.8",
      "--weight-decay",
      "0.01",
      "--epochs",
      "3",
      "--batch-size=16",
      "--hidden",
      "128,64",
      "--activation",
      "tanh",
      "--schedule",
      "onecycle",
      "--clip",
      "1.5",
      "--seed",
      "7",
      "--threshold",
      "0.3",
      "--limit",
      "100",
      "--out",
      "o",
      "--json",
      "--quiet",
    ]);
    expect(a).toEqual({
      command: "compare",
      help: false,
      dataset: "spiral",
      optimizers: ["sgd", "adam"],
      lr: 0.001,
      momentum: 0.8,
      weightDecay: 0.01,
      epochs: 3,
      batchSize: 16,
      hidden: [128, 64],
      activation: "tanh",
      schedule: "onecycle",
      clip: 1.5,
      seed: 7,
      threshold: 0.3,
      limit: 100,
      out: "o",
      json: true,
      quiet: true,
    });
    expect(parseArgs(["--optimizer=rmsprop", "--save", "s", "--resume=r", "train"])).toEqual({
      command: "train",
      help: false,
      json: false,
      quiet: false,
      optimizer: "rmsprop",
      save: "s",
      resume: "r",
    });
  });

  it("accepts --help / -h anywhere and an empty --hidden for no hidden layer", () => {
    expect(parseArgs(["--epochs", "2", "-h"]).help).toBe(true);
    expect(parseArgs(["compare", "--help"]).help).toBe(true);
    expect(parseArgs(["--hidden", ""]).hidden).toEqual([]);
  });

  it("unknown command: lists the valid commands, exit code 2", () => {
    const e = usageError(["trian"]);
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('unknown command "trian"');
    for (const c of COMMANDS) expect(e.message).toContain(c);
  });

  it("unknown option: lists the valid options", () => {
    const e = usageError(["--learning-rate", "0.1"]);
    expect(e.message).toContain('unknown option "--learning-rate"');
    for (const o of OPTIONS) expect(e.message).toContain(`--${o.name}`);
    expect(usageError(["-x"]).message).toContain('unknown option "-x"');
  });

  it("unknown data set or optimizer: lists the valid choices", () => {
    const d = usageError(["--dataset", "cifar"]);
    expect(d.message).toContain('unknown dataset "cifar"');
    for (const n of DATASETS) expect(d.message).toContain(n);
    // Every rule of the catalog is a valid choice; anything else gets the catalog's message.
    const o = usageError(["--optimizer", "gradient-free"]);
    expect(o.message).toContain('unknown optimizer "gradient-free"');
    for (const n of OPTIMIZERS) expect(o.message).toContain(n);
    expect(usageError(["--optimizers", "sgd,bogus"]).message).toContain('unknown optimizer "bogus"');
    expect(usageError(["--schedule", "cyclic"]).message).toMatch(/none, step, cosine, onecycle/);
    expect(usageError(["--activation", "swish"]).message).toMatch(/relu, tanh/);
  });

  it("bad numbers are named", () => {
    const cases: [string[], RegExp][] = [
      [["--lr", "abc"], /--lr: expected a number in \(0, inf\), got "abc"/],
      [["--lr", "0"], /--lr: expected a number/],
      [["--lr", "-1"], /--lr/],
      [["--lr", "1x"], /--lr/],
      [["--lr", "NaN"], /--lr/],
      [["--momentum", "1"], /--momentum: expected a number in \[0, 1\)/],
      [["--weight-decay", "-0.1"], /--weight-decay/],
      [["--epochs", "2.5"], /--epochs: expected an integer in \[1, /],
      [["--epochs", "0"], /--epochs/],
      [["--batch-size", "x"], /--batch-size/],
      [["--seed", "-3"], /--seed/],
      [["--clip", "0"], /--clip/],
      [["--hidden", "128,0"], /--hidden: expected comma-separated positive layer widths/],
      [["--hidden", "12a"], /--hidden/],
      [["--limit", "0"], /--limit/],
    ];
    for (const [argv, re] of cases) {
      const e = usageError(argv);
      expect(e.message).toMatch(re);
      expect(e.exitCode).toBe(2);
    }
  });

  it("missing values, repeated options, values on flags and stray words are errors", () => {
    expect(usageError(["--lr"]).message).toMatch(/--lr needs a value/);
    expect(usageError(["--lr", "1", "--lr", "2"]).message).toMatch(/given twice/);
    expect(usageError(["--json=yes"]).message).toMatch(/--json takes no value/);
    expect(usageError(["train", "compare"]).message).toMatch(/unexpected argument "compare"/);
    expect(usageError(["--out", ""]).message).toMatch(/--out: expected a DIR/);
    expect(usageError(["--optimizers", "sgd,sgd"]).message).toMatch(/twice/);
  });

  it("--help text describes every option", () => {
    const h = helpText();
    for (const o of OPTIONS) expect(h).toContain(`--${o.name}`);
    expect(h).toContain("compare");
  });
});

describe("help text and defaults agree", () => {
  it("states each optimizer's default lr and each data set's defaults as configured", () => {
    const h = helpText().replace(/\s+/g, " ");
    for (const [name, lr] of Object.entries(DEFAULT_LR)) {
      if (name !== "adam" && name !== "adamw") expect(h).toContain(`${name} ${lr}`);
    }
    expect(h).toContain(`adam/adamw ${DEFAULT_LR.adam} (${DATASET_LR.mnist?.adam} on mnist)`);
    const m = DATASET_DEFAULTS.mnist;
    expect(h).toContain(`mnist ${m.epochs},`);
    expect(h).toContain(`mnist ${m.hidden.join(",")},`);
    expect(h).toContain(`mnist ${m.batchSize},`);
    expect(h).toContain(`mnist ${m.schedule},`);
    expect(h).toContain(`iris ${DATASET_DEFAULTS.iris.hidden.join(",")}`);
    expect(h).toContain(`spiral ${DATASET_DEFAULTS.spiral.hidden.join(",")}`);
    expect(h).toContain(`sine ${DATASET_DEFAULTS.sine.epochs}`);
  });
});

/** A valid command-line value for an option (none for flags). */
function sampleValue(o: (typeof OPTIONS)[number]): string[] {
  const k = o.kind;
  switch (k.type) {
    case "flag":
      return [];
    case "choice":
    case "list":
      return [k.choices[0]];
    case "number":
      return ["0.5"];
    case "int":
      return [String(k.min)];
    case "sizes":
      return ["8"];
    case "string":
      return ["x"];
  }
}

describe("options and commands", () => {
  it("every option restricted to some commands is rejected by the others, naming the command, wherever the command appears", () => {
    let checked = 0;
    for (const o of OPTIONS) {
      for (const command of COMMANDS) {
        const argv = [`--${o.name}`, ...sampleValue(o)];
        if (!o.commands || o.commands.includes(command)) {
          expect(parseArgs([command, ...argv]).command).toBe(command);
          continue;
        }
        for (const line of [
          [command, ...argv],
          [...argv, command],
        ]) {
          const e = usageError(line);
          expect(e.message).toBe(
            `--${o.name} applies to ${o.commands.join(" and ")}, not ${command}${o.instead ? `; ${o.instead}` : ""}`,
          );
          checked++;
        }
      }
    }
    // train-only: optimizer, save, resume; compare-only: optimizers, threshold, out.
    expect(checked).toBe(12);
    expect(usageError(["--threshold", "0.1", "--out", "o"]).message).toBe(
      "--threshold (compare), --out (compare) do not apply to train",
    );
    // --help still wins: it describes everything.
    expect(parseArgs(["--threshold", "1", "--help"]).help).toBe(true);
  });

  it("a mistyped option, command or choice gets the closest valid name", () => {
    const names = OPTIONS.map((o) => o.name);
    const typos = (n: string) => [
      n.slice(0, -1),
      `${n}s`,
      n.length > 3 ? n[1] + n[0] + n.slice(2) : `${n}x`,
      n.toUpperCase(),
      n.replace(/-/g, "_"),
      n.replace(/-(.)/g, (_, c: string) => c.toUpperCase()),
    ];
    let checked = 0;
    for (const n of names) {
      for (const t of typos(n)) {
        if (names.includes(t) || t === "h") continue;
        const e = usageError([`--${t}`, "1"]);
        expect(e.message).toMatch(new RegExp(`^unknown option "--${t}" \\(did you mean --[a-z-]+\\?\\)`));
        const suggested = /did you mean --([a-z-]+)\?/.exec(e.message)?.[1] ?? "";
        // The suggestion is the intended option, or one exactly as close to the typo.
        if (suggested !== n) expect(editDistance(t, suggested)).toBeLessThanOrEqual(editDistance(t, n));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
    expect(usageError(["--epoch", "3"]).message).toContain("(did you mean --epochs?)");
    expect(usageError(["--batch_size", "3"]).message).toContain("(did you mean --batch-size?)");
    expect(usageError(["--weightDecay", "3"]).message).toContain("(did you mean --weight-decay?)");
    expect(usageError(["trian"]).message).toContain('unknown command "trian" (did you mean train?)');
    expect(usageError(["--dataset", "minst"]).message).toContain('"minst" (did you mean mnist?)');
    expect(usageError(["--activation", "leaky_relu"]).message).toContain("(did you mean leaky-relu?)");
    expect(usageError(["--optimizers", "sgd,adamm"]).message).toContain("(did you mean adam?)");
    // Nothing close: no guess, just the list.
    const far = usageError(["--colour", "red"]).message;
    expect(far).not.toContain("did you mean");
    expect(far).toContain("valid options: --dataset");
  });

  it("edit distance counts insertions, deletions, substitutions and neighbour swaps", () => {
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("epoch", "epochs")).toBe(1);
    expect(editDistance("lr", "rl")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(closest("zzzz", ["lr", "seed"])).toBeUndefined();
  });
});

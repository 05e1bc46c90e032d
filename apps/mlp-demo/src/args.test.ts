import { describe, expect, it } from "vitest";
import { COMMANDS, DATASETS, helpText, OPTIMIZERS, OPTIONS, parseArgs } from "./args.js";
import { DATASET_DEFAULTS, DATASET_LR, DEFAULT_LR } from "./config.js";
import { UsageError } from "./errors.js";

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
      "--optimizer=rmsprop",
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
      "--save",
      "s",
      "--resume=r",
      "--json",
      "--quiet",
    ]);
    expect(a).toEqual({
      command: "compare",
      help: false,
      dataset: "spiral",
      optimizer: "rmsprop",
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
      save: "s",
      resume: "r",
      json: true,
      quiet: true,
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
    const o = usageError(["--optimizer", "lbfgs"]);
    expect(o.message).toContain('unknown optimizer "lbfgs"');
    for (const n of OPTIMIZERS) expect(o.message).toContain(n);
    expect(usageError(["--optimizers", "sgd,lion"]).message).toContain('unknown optimizer "lion"');
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

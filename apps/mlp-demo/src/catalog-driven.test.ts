import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as Optim from "@descent/optim";
import { describe, expect, it, vi } from "vitest";
import { helpText, OPTIMIZERS, parseArgs } from "./args.js";
import { readCheckpoint } from "./checkpoint.js";
import { main } from "./cli.js";
import { resolveConfig } from "./config.js";
import { loadDataset } from "./datasets/index.js";
import { fakeIo } from "./fake-io.testutil.js";
import { fakeRules } from "./fake-rules.testutil.js";
import { ruleColor } from "./report/palette.js";
import { parseSeriesPaths } from "./report/svg-parse.testutil.js";
import { scratchDirs } from "./scratch.testutil.js";
import { Trainer } from "./train.js";

/*
 * The demo reads its rules from `@descent/optim`'s catalog and nowhere else: with three rules
 * added to the catalog (and no other change), they are choices of --optimizer and
 * --optimizers all, listed in --help with their hyperparameters, settable with --set, trained,
 * checkpointed and resumed, and drawn and described in compare's report.
 */

vi.mock("@descent/optim", async (importOriginal) => {
  const optim = await importOriginal<typeof Optim>();
  const { fakeRules } = await import("./fake-rules.testutil.js");
  return { ...optim, OPTIMIZER_CATALOG: Object.freeze([...optim.OPTIMIZER_CATALOG, ...fakeRules(optim)]) };
});

const tmp = scratchDirs("mlp-demo-catalog-");

async function run(argv: string[]) {
  const io = fakeIo(false);
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

const TINY = ["--dataset", "xor", "--hidden", "4", "--limit", "64", "--seed", "2"];

describe("a rule added to the catalog appears in the demo", () => {
  it("is a choice of --optimizer and is listed by --help, with its hyperparameters", async () => {
    expect(OPTIMIZERS.slice(-3)).toEqual(["signsgd", "shiftsgd", "matrixsgd"]);
    expect(helpText()).toMatch(
      /^ {2}signsgd +SignSGD \(lr 0\.003\): Steps every coordinate by the same amount/m,
    );
    const help = await run(["--help", "--optimizer", "shiftsgd"]);
    expect(help.out).toContain("hyperparameters of Shift SGD (shiftsgd)");
    expect(help.out).toMatch(/^ {2}shift +shift, default 0\.01, \[0, 1\]: distance of the training point/m);
    const typo = await run(["--optimizer", "signsdg"]);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('unknown optimizer "signsdg" (did you mean signsgd?)');
  });

  it("trains with its catalog default lr and --set values, checked against its ranges", async () => {
    const r = await run([...TINY, "--optimizer", "signsgd", "--epochs", "2", "--json", "--quiet"]);
    expect(r.code).toBe(0);
    const lines = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.optimizer, l.lr])).toEqual([
      ["signsgd", 0.003],
      ["signsgd", 0.003],
    ]);
    const set = await run([...TINY, "--optimizer", "shiftsgd", "--set", "shift=0.2", "--epochs", "1"]);
    expect(set.code).toBe(0);
    expect(set.out).toContain("Shift SGD (lr 0.05, shift 0.2)");
    const bad = await run([...TINY, "--optimizer", "shiftsgd", "--set", "shift=2"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--set shift=2: Shift SGD (shiftsgd): shift must be in [0, 1], got 2");
  });

  it("a rule with train()/eval() modes: steps in training mode, evaluates and checkpoints in evaluation mode, resumes bit-identically", async () => {
    const dir = tmp();
    const args = [...TINY, "--optimizer", "shiftsgd", "--set", "shift=0.05", "--json", "--quiet"];
    const full = await run([...args, "--epochs", "3", "--save", join(dir, "full")]);
    const half = await run([...args, "--epochs", "1", "--save", join(dir, "half")]);
    const rest = await run([
      "--resume",
      join(dir, "half"),
      "--epochs",
      "3",
      "--save",
      join(dir, "half"),
      "--json",
      "--quiet",
    ]);
    expect([full.code, half.code, rest.code]).toEqual([0, 0, 0]);
    const bytes = (d: string) => readFileSync(join(dir, d, "model.safetensors"));
    expect(Buffer.compare(bytes("full"), bytes("half"))).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, "full", "checkpoint.json"), "utf8"));
    // Saved in evaluation mode; the group's own step count is the rule's state, not an option.
    expect(state.optimizer.paramGroups[0].trainMode).toBe(false);
    expect(state.optimizer.paramGroups[0].count).toBe(state.steps);
    expect(state.config.hyperparameters).toEqual({ shiftsgd: { lr: 0.05, shift: 0.05 } });
    // The saved weights are the evaluation point: evaluated by a run of a rule without modes,
    // they give the test loss the last epoch reported.
    const last = JSON.parse(full.out.trim().split("\n").at(-1) ?? "");
    const cfg = resolveConfig(parseArgs(TINY));
    const ds = loadDataset(cfg.dataset, cfg.seed, cfg.limit);
    const plain = new Trainer(ds, cfg, "sgd");
    plain.model.loadStateDict(readCheckpoint(join(dir, "full")).weights);
    expect(plain.evaluate(ds.test).loss).toBe(last.testLoss);
  });

  it("a rule that refuses some parameters is paired with AdamW for them, shown, saved and resumed", async () => {
    const dir = tmp();
    const args = [...TINY, "--optimizer", "matrixsgd", "--set", "adamw.lr=0.005"];
    const r = await run([...args, "--epochs", "1", "--save", join(dir, "a")]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Matrix SGD (2-D weights: lr 0.05) + AdamW (biases: lr 0.005)");
    const state = JSON.parse(readFileSync(join(dir, "a", "checkpoint.json"), "utf8"));
    expect(state.optimizer.kind).toBe("MatrixSGD+AdamW");
    expect(
      state.optimizer.paramGroups.map((g: { lr: number; params: number[] }) => [g.lr, g.params]),
    ).toEqual([
      [0.05, [0, 1]],
      [0.005, [2, 3]],
    ]);
    expect(Object.keys(state.config.hyperparameters)).toEqual(["matrixsgd", "adamw"]);
    const full = await run([...args, "--epochs", "2", "--save", join(dir, "b")]);
    const rest = await run([
      "--resume",
      join(dir, "a"),
      "--epochs",
      "2",
      "--save",
      join(dir, "a"),
      "--quiet",
    ]);
    expect([full.code, rest.code]).toEqual([0, 0]);
    const bytes = (d: string) => readFileSync(join(dir, d, "model.safetensors"));
    expect(Buffer.compare(bytes("a"), bytes("b"))).toBe(0);
    // The partner's settings apply only where there is a partner.
    const stray = await run([...TINY, "--optimizer", "adam", "--set", "adamw.lr=0.005"]);
    expect(stray.code).toBe(2);
    expect(stray.err).toContain("--set adamw.lr=0.005: adamw is not a rule of this run (--optimizer adam)");
  });

  it("compare --optimizers all races every rule: distinct styles, a legend below the plot, the rules table", async () => {
    const out = tmp();
    const r = await run(["compare", ...TINY, "--epochs", "2", "--optimizers", "all", "--out", out]);
    expect([0, 1]).toContain(r.code); // a rule may diverge on this tiny run; the report is written anyway
    const html = readFileSync(join(out, "report.html"), "utf8");
    const n = OPTIMIZERS.length;
    const styles = new Set(OPTIMIZERS.map((id) => JSON.stringify(ruleColor(id))));
    expect(styles.size).toBe(n);
    const chart = html.split('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')[1];
    expect(parseSeriesPaths(chart).size).toBe(n);
    expect(chart).toContain('<path class="series" data-series="Matrix SGD (2-D weights) + AdamW (biases)"');
    // With more entries than fit in a corner, the legend is a list below the plot (y > 380).
    const legend = chart.slice(chart.indexOf('<g class="legend">'));
    const ys = [...legend.matchAll(/<text x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(n);
    expect(Math.min(...ys)).toBeGreaterThan(380);
    for (const e of fakeRules((await vi.importActual("@descent/optim")) as typeof Optim)) {
      expect(html).toContain(e.summary.replace(/</g, "&#60;"));
      expect(html).toContain(e.update.replace(/</g, "&#60;"));
    }
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results.runs.map((x: { optimizer: string }) => x.optimizer)).toEqual([...OPTIMIZERS]);
  });
});

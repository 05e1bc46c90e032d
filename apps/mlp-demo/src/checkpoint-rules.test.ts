import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "./cli.js";
import { fakeIo } from "./fake-io.testutil.js";
import { scratchDirs } from "./scratch.testutil.js";

/*
 * Checkpoints record the rule and every hyperparameter value (version 3); resuming checks them
 * with the catalog, for rules whose state is one buffer set per parameter and for L-BFGS, whose
 * state is one history for all of them. Older checkpoints (version 2) still resume.
 */

const tmp = scratchDirs("mlp-demo-rules-");

async function run(argv: string[]) {
  const io = fakeIo(false);
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

const json = (dir: string) => JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8"));
const weights = (dir: string) => readFileSync(join(dir, "model.safetensors"));

describe("checkpoints and the catalog", () => {
  it("L-BFGS on full batches: the closure runs several times per step, the loss falls, and resuming is bit-identical", async () => {
    const dir = tmp();
    // 200 samples, one batch of 200: a full-batch run.
    const args = [
      "--dataset",
      "moons",
      "--hidden",
      "8",
      "--limit",
      "200",
      "--batch-size",
      "200",
      "--optimizer",
      "lbfgs",
      "--set",
      "maxIter=5",
      "--json",
      "--quiet",
    ];
    const full = await run([...args, "--epochs", "4", "--save", join(dir, "full")]);
    const half = await run([...args, "--epochs", "2", "--save", join(dir, "half")]);
    const rest = await run([
      ...args,
      "--epochs",
      "4",
      "--resume",
      join(dir, "half"),
      "--save",
      join(dir, "half"),
    ]);
    expect([full.code, half.code, rest.code]).toEqual([0, 0, 0]);
    expect(Buffer.compare(weights(join(dir, "full")), weights(join(dir, "half")))).toBe(0);
    const s = json(join(dir, "full"));
    expect(s.version).toBe(3);
    expect(s.config.hyperparameters.lbfgs).toMatchObject({ lr: 1, maxIter: 5, lineSearchFn: null });
    const st = s.optimizer.state["0"];
    expect(st.step).toBe(4);
    expect(st.funcEvals).toBeGreaterThan(4); // more than one evaluation per step
    expect(Object.keys(s.optimizer.state)).toEqual(["0"]);
    const losses = full.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).trainLoss);
    expect(losses[3]).toBeLessThan(0.5 * losses[0]);
    expect(json(join(dir, "half")).optimizer).toEqual(s.optimizer);
  });

  it("hyperparameters are checked with the catalog on resume, naming the rule, the key and the range", async () => {
    const dir = tmp();
    const ck = join(dir, "ck");
    const base = [
      "--dataset",
      "xor",
      "--hidden",
      "4",
      "--limit",
      "64",
      "--optimizer",
      "adam",
      "--set",
      "beta2=0.99",
    ];
    expect((await run([...base, "--epochs", "1", "--save", ck, "--quiet"])).code).toBe(0);
    const s = json(ck);
    expect(s.config.hyperparameters).toEqual({
      adam: { lr: 0.001, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, amsgrad: false },
    });
    // Repeating the setting is fine; another value is named.
    expect((await run([...base, "--epochs", "2", "--resume", ck, "--quiet"])).code).toBe(0);
    const other = await run(["--resume", ck, "--epochs", "3", "--set", "adam.beta2=0.9"]);
    expect(other.code).toBe(1);
    expect(other.err).toContain("--set adam.beta2=0.9 but the checkpoint has adam.beta2=0.99");
    const edits: [(c: Record<string, unknown>) => void, string][] = [
      [
        (c) => {
          (c.hyperparameters as Record<string, Record<string, unknown>>).adam.beta2 = 1.5;
        },
        'field "config.hyperparameters.adam.beta2": Adam: beta2 must be in [0, 1), got 1.5',
      ],
      [
        (c) => {
          (c.hyperparameters as Record<string, unknown>).adan = {};
        },
        'field "config.hyperparameters.adan": unknown optimizer "adan" (did you mean adam?)',
      ],
      [
        (c) => {
          (c.hyperparameters as Record<string, unknown>).adamw = (
            c.hyperparameters as Record<string, unknown>
          ).adam;
          (c.hyperparameters as Record<string, Record<string, unknown>>).adamw.weightDecay = 0.01;
        },
        'field "config.hyperparameters.adamw": unknown field (this run\'s rule is adam)',
      ],
      [
        (c) => {
          c.lr = 0.002;
        },
        'field "config.lr": expected 0.001 (the lr of config.hyperparameters.adam), got 0.002',
      ],
    ];
    for (const [edit, message] of edits) {
      const work = join(dir, "edit");
      cpSync(ck, work, { recursive: true });
      const state = json(work);
      edit(state.config);
      writeFileSync(join(work, "checkpoint.json"), JSON.stringify(state));
      const r = await run(["--resume", work, "--epochs", "3"]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(message);
      expect(r.err.split("\n")).toHaveLength(2);
    }
  });

  it("a version-2 checkpoint (no recorded hyperparameters) resumes with the values its settings gave", async () => {
    const dir = tmp();
    const args = [
      "--dataset",
      "moons",
      "--hidden",
      "8",
      "--optimizer",
      "momentum",
      "--momentum",
      "0.8",
      "--weight-decay",
      "0.001",
      "--json",
      "--quiet",
    ];
    const full = await run([...args, "--epochs", "2", "--save", join(dir, "full")]);
    const half = await run([...args, "--epochs", "1", "--save", join(dir, "half")]);
    expect([full.code, half.code]).toEqual([0, 0]);
    // Rewrite the half-way checkpoint as the previous build wrote it.
    const v3 = json(join(dir, "half"));
    const { hyperparameters, ...config } = v3.config;
    expect(hyperparameters).toEqual({
      momentum: { lr: 0.03, momentum: 0.8, dampening: 0, nesterov: false, weightDecay: 0.001 },
    });
    writeFileSync(join(dir, "half", "checkpoint.json"), JSON.stringify({ ...v3, version: 2, config }));
    const rest = await run([
      "--resume",
      join(dir, "half"),
      "--epochs",
      "2",
      "--save",
      join(dir, "half"),
      "--json",
      "--quiet",
    ]);
    expect(rest.code).toBe(0);
    expect(Buffer.compare(weights(join(dir, "full")), weights(join(dir, "half")))).toBe(0);
    expect(json(join(dir, "half")).config.hyperparameters).toEqual(hyperparameters);
  });
});

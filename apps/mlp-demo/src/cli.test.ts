import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, DATASETS, OPTIMIZERS } from "./args.js";
import { main } from "./cli.js";
import { COMPARE_DEFAULT } from "./config.js";
import { fakeIo } from "./fake-io.testutil.js";
import { parseSeriesPaths } from "./report/svg-parse.testutil.js";
import { ruleName } from "./rules.js";

const tmp = () => mkdtempSync(join(tmpdir(), "mlp-demo-cli-"));

async function run(argv: string[]) {
  const io = fakeIo(false, "real");
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** The `--json` lines of a run, without the wall-clock field. */
function epochs(out: string): Record<string, unknown>[] {
  return out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .map(({ seconds, ...rest }) => {
      expect(typeof seconds).toBe("number");
      return rest;
    });
}

const QUICK = ["--dataset", "xor", "--epochs", "6", "--hidden", "16", "--lr", "0.01", "--seed", "3"];

describe("mlp-demo CLI", () => {
  it("--help describes the commands and exits 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("usage: descent-demo [train|compare]");
    expect(r.out).toContain("--weight-decay");
  });

  it("bad command lines exit 2 with the valid choices listed", async () => {
    const cases: [string[], string[]][] = [
      [["fit"], [...COMMANDS]],
      [["--dataset", "cifar10"], [...DATASETS]],
      [["--optimizer", "gradient-free"], [...OPTIMIZERS]],
      [["--nope"], ["--dataset", "--resume"]],
      [["--lr", "fast"], ['--lr: expected a number in (0, inf), got "fast"']],
      [["compare", "--save", "x"], ["--save applies to train, not compare"]],
      [["--optimizers", "sgd"], ["--optimizers applies to compare"]],
    ];
    for (const [argv, needles] of cases) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      for (const n of needles) expect(r.err).toContain(n);
    }
  });

  it("train --json: one JSON line per epoch with the documented fields; the loss falls and accuracy passes a bar", async () => {
    const r = await run([...QUICK, "--json", "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    lines.forEach((l, i) => {
      expect(l.epoch).toBe(i + 1);
      expect(l.optimizer).toBe("adam");
      for (const k of ["trainLoss", "testLoss", "testAccuracy", "seconds"])
        expect(typeof l[k]).toBe("number");
      expect(l.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(l.testAccuracy).toBeLessThanOrEqual(1);
    });
    expect(lines[5].trainLoss).toBeLessThan(0.5 * lines[0].trainLoss);
    // XOR is learnable: a 2-16-2 MLP with Adam (lr 0.01) passes 90 % on the 400 test points in 6 epochs.
    expect(lines[5].testAccuracy).toBeGreaterThan(0.9);
  });

  it("same seed, same numbers; another seed, other numbers", async () => {
    const a = epochs((await run([...QUICK, "--json", "--quiet"])).out);
    const b = epochs((await run([...QUICK, "--json", "--quiet"])).out);
    const c = epochs((await run([...QUICK.slice(0, -2), "--seed", "4", "--json", "--quiet"])).out);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("text mode prints a header, one line per epoch, the test accuracy and a braille chart", async () => {
    const r = await run(QUICK);
    expect(r.code).toBe(0);
    expect(r.out).toContain("xor: 800 train / 400 test samples, 2 features, 2 classes");
    expect(r.out).toContain("MLP 2-16-2 (relu), 6 epochs, batch 32");
    expect(r.out.match(/^epoch [ \d]\/6 {2}train loss/gm)).toHaveLength(6);
    expect(r.out).toMatch(/test accuracy \d+\.\d\d% \(\d+\/400\) after 6 epochs, 150 steps/);
    expect(r.out).toMatch(/[\u2801-\u28ff]/);
    const q = await run([...QUICK, "--quiet"]);
    expect(q.out.trim().split("\n")).toHaveLength(1);
  });

  it("not a terminal: one progress line per epoch (step, loss, samples/s, ETA), never twice; 1 epoch is singular", async () => {
    const text = await run([...QUICK.slice(0, 2), "--epochs", "3", "--hidden", "8"]);
    expect(text.err).toBe("");
    expect(
      text.out.match(
        /^epoch \d\/3 {2}train loss \S+ .* {2}step +\d+\/75 {2}[\d.]+s {2}[\d,]+ samples\/s {2}ETA \d+:\d\d$/gm,
      ),
    ).toHaveLength(3);
    const json = await run([...QUICK.slice(0, 2), "--epochs", "3", "--hidden", "8", "--json"]);
    expect(
      json.err.match(/^epoch \d\/3 {2}step +\d+\/75 {2}loss \S+ {2}acc .*samples\/s {2}ETA \d+:\d\d$/gm),
    ).toHaveLength(3);
    const cmp = await run([
      "compare",
      ...QUICK.slice(0, 2),
      "--epochs",
      "2",
      "--hidden",
      "8",
      "--optimizers",
      "sgd,adam",
      "--out",
      tmp(),
    ]);
    expect(cmp.code).toBe(0);
    expect(cmp.err.match(/^(sgd|adam) +epoch \d\/2 {2}step +\d+\/50 {2}loss/gm)).toHaveLength(4);
    const one = await run([...QUICK.slice(0, 2), "--epochs", "1", "--hidden", "8"]);
    expect(one.out).toContain("MLP 2-8-2 (relu), 1 epoch, batch 32");
    expect(one.out).toMatch(/after 1 epoch, 25 steps/);
    expect(one.out).not.toMatch(/\b1 epochs\b/);
  });

  it("regression (sine) reports the test MSE, accuracy null in JSON", async () => {
    const r = await run(["--dataset", "sine", "--epochs", "3", "--json", "--quiet"]);
    expect(r.code).toBe(0);
    const last = JSON.parse(r.out.trim().split("\n").at(-1)!);
    expect(last.testAccuracy).toBeNull();
    expect(last.testLoss).toBeLessThan(last.epoch === 3 ? 0.5 : 1);
  });

  it("a diverging run stops with the step number and a hint, exit 1, no page of NaN", async () => {
    const r = await run(["--dataset", "moons", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "3"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /sgd: (the loss became (NaN|Infinity)|the loss reached [\d.e+]+|a gradient became NaN or infinite) at step \d+ \(epoch 1, batch \d+ of 25\)/,
    );
    expect(r.err).toContain("hint: lower the learning rate (--lr, now 1000000)");
    expect(r.out).not.toMatch(/NaN/);
  });

  it("resume is bit-identical: 4 epochs = 2 epochs, save, resume to 4", async () => {
    const dir = tmp();
    const args = [
      "--dataset",
      "moons",
      "--optimizer",
      "momentum",
      "--hidden",
      "8,8",
      "--seed",
      "5",
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
    const w = (d: string) => readFileSync(join(dir, d, "model.safetensors"));
    expect(Buffer.compare(w("full"), w("half"))).toBe(0);
    const s = (d: string) => JSON.parse(readFileSync(join(dir, d, "checkpoint.json"), "utf8"));
    const sf = s("full");
    const sh = s("half");
    expect(sh.optimizer).toEqual(sf.optimizer);
    expect(sh.rng).toEqual(sf.rng);
    expect(sh.history.map(({ seconds, ...r }: { seconds: number }) => r)).toEqual(
      sf.history.map(({ seconds, ...r }: { seconds: number }) => r),
    );
    const noEpochs = (out: string) => epochs(out).map(({ epochs, ...r }) => r);
    expect(noEpochs(half.out + rest.out)).toEqual(noEpochs(full.out));
    expect(readdirSync(dir).sort()).toEqual(["full", "half"]);
  });

  it("a missing, corrupt or mismatched checkpoint is a clear error and nothing is overwritten", async () => {
    const dir = tmp();
    const ck = join(dir, "ck");
    const base = ["--dataset", "circles", "--hidden", "8", "--quiet"];
    expect((await run([...base, "--epochs", "1", "--save", ck])).code).toBe(0);
    const weights = readFileSync(join(ck, "model.safetensors"));
    const state = readFileSync(join(ck, "checkpoint.json"));

    const missing = await run([...base, "--epochs", "2", "--resume", join(dir, "nope")]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no such directory");

    const mismatch = await run([
      "--dataset",
      "circles",
      "--hidden",
      "16",
      "--epochs",
      "2",
      "--resume",
      ck,
      "--save",
      ck,
    ]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toContain("does not match this run");
    expect(mismatch.err).toContain("--hidden 16 but the checkpoint has 8");

    const other = await run([...base, "--optimizer", "sgd", "--epochs", "2", "--resume", ck]);
    expect(other.err).toContain("--optimizer");

    const back = await run([...base, "--epochs", "1", "--resume", ck]);
    expect(back.code).toBe(0); // already complete: nothing to do

    const corrupt = Buffer.from(weights);
    corrupt[corrupt.length - 1] ^= 0xff;
    writeFileSync(join(ck, "model.safetensors"), corrupt);
    const bad = await run([...base, "--epochs", "2", "--resume", ck, "--save", ck]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("corrupt model.safetensors");
    expect(Buffer.compare(readFileSync(join(ck, "model.safetensors")), corrupt)).toBe(0);

    writeFileSync(join(ck, "model.safetensors"), weights);
    writeFileSync(join(ck, "checkpoint.json"), state.subarray(0, 100));
    const torn = await run([...base, "--epochs", "2", "--resume", ck, "--save", ck]);
    expect(torn.code).toBe(1);
    expect(torn.err).toContain("corrupt checkpoint.json");
    expect(readFileSync(join(ck, "checkpoint.json")).length).toBe(100);

    const foreign = join(dir, "docs");
    writeFileSync(join(dir, "keep.txt"), "x");
    const notCk = await run([...base, "--epochs", "1", "--save", dir]);
    expect(notCk.code).toBe(1);
    expect(notCk.err).toContain("not a checkpoint; not overwriting it");
    expect(readFileSync(join(dir, "keep.txt"), "utf8")).toBe("x");
    expect(existsSync(foreign)).toBe(false);
  });

  it("compare writes the report: a table, curves for each optimizer and decision boundaries", async () => {
    const out = tmp();
    const r = await run(["compare", "--dataset", "moons", "--epochs", "4", "--hidden", "16", "--out", out]);
    expect(r.code).toBe(0);
    // The table and the legends name each rule as the optimizer catalog does.
    const names = COMPARE_DEFAULT.map(ruleName);
    expect(names).toEqual(["SGD", "SGD + momentum", "Adagrad", "RMSprop", "Adam"]);
    for (const name of names) expect(r.out).toContain(name);
    expect(r.out).toMatch(
      /optimizer\s+lr\s+final train loss\s+test loss\s+test acc\s+seconds\s+steps to loss < 0\.1/,
    );
    expect(readdirSync(out).sort()).toEqual([
      "report.html",
      "results.json",
      "test-accuracy.png",
      "train-loss.png",
    ]);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results.runs.map((x: { history: unknown[] }) => x.history.length)).toEqual([4, 4, 4, 4, 4]);
    const html = readFileSync(join(out, "report.html"), "utf8");
    const charts = html.split('<svg xmlns="http://www.w3.org/2000/svg" class="chart"').slice(1);
    expect(charts).toHaveLength(2);
    for (const svg of charts) {
      const paths = parseSeriesPaths(svg);
      expect([...paths.keys()]).toEqual(names);
      for (const runs of paths.values()) expect(runs[0]).toHaveLength(4);
    }
    expect(html.match(/class="boundary"/g)).toHaveLength(5);
    // The train-loss curve of Adam goes down: pixel y grows downwards, so y increases.
    const adam = parseSeriesPaths(charts[0]).get("Adam")![0];
    expect(adam[3][1]).toBeGreaterThan(adam[0][1]);
  });

  it("compare: a diverging optimizer is flagged in the table, results.json and the report; the others still run; exit 1", async () => {
    const out = tmp();
    // RMSprop at lr 3 explodes within two steps on moons; SGD at lr 3 trains.
    const r = await run([
      "compare",
      "--dataset",
      "moons",
      "--epochs",
      "2",
      "--hidden",
      "8",
      "--optimizers",
      "sgd,rmsprop",
      "--lr",
      "3",
      "--out",
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/rmsprop +diverged: the loss reached [\d.e+]+ at step \d+/);
    expect(r.out).toMatch(/RMSprop +3 +diverged at step \d+ +— +—/);
    expect(r.err).toContain("rmsprop diverged (the report shows the others)");
    expect(r.err).toContain("hint: lower the learning rate");
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    const [sgd, rms] = results.runs;
    expect(sgd.diverged).toBeNull();
    expect(sgd.history).toHaveLength(2);
    expect(rms.diverged.reason).toBe("exploding loss");
    expect(rms.diverged.limit).toBe(1000 * Math.max(1, rms.diverged.initialLoss));
    expect(rms.diverged.loss).toBeGreaterThan(rms.diverged.limit);
    expect(results.rows[1].diverged.step).toBe(rms.diverged.step);
    expect(results.divergence).toContain("1000 × max(1, the first batch's loss)");
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain(`diverged at step ${rms.diverged.step}`);
    expect(html).toContain("<strong>RMSprop diverged</strong>: the loss reached");
    expect(html).toContain("RMSprop (diverged)");
  });

  it("compare --lr 50: every run is flagged as diverged, none reported as a result", async () => {
    const out = tmp();
    const r = await run([
      "compare",
      "--dataset",
      "moons",
      "--epochs",
      "2",
      "--hidden",
      "8",
      "--lr",
      "50",
      "--out",
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: every optimizer diverged:/);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    for (const run of results.runs) expect(run.diverged?.reason).toMatch(/exploding loss|non-finite/);
    expect(r.out.match(/diverged at step \d+/g)).toHaveLength(5);
  });

  it("train: an exploding or non-finite loss stops the run; --json ends with a line describing it", async () => {
    const boom = await run([
      "--dataset",
      "moons",
      "--optimizer",
      "rmsprop",
      "--lr",
      "3",
      "--epochs",
      "2",
      "--json",
    ]);
    expect(boom.code).toBe(1);
    const last = JSON.parse(boom.out.trim().split("\n").at(-1) ?? "");
    expect(last.optimizer).toBe("rmsprop");
    expect(last.diverged.reason).toBe("exploding loss");
    expect(last.diverged.loss).toBeGreaterThan(last.diverged.limit);
    expect(boom.err).toContain(
      `rmsprop: the loss reached ${last.diverged.lossText} at step ${last.diverged.step}`,
    );
    const nan = await run([
      "--dataset",
      "moons",
      "--optimizer",
      "sgd",
      "--lr",
      "1e30",
      "--epochs",
      "1",
      "--json",
    ]);
    const line = JSON.parse(nan.out.trim());
    expect([line.diverged.reason, line.diverged.loss, line.diverged.lossText]).toEqual([
      "non-finite loss",
      null,
      "NaN",
    ]);
    expect(nan.err).toContain("sgd: the loss became NaN at step 2");
  });

  it("a network too large to train, or a --resume path that is a file: one line, exit 1, before training", async () => {
    const big = await run(["--dataset", "xor", "--hidden", "100000,100000", "--epochs", "1"]);
    expect(big.code).toBe(1);
    expect(big.err).toBe(
      "error: --hidden 100000,100000: the network 2-100000-100000-2 would have 10,000,600,002 parameters (40.0 GB of weights); this demo trains at most 100,000,000\n",
    );
    const file = join(tmp(), "f");
    writeFileSync(file, "x");
    const r = await run(["--resume", file]);
    expect(r.err).toBe(`error: checkpoint ${file}: is a file, not a checkpoint directory\n`);
  });

  it("--resume alone continues with the checkpoint's settings", async () => {
    const ck = join(tmp(), "ck");
    const first = await run([
      "--dataset",
      "moons",
      "--hidden",
      "8",
      "--lr",
      "0.01",
      "--epochs",
      "1",
      "--json",
      "--quiet",
      "--save",
      ck,
    ]);
    expect(first.code).toBe(0);
    const next = await run(["--resume", ck, "--epochs", "2", "--json", "--quiet"]);
    expect(next.code).toBe(0);
    const line = JSON.parse(next.out);
    // moons: 800 samples / batch 32 = 25 steps per epoch; the lr is the checkpoint's, not adam's default.
    expect([line.epoch, line.steps, line.lr]).toEqual([2, 50, 0.01]);
  });
});

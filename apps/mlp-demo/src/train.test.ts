import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSafetensors } from "@descent/nn";
import { Adagrad, Adam, AdamW, RMSprop, SGD } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { parseArgs } from "./args.js";
import { writeDirAtomic } from "./atomic.js";
import { checkpointFiles, readCheckpoint, restoreTrainer } from "./checkpoint.js";
import { type RunConfig, resolveConfig } from "./config.js";
import { loadDataset } from "./datasets/index.js";
import { makeOptimizer } from "./optimizers.js";
import { makeScheduler } from "./schedules.js";
import { argmaxRow, countCorrect, Trainer } from "./train.js";

const cfgOf = (argv: string[]): RunConfig => resolveConfig(parseArgs(argv));

/** Bytes of every parameter, in order: equal bytes ⇔ bit-identical weights. */
function weightBytes(t: Trainer): Buffer {
  return Buffer.concat(
    t.model.parameters().map((p) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)),
  );
}

describe("optimizer and schedule factories", () => {
  it("builds each optimizer with its default or the given lr", () => {
    const p = () => [{ data: new Float32Array(2), grad: null }];
    const s = { momentum: 0.9 };
    const cases = [
      ["sgd", SGD, 0.1],
      ["momentum", SGD, 0.03],
      ["adagrad", Adagrad, 0.05],
      ["rmsprop", RMSprop, 0.001],
      ["adam", Adam, 0.001],
      ["adamw", AdamW, 0.001],
    ] as const;
    for (const [name, cls, lr] of cases) {
      const o = makeOptimizer(name, p(), s);
      expect(o).toBeInstanceOf(cls);
      expect(o.paramGroups[0].lr).toBe(lr);
    }
    const g = makeOptimizer("momentum", p(), { momentum: 0.8, lr: 0.3 }).paramGroups[0] as unknown as Record<
      string,
      unknown
    >;
    expect([g.lr, g.momentum]).toEqual([0.3, 0.8]);
    expect(
      (makeOptimizer("adamw", p(), s).paramGroups[0] as unknown as Record<string, unknown>).weightDecay,
    ).toBe(0.01);
  });

  it("schedules follow their formulas over the run", () => {
    const lrs = (schedule: "step" | "cosine" | "onecycle", total: number) => {
      const o = makeOptimizer("adam", [{ data: new Float32Array(1), grad: null }], {
        momentum: 0.9,
        lr: 0.1,
      });
      const sch = makeScheduler(schedule, o, total)!;
      const out = [o.paramGroups[0].lr];
      for (let i = 1; i < total; i++) {
        sch.step();
        out.push(o.paramGroups[0].lr);
      }
      return out;
    };
    const LR_TOL = 1e-15;
    // step: ×0.5 after each ⌈9/3⌉ = 3 steps.
    for (const [i, v] of lrs("step", 9).entries()) {
      expect(Math.abs(v - 0.1 * 0.5 ** Math.floor(i / 3))).toBeLessThan(LR_TOL);
    }
    // cosine (T_max = 10): η_t = 0.1·(1 + cos(πt/10))/2.
    const COS_TOL = 1e-12;
    for (const [t, v] of lrs("cosine", 10).entries()) {
      expect(Math.abs(v - (0.1 * (1 + Math.cos((Math.PI * t) / 10))) / 2)).toBeLessThan(COS_TOL);
    }
    // onecycle: starts at max/25, peaks at max at step 0.3·N − 1, ends at max/25/1e4.
    const oc = lrs("onecycle", 100);
    expect(Math.abs(oc[0] - 0.1 / 25)).toBeLessThan(LR_TOL);
    expect(Math.abs(oc[29] - 0.1)).toBeLessThan(LR_TOL);
    expect(Math.abs(oc[99] - 0.1 / 25 / 1e4)).toBeLessThan(COS_TOL);
    const o = makeOptimizer("sgd", [{ data: new Float32Array(1), grad: null }], { momentum: 0.9 });
    expect(makeScheduler("none", o, 10)).toBeNull();
  });
});

describe("Trainer", () => {
  it("argmax and accuracy count (first index on ties, as torch.argmax)", () => {
    expect(argmaxRow([0, 3, 3, 1], 0, 4)).toBe(1);
    expect(countCorrect([0.1, 0.9, 0.8, 0.2, 0.5, 0.5], [1, 0, 1], 2)).toBe(2);
  });

  it("every optimizer starts from the same weights; different optimizers then diverge", () => {
    const ds = loadDataset("spiral", 1);
    const cfg = cfgOf(["--dataset", "spiral", "--epochs", "1", "--hidden", "8"]);
    const trainers = (["sgd", "momentum", "adagrad", "rmsprop", "adam"] as const).map(
      (n) => new Trainer(ds, cfg, n),
    );
    const w0 = weightBytes(trainers[0]);
    for (const t of trainers) expect(Buffer.compare(weightBytes(t), w0)).toBe(0);
    // ... and the same batch order: the batch generators start in the same state.
    for (const t of trainers) expect(t.batchRng.getState()).toEqual(trainers[0].batchRng.getState());
    for (const t of trainers) t.runEpoch();
    expect(Buffer.compare(weightBytes(trainers[0]), weightBytes(trainers[4]))).not.toBe(0);
  });

  it("resume with a schedule (onecycle) is bit-identical to an uninterrupted run", () => {
    const ds = loadDataset("spiral", 2);
    const cfg = cfgOf([
      "--dataset",
      "spiral",
      "--epochs",
      "4",
      "--hidden",
      "16",
      "--schedule",
      "onecycle",
      "--clip",
      "1",
    ]);
    const full = new Trainer(ds, cfg, "adam");
    for (let e = 0; e < 4; e++) full.runEpoch();

    const first = new Trainer(ds, cfg, "adam");
    first.runEpoch();
    first.runEpoch();
    const dir = join(mkdtempSync(join(tmpdir(), "mlp-demo-train-")), "ck");
    writeDirAtomic(dir, checkpointFiles(first));
    const second = new Trainer(ds, cfg, "adam");
    restoreTrainer(second, readCheckpoint(dir));
    second.runEpoch();
    second.runEpoch();
    expect(Buffer.compare(weightBytes(second), weightBytes(full))).toBe(0);
    expect(second.lr).toBe(full.lr);
    expect(second.steps).toBe(full.steps);
    const strip = (t: Trainer) => t.history.map(({ seconds, ...r }) => r);
    expect(strip(second)).toEqual(strip(full));
  });

  it("learns real digits: a small slice of mnist", () => {
    const ds = loadDataset("mnist", 1, 1000);
    const cfg = cfgOf(["--epochs", "3", "--hidden", "32", "--limit", "1000", "--schedule", "none"]);
    const t = new Trainer(ds, cfg, "adam");
    const before = t.evaluate(ds.test);
    for (let e = 0; e < 3; e++) t.runEpoch();
    const last = t.history[2];
    expect(last.trainLoss).toBeLessThan(t.history[0].trainLoss);
    expect(last.testLoss).toBeLessThan(before.loss);
    // 1 000 training digits, 3 epochs: well above chance (10 %) on the 2 000 held-out digits.
    expect(last.testAccuracy!).toBeGreaterThan(0.75);
  });

  it("the steps-to-threshold measure is the first step whose windowed mean loss is below it", () => {
    const ds = loadDataset("xor", 1);
    const cfg = cfgOf([
      "compare",
      "--dataset",
      "xor",
      "--epochs",
      "20",
      "--hidden",
      "16",
      "--lr",
      "0.01",
      "--threshold",
      "0.3",
    ]);
    const t = new Trainer(ds, cfg, "adam");
    for (let e = 0; e < 20; e++) t.runEpoch();
    expect(t.stepsToThreshold).not.toBeNull();
    expect(t.stepsToThreshold!).toBeGreaterThan(20);
    expect(t.history.at(-1)!.trainLoss).toBeLessThan(0.3);
  });

  it("checkpoint weights are plain safetensors: a fresh model loads them and predicts the same", () => {
    const ds = loadDataset("circles", 1);
    const cfg = cfgOf(["--dataset", "circles", "--epochs", "2", "--hidden", "8,8"]);
    const t = new Trainer(ds, cfg, "rmsprop");
    t.runEpoch();
    const bytes = checkpointFiles(t)["model.safetensors"] as Uint8Array;
    const other = new Trainer(ds, cfgOf(["--dataset", "circles", "--hidden", "8,8", "--seed", "99"]), "sgd");
    expect(Buffer.compare(weightBytes(other), weightBytes(t))).not.toBe(0);
    loadSafetensors(other.model, bytes);
    expect(Buffer.compare(weightBytes(other), weightBytes(t))).toBe(0);
    const grid = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i));
    expect(other.predict(grid, 100)).toEqual(t.predict(grid, 100));
  });
});

import { describe, expect, it } from "vitest";
import { DATASETS } from "../data/datasets.js";
import { classicRules, getRule, valuesFor } from "../optimizers/rules.js";
import { BACKTRACK_ENTRY, TEST_CATALOG } from "../optimizers/test-catalog.testutil.js";
import { defaultState, trainDefaults } from "../state/lab-state.js";
import { type TrainConfig, Trainer } from "./trainer.js";

/** Hand-computed float64 loss/gradient vs the trainer's (same math, different summation order). */
const RTOL = 1e-12;

function config(over: Partial<TrainConfig> = {}): TrainConfig {
  const t = defaultState().train;
  return { ...t, points: 120, ...over };
}

/** `config` with rule `id` at the network tab's defaults, `lr` changed. */
function withRule(id: string, lr: number, over: Partial<TrainConfig> = {}): TrainConfig {
  return config({ optimizer: id, hyper: { ...trainDefaults(id), lr }, ...over });
}

function close(a: number, b: number, rtol = RTOL): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(b)));
}

/** Mean cross-entropy of the linear model z = W·x + b and its gradient, in float64, by hand. */
function linearLossAndGrad(W: Float64Array, b: Float64Array, x: Float64Array, labels: Int32Array) {
  const n = labels.length;
  let loss = 0;
  const gW = new Float64Array(4);
  const gb = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    const z = [0, 1].map((k) => W[2 * k] * x[2 * i] + W[2 * k + 1] * x[2 * i + 1] + b[k]);
    const mx = Math.max(z[0], z[1]);
    const lse = mx + Math.log(Math.exp(z[0] - mx) + Math.exp(z[1] - mx));
    loss += lse - z[labels[i]];
    for (let k = 0; k < 2; k++) {
      const d = (Math.exp(z[k] - lse) - (labels[i] === k ? 1 : 0)) / n;
      gW[2 * k] += d * x[2 * i];
      gW[2 * k + 1] += d * x[2 * i + 1];
      gb[k] += d;
    }
  }
  return { loss: loss / n, gW, gb };
}

describe("Trainer", () => {
  it("one full-batch SGD epoch of a linear model is W ← W − lr·∇L, with the loss computed by hand", () => {
    const t = new Trainer(withRule("sgd", 0.5, { hidden: [], batchSize: 1000 }));
    const [Wt, bt] = t.model.parameters();
    const W0 = Float64Array.from(Wt.data);
    const b0 = Float64Array.from(bt.data);
    const before = linearLossAndGrad(W0, b0, t.train.x, t.train.labels);
    close(t.evaluate("train").loss, before.loss);
    const report = t.trainEpoch();
    expect(report.epoch).toBe(1);
    for (let i = 0; i < 4; i++) close(Wt.data[i], W0[i] - 0.5 * before.gW[i]);
    for (let i = 0; i < 2; i++) close(bt.data[i], b0[i] - 0.5 * before.gb[i]);
    close(
      report.train.loss,
      linearLossAndGrad(Wt.data as Float64Array, bt.data as Float64Array, t.train.x, t.train.labels).loss,
    );
  });

  it("takes ⌈n / batch⌉ optimizer steps per epoch", () => {
    const t = new Trainer(config({ batchSize: 32 })); // 84 training points → 3 batches
    expect(t.train.labels.length).toBe(84);
    t.trainEpoch();
    const state = t.opt.state.get(t.model.parameters()[0]) as { step: number };
    expect(state.step).toBe(3);
  });

  it("is reproducible: the same config trains bit-identically", () => {
    const a = new Trainer(config());
    const b = new Trainer(config());
    const ra = [a.trainEpoch(), a.trainEpoch()];
    const rb = [b.trainEpoch(), b.trainEpoch()];
    expect(rb).toEqual(ra);
    expect(Array.from(b.probabilityGrid(8))).toEqual(Array.from(a.probabilityGrid(8)));
  });

  it("gives the compared optimizers the same data and the same initial weights", () => {
    const trainers = classicRules().map((id) => new Trainer(withRule(id, 0.05)));
    const first = trainers[0].model.parameters().map((p) => Array.from(p.data));
    for (const t of trainers) {
      expect(t.model.parameters().map((p) => Array.from(p.data))).toEqual(first);
      expect(Array.from(t.train.x)).toEqual(Array.from(trainers[0].train.x));
    }
  });

  it("a learning-rate change takes effect at the next step without a reset", () => {
    const a = new Trainer(withRule("sgd", 0.1, { batchSize: 1000 }));
    const b = new Trainer(withRule("sgd", 0.1, { batchSize: 1000 }));
    a.trainEpoch();
    b.trainEpoch();
    const p = b.model.parameters()[0];
    const before = Float64Array.from(p.data);
    b.setHyper({ ...b.config.hyper, lr: 0.3 });
    expect(b.lr).toBe(0.3);
    expect(b.epoch).toBe(1);
    a.trainEpoch();
    b.trainEpoch();
    // Full-batch SGD from the same point: b's step is exactly 3× a's (same gradient, lr 0.3 vs 0.1).
    const pa = a.model.parameters()[0].data;
    for (let i = 0; i < p.size; i++) close(p.data[i] - before[i], 3 * (pa[i] - before[i]), 1e-9);
  });

  it("trains with every rule of the catalog, made-up ones included, each hyperparameter reaching it", () => {
    for (const entry of TEST_CATALOG) {
      const hyper = valuesFor(entry, { lr: entry.hyperparameters[0].default });
      const t = new Trainer(config({ optimizer: entry.id, hyper, hidden: [4] }), TEST_CATALOG);
      expect(t.entry).toBe(entry);
      const before = t.evaluate("train").loss;
      const report = t.trainEpoch();
      expect(Number.isFinite(report.train.loss), entry.id).toBe(true);
      expect(report.train.loss, entry.id).not.toBe(before);
    }
  });

  it("gives a rule that needs a closure one that re-evaluates the batch", () => {
    const hyper = { lr: 1, maxHalvings: 20 };
    const t = new Trainer(config({ optimizer: BACKTRACK_ENTRY.id, hyper, batchSize: 1000 }), TEST_CATALOG);
    const before = t.evaluate("train").loss;
    // Full batch: each step keeps only a point with a lower training loss.
    for (let e = 0; e < 5; e++) expect(t.trainEpoch().train.loss).toBeLessThan(before);
    const state = t.opt.state.get(t.model.parameters()[0]) as { step: number; lastStepSize: number };
    expect(state.step).toBe(5);
    expect(state.lastStepSize).toBeGreaterThan(0);
  });

  it("changes numeric hyperparameters in place but not on/off options (those need a new trainer)", () => {
    const adam = getRule(TEST_CATALOG, "adam");
    const t = new Trainer(config({ optimizer: "adam", hyper: valuesFor(adam) }));
    t.setHyper({ ...valuesFor(adam), beta2: 0.9, amsgrad: true });
    expect(t.opt.paramGroups[0]["betas"]).toEqual([0.9, 0.9]);
    expect(t.opt.paramGroups[0]["amsgrad"]).toBe(false);
  });

  it("names an unknown rule", () => {
    expect(() => new Trainer(config({ optimizer: "adamm" }))).toThrow(
      'unknown rule "adamm" (did you mean adam?)',
    );
  });

  for (const dataset of DATASETS) {
    // The spiral needs more epochs than the others.
    const epochs = dataset === "spiral" ? 150 : 40;
    it(`learns ${dataset} with the page's defaults: train and test loss fall within ${epochs} epochs`, () => {
      const t = new Trainer(config({ dataset, points: 300 }));
      const start = { train: t.evaluate("train"), test: t.evaluate("test") };
      let last = t.trainEpoch();
      for (let e = 1; e < epochs; e++) last = t.trainEpoch();
      expect(last.train.loss).toBeLessThan(0.8 * start.train.loss);
      expect(last.test.loss).toBeLessThan(start.test.loss);
      expect(last.train.accuracy).toBeGreaterThan(0.7);
    });
  }

  it("grid probabilities lie in (0, 1) and follow the row-major top-down layout", () => {
    const t = new Trainer(config({ dataset: "xor" }));
    for (let e = 0; e < 60; e++) t.trainEpoch();
    const g = t.probabilityGrid(4);
    for (const v of g) expect(v > 0 && v < 1).toBe(true);
    // xor: class 1 where x·y < 0, i.e. top-left (row 0, col 0) and bottom-right (row 3, col 3).
    expect(g[0]).toBeGreaterThan(0.5);
    expect(g[15]).toBeGreaterThan(0.5);
    expect(g[3]).toBeLessThan(0.5);
    expect(g[12]).toBeLessThan(0.5);
  });
});

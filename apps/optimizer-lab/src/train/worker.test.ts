import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classicRules } from "../optimizers/rules.js";
import { compareDefaults, defaultState, trainDefaults } from "../state/lab-state.js";
import { type FromWorker, GRID_RES, type ToWorker } from "./protocol.js";
import type { TrainConfig } from "./trainer.js";

/**
 * The worker script run in this thread: `self` is a stand-in that records what the worker posts,
 * and `send` delivers a message as the browser would.
 */
const posted: FromWorker[] = [];
let send: (m: ToWorker) => void;

beforeAll(async () => {
  const scope: { postMessage(m: FromWorker): void; onmessage: ((e: { data: ToWorker }) => void) | null } = {
    postMessage: (m) => void posted.push(m),
    onmessage: null,
  };
  (globalThis as { self?: unknown }).self = scope;
  await import("./worker.js");
  send = (m) => scope.onmessage?.({ data: m });
});

afterAll(() => {
  send({ type: "pause" });
  send({ type: "stop" });
  delete (globalThis as { self?: unknown }).self;
});

const until = async (cond: () => boolean, ms = 20000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting for the worker");
    await new Promise((r) => setTimeout(r, 5));
  }
};

const epochs = () => posted.filter((m): m is Extract<FromWorker, { type: "epoch" }> => m.type === "epoch");

describe("training worker", () => {
  const config: TrainConfig = {
    ...defaultState().train,
    points: 100,
    hidden: [8],
    optimizer: "sgd",
    hyper: { ...trainDefaults("sgd"), lr: 0.1 },
  };

  it("reset reports epoch 0 with the initial losses and the full boundary grid, and stays paused", async () => {
    posted.length = 0;
    send({ type: "reset", config });
    const first = epochs()[0];
    expect(first.report.epoch).toBe(0);
    expect(first.lr).toBe(0.1);
    expect(first.grid).toHaveLength(GRID_RES * GRID_RES);
    await new Promise((r) => setTimeout(r, 50));
    expect(epochs()).toHaveLength(1);
  });

  it("play trains epoch after epoch; a new lr applies from the next epoch without a reset; pause stops", async () => {
    send({ type: "play" });
    await until(() => epochs().some((m) => m.report.epoch >= 3));
    send({ type: "hyper", hyper: { ...config.hyper, lr: 0.25 } });
    const at = epochs().at(-1)!.report.epoch;
    await until(() => epochs().some((m) => m.report.epoch > at + 2));
    send({ type: "pause" });
    const reports = epochs().map((m) => m.report.epoch);
    // Epoch numbers only grow: nothing restarted at 0.
    for (let i = 2; i < reports.length; i++) expect(reports[i]).toBeGreaterThanOrEqual(reports[i - 1]);
    expect(epochs().at(-1)!.lr).toBe(0.25);
    expect(
      epochs()
        .filter((m) => m.report.epoch <= at)
        .every((m) => m.lr === 0.1),
    ).toBe(true);
    const n = epochs().length;
    await new Promise((r) => setTimeout(r, 80));
    expect(epochs().length).toBe(n);
  });

  it("compare trains every chosen rule for the requested epochs, then says done", async () => {
    posted.length = 0;
    const hyper = compareDefaults();
    const ids = [...classicRules(), "adamw"];
    send({ type: "compare", config, rules: ids.map((id) => ({ id, hyper: hyper[id] })), epochs: 4 });
    await until(() => posted.some((m) => m.type === "compare-done"));
    const rounds = posted.filter(
      (m): m is Extract<FromWorker, { type: "compare-epoch" }> => m.type === "compare-epoch",
    );
    expect(rounds).toHaveLength(4);
    for (const id of ids) expect(rounds.map((r) => r.reports[id].epoch)).toEqual([1, 2, 3, 4]);
  });

  it("compare reports a rule that cannot be built or that fails, and trains the others", async () => {
    posted.length = 0;
    const hyper = compareDefaults();
    send({
      type: "compare",
      config,
      rules: [
        { id: "sgd", hyper: { ...hyper["sgd"], lr: 1e308 } },
        { id: "momentum", hyper: { ...hyper["momentum"], nesterov: true, dampening: 0.5 } },
        { id: "no-such-rule", hyper: {} },
        { id: "adagrad", hyper: hyper["adagrad"] },
      ],
      epochs: 3,
    });
    await until(() => posted.some((m) => m.type === "compare-done"));
    const failed = posted.filter((m) => m.type === "compare-failed");
    expect(failed).toEqual([
      {
        type: "compare-failed",
        id: "momentum",
        message: expect.stringMatching(/Nesterov momentum requires/),
      },
      { type: "compare-failed", id: "no-such-rule", message: 'unknown rule "no-such-rule"' },
      // lr = 1e308 overflows the weights: the next gradient is NaN, which SGD refuses.
      {
        type: "compare-failed",
        id: "sgd",
        message: expect.stringMatching(/^SGD\.step: non-finite gradient/),
      },
    ]);
    const rounds = posted.filter(
      (m): m is Extract<FromWorker, { type: "compare-epoch" }> => m.type === "compare-epoch",
    );
    expect(rounds.map((r) => Object.keys(r.reports))).toEqual([["adagrad"], ["adagrad"], ["adagrad"]]);
  });

  it("reports a bad config as an error message instead of dying", () => {
    posted.length = 0;
    send({ type: "reset", config: { ...config, points: 1 } });
    expect(posted).toEqual([
      { type: "error", message: expect.stringMatching(/count must be an integer ≥ 2/) },
    ]);
  });
});

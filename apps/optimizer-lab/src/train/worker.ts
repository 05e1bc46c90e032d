/**
 * The training worker: runs a {@link Trainer} (network tab) or one per compared rule (compare tab)
 * off the main thread, in slices of about 30 ms so that messages (pause, a new learning rate) are
 * handled between slices. Reports every epoch; the decision-boundary grid at most every 100 ms.
 * Rules are looked up in the package's catalog by id.
 */
import { type CompareRule, type FromWorker, GRID_RES, type ToWorker } from "./protocol.js";
import { type EpochReport, type NetConfig, Trainer } from "./trainer.js";

/** The worker global, typed by what this file uses (the DOM lib is loaded, not the WebWorker one). */
const scope = self as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};

const SLICE_MS = 30;
const GRID_EVERY_MS = 100;
/** The network tab stops by itself after this many epochs. */
const MAX_EPOCHS = 20000;

let trainer: Trainer | null = null;
let playing = false;
let lastGrid = 0;
/** The comparison under way: a trainer per rule still training, and the epochs wanted. */
let compare: { trainers: Map<string, Trainer>; epochs: number; epoch: number } | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

function post(m: FromWorker): void {
  if (m.type === "epoch" && m.grid) scope.postMessage(m, [m.grid.buffer]);
  else scope.postMessage(m);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function fail(e: unknown): void {
  playing = false;
  compare = null;
  post({ type: "error", message: messageOf(e) });
}

/** A trainer per rule, all from the same network config; a rule that cannot be built is reported. */
function compareTrainers(config: NetConfig, rules: readonly CompareRule[]): Map<string, Trainer> {
  const trainers = new Map<string, Trainer>();
  for (const r of rules) {
    try {
      trainers.set(r.id, new Trainer({ ...config, optimizer: r.id, hyper: r.hyper }));
    } catch (e) {
      post({ type: "compare-failed", id: r.id, message: messageOf(e) });
    }
  }
  return trainers;
}

function schedule(): void {
  if (timer === null && (playing || compare !== null)) timer = setTimeout(tick, 0);
}

function tick(): void {
  timer = null;
  try {
    const until = performance.now() + SLICE_MS;
    if (playing && trainer !== null) {
      while (playing && performance.now() < until && trainer.epoch < MAX_EPOCHS) {
        const report = trainer.trainEpoch();
        const now = performance.now();
        const grid = now - lastGrid >= GRID_EVERY_MS ? trainer.probabilityGrid(GRID_RES) : null;
        if (grid) lastGrid = now;
        post({ type: "epoch", report, lr: trainer.lr, grid });
      }
      if (trainer.epoch >= MAX_EPOCHS) playing = false;
      if (!playing)
        post({
          type: "epoch",
          report: latest(trainer),
          lr: trainer.lr,
          grid: trainer.probabilityGrid(GRID_RES),
        });
    }
    if (compare !== null) {
      const c = compare;
      while (performance.now() < until && c.epoch < c.epochs && c.trainers.size > 0) {
        const reports: Record<string, EpochReport> = {};
        for (const [id, t] of c.trainers) {
          try {
            reports[id] = t.trainEpoch();
          } catch (e) {
            c.trainers.delete(id);
            post({ type: "compare-failed", id, message: messageOf(e) });
          }
        }
        c.epoch += 1;
        post({ type: "compare-epoch", reports });
      }
      if (c.epoch >= c.epochs || c.trainers.size === 0) {
        compare = null;
        post({ type: "compare-done" });
      }
    }
  } catch (e) {
    fail(e);
  }
  schedule();
}

function latest(t: Trainer): EpochReport {
  return { epoch: t.epoch, train: t.evaluate("train"), test: t.evaluate("test") };
}

scope.onmessage = (e) => {
  const m = e.data;
  try {
    switch (m.type) {
      case "reset":
        trainer = new Trainer(m.config);
        playing = false;
        post({
          type: "epoch",
          report: latest(trainer),
          lr: trainer.lr,
          grid: trainer.probabilityGrid(GRID_RES),
        });
        break;
      case "play":
        playing = trainer !== null;
        break;
      case "pause":
        playing = false;
        break;
      case "hyper":
        trainer?.setHyper(m.hyper);
        break;
      case "compare":
        compare = { trainers: compareTrainers(m.config, m.rules), epochs: m.epochs, epoch: 0 };
        break;
      case "stop":
        compare = null;
        break;
    }
  } catch (err) {
    fail(err);
  }
  schedule();
};

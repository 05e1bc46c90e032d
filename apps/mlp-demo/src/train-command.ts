import type { CliArgs } from "./args.js";
import {
  checkSaveTarget,
  readCheckpoint,
  restoreTrainer,
  resumeConfig,
  saveCheckpoint,
} from "./checkpoint.js";
import type { RunConfig } from "./config.js";
import { loadDataset } from "./datasets/index.js";
import { DivergenceError } from "./divergence.js";
import { formatLoss, plural } from "./format.js";
import { type Io, messageChannels, Progress, type ProgressState } from "./progress.js";
import { divergenceLine, jsonLine, textLine } from "./record.js";
import { ruleColor } from "./report/palette.js";
import { terminalChart } from "./report/terminal-chart.js";
import { checkRunValues, checkSettingsApply } from "./rule-values.js";
import { describeData, describeOptimizer, describeRun } from "./summary.js";
import { type BatchProgress, Trainer } from "./train.js";

/**
 * `train`: one network, one optimizer. Prints a header, a live progress bar (TTY), one line per
 * epoch (text, or JSON with `--json`), then the test accuracy and a small loss chart. With
 * `--resume` the run continues from a checkpoint; with `--save` a checkpoint is written after
 * every epoch. Returns the trainer (tests inspect it).
 */
export async function runTrain(cfg0: RunConfig, args: CliArgs, io: Io): Promise<Trainer> {
  // Read and check everything that can fail before writing anything.
  const ck = cfg0.resume ? readCheckpoint(cfg0.resume) : null;
  const cfg = ck ? resumeConfig(cfg0, args, ck) : cfg0;
  checkRunValues([cfg.optimizer], cfg);
  if (cfg.save) checkSaveTarget(cfg.save);
  const ds = loadDataset(cfg.dataset, cfg.seed, cfg.limit);
  const t = new Trainer(ds, cfg, cfg.optimizer, () => io.now());
  const partners = t.parts.slice(1).map((p) => p.id);
  checkSettingsApply([cfg.optimizer], partners, cfg, `--optimizer ${cfg.optimizer}`);
  if (ck) restoreTrainer(t, ck);

  const text = !cfg.json && !cfg.quiet;
  const { info, result } = messageChannels(io, cfg);
  info(`${describeData(ds)}\n${describeRun(ds, cfg)}\n${describeOptimizer(t.parts)}\n`);
  if (ck?.restoredFrom) info(`restored ${ck.dir} from ${ck.restoredFrom}, left by an interrupted save\n`);
  if (ck) info(`resumed from ${ck.dir} at epoch ${t.epoch} (step ${t.steps})\n`);

  // Text mode prints its own line per epoch (with speed and ETA); --json gets one on stderr.
  const progress = new Progress(io, { enabled: !cfg.quiet, epochLines: cfg.json });
  progress.begin(t.epoch * ds.train.n);
  const totalSteps = cfg.epochs * t.stepsPerEpoch;
  const state = (p: BatchProgress): ProgressState => ({
    epoch: p.epoch,
    epochs: cfg.epochs,
    seen: p.seen,
    samplesPerEpoch: ds.train.n,
    step: t.steps,
    totalSteps,
    loss: p.loss,
    accuracy: p.accuracy,
  });
  const t0 = io.now();
  while (t.epoch < cfg.epochs) {
    let rec: ReturnType<Trainer["runEpoch"]>;
    let last: BatchProgress | undefined;
    try {
      rec = t.runEpoch((p) => {
        last = p;
        progress.update(state(p));
      });
    } catch (e) {
      if (e instanceof DivergenceError && cfg.json) io.out(divergenceLine(e.divergence, cfg.epochs));
      throw e;
    } finally {
      progress.clear();
    }
    if (last) progress.endEpoch(state(last));
    if (cfg.json) io.out(jsonLine(rec));
    else if (!cfg.quiet) io.out(textLine(rec, totalSteps, last && progress.timing(state(last))));
    if (cfg.save) saveCheckpoint(t, cfg.save);
    // Let the event loop breathe between epochs (signals, stdout draining).
    await new Promise<void>((r) => setImmediate(r));
  }
  const seconds = (io.now() - t0) / 1000;
  const last = t.history.at(-1);
  if (!last) {
    info(`nothing to train: the checkpoint has completed all ${plural(cfg.epochs, "epoch")}\n`);
    return t;
  }
  const outcome =
    last.testAccuracy === null
      ? `test loss (MSE) ${formatLoss(last.testLoss)}`
      : `test accuracy ${(100 * last.testAccuracy).toFixed(2)}% (${Math.round(last.testAccuracy * ds.test.n)}/${ds.test.n})`;
  const line = `${outcome} after ${plural(t.epoch, "epoch")}, ${plural(t.steps, "step")}, ${seconds.toFixed(1)}s${cfg.save ? `; checkpoint in ${cfg.save}` : ""}\n`;
  result(line);
  if (text && t.history.length > 1) {
    io.out(
      `\n${terminalChart(
        {
          title: "train loss per epoch",
          xLabel: "epoch",
          yLabel: "loss",
          logY: true,
          series: [
            {
              label: cfg.optimizer,
              color: ruleColor(cfg.optimizer).color,
              points: t.history.map((r) => [r.epoch, r.trainLoss]),
            },
          ],
        },
        Math.min(60, Math.max(20, io.columns - 12)),
        8,
        io.isTTY,
      )}`,
    );
  }
  return t;
}

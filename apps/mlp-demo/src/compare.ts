import type { OptimizerName } from "./args.js";
import type { RunConfig } from "./config.js";
import { type Dataset, isPlanar, loadDataset } from "./datasets/index.js";
import {
  type Divergence,
  DivergenceError,
  describeDivergence,
  divergenceJson,
  EXPLODE_FACTOR,
} from "./divergence.js";
import { RunError } from "./errors.js";
import { formatLoss } from "./format.js";
import { fsFailure } from "./fs-errors.js";
import { describeParams, partsLabel } from "./optimizers.js";
import { checkWritableDir } from "./preflight.js";
import { type Io, messageChannels, Progress, type ProgressState } from "./progress.js";
import { divergenceLine, type EpochRecord, jsonLine } from "./record.js";
import type { ChartSpec } from "./report/chart.js";
import type { ResultRow, RuleInfo } from "./report/html.js";
import { ruleColor } from "./report/palette.js";
import type { BoundarySpec } from "./report/svg.js";
import { terminalChart } from "./report/terminal-chart.js";
import { writeReport } from "./report/write.js";
import { checkRunValues, checkSettingsApply, describeValues } from "./rule-values.js";
import { describeData, describeOptimizer, describeRun } from "./summary.js";
import { textTable } from "./table.js";
import { type BatchProgress, fullBatchHint, Trainer } from "./train.js";

/** Cells per side of the decision-boundary grid. */
export const BOUNDARY_GRID = 80;

/** One optimizer's run in a comparison. */
export interface CompareRun {
  readonly name: OptimizerName;
  readonly trainer: Trainer;
  readonly seconds: number;
  /** Where and how the run diverged (see `divergence.ts`), else null. */
  readonly diverged: Divergence | null;
}

/** The result of `compare`: every run, the table rows and the report files written. */
export interface CompareResult {
  readonly runs: CompareRun[];
  readonly rows: ResultRow[];
  readonly files: string[];
}

/** A run's name in tables and legends: the rule's name, or the pair's (`Muon (2-D weights) + AdamW (biases)`). */
const label = (run: { readonly trainer: Trainer }) => partsLabel(run.trainer.parts);

/**
 * `compare`: trains the same network (same seed ⇒ the same initial weights) with each optimizer,
 * over the same batch order, prints a table (final train loss, test loss and accuracy, time, steps
 * to reach the loss threshold), a terminal chart of the losses, and writes `report.html`, the PNG
 * charts and `results.json` (the table and every epoch record).
 *
 * The output directory is checked before any training. A run that diverges (see `divergence.ts`)
 * stops and is flagged in the table, the chart legends, the report and `results.json`; the
 * others still run, and the command then fails with exit code 1.
 */
export async function runCompare(cfg: RunConfig, io: Io): Promise<CompareResult> {
  checkRunValues(cfg.optimizers, cfg);
  checkWritableDir(cfg.out, "write report to", cfg.out);
  const ds = loadDataset(cfg.dataset, cfg.seed, cfg.limit);
  const text = !cfg.json && !cfg.quiet;
  const { info, result } = messageChannels(io, cfg);
  // Every run is built before any trains: the same initial weights, and every setting checked.
  const trainers = cfg.optimizers.map((name) => new Trainer(ds, cfg, name, () => io.now()));
  const partners = [...new Set(trainers.flatMap((t) => t.parts.slice(1).map((p) => p.id)))];
  checkSettingsApply(cfg.optimizers, partners, cfg, `--optimizers ${cfg.optimizers.join(",")}`);
  const pad = Math.max(9, ...cfg.optimizers.map((n) => n.length + 1));
  info(
    `${describeData(ds)}\n${describeRun(ds, cfg)}\ncomparing ${trainers.length} optimizers:\n` +
      trainers.map((t) => `  ${t.optimizerName.padEnd(pad)}${describeOptimizer(t.parts)}\n`).join("") +
      "\n",
  );
  const runs: CompareRun[] = [];
  for (const t of trainers) {
    const name = t.optimizerName;
    const progress = new Progress(io, { enabled: !cfg.quiet, epochLines: true });
    progress.begin();
    const totalSteps = cfg.epochs * t.stepsPerEpoch;
    const state = (p: BatchProgress): ProgressState => ({
      label: name,
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
    let diverged: Divergence | null = null;
    try {
      while (t.epoch < cfg.epochs) {
        let last: BatchProgress | undefined;
        let rec: EpochRecord;
        try {
          rec = t.runEpoch((p) => {
            last = p;
            progress.update(state(p));
          });
        } finally {
          progress.clear();
        }
        if (last) progress.endEpoch(state(last));
        if (cfg.json) io.out(jsonLine(rec));
        await new Promise<void>((r) => setImmediate(r));
      }
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      diverged = e.divergence;
      if (cfg.json) io.out(divergenceLine(e.divergence, cfg.epochs));
    }
    const seconds = (io.now() - t0) / 1000;
    runs.push({ name, trainer: t, seconds, diverged });
    const last = t.history.at(-1);
    if (diverged) info(`${name.padEnd(pad)}diverged: ${describeDivergence(diverged)}\n`);
    else if (last) {
      const acc =
        last.testAccuracy === null ? "" : `, test accuracy ${(100 * last.testAccuracy).toFixed(2)}%`;
      info(
        `${name.padEnd(pad)}done in ${seconds.toFixed(1)}s: test loss ${formatLoss(last.testLoss)}${acc}\n`,
      );
    }
  }

  const rows: ResultRow[] = runs.map((run) => {
    const { trainer, seconds, diverged } = run;
    const last = trainer.history.at(-1);
    return {
      optimizer: label(run),
      lr: trainer.baseLr,
      finalTrainLoss: diverged ? Number.NaN : (last?.trainLoss ?? Number.NaN),
      testLoss: diverged ? Number.NaN : (last?.testLoss ?? Number.NaN),
      testAccuracy: diverged ? null : (last?.testAccuracy ?? null),
      seconds,
      stepsToThreshold: trainer.stepsToThreshold,
      diverged: diverged ? { step: diverged.step, message: describeDivergence(diverged) } : null,
    };
  });
  const classify = ds.task === "classification";
  const table = textTable(
    [
      "optimizer",
      "lr",
      "final train loss",
      "test loss",
      ...(classify ? ["test acc"] : []),
      "seconds",
      `steps to loss < ${cfg.threshold}`,
    ],
    rows.map((r) => [
      r.optimizer,
      String(r.lr),
      r.diverged ? `diverged at step ${r.diverged.step}` : formatLoss(r.finalTrainLoss),
      r.diverged ? "—" : formatLoss(r.testLoss),
      ...(classify ? [r.testAccuracy === null ? "—" : `${(100 * r.testAccuracy).toFixed(2)}%`] : []),
      r.seconds.toFixed(1),
      r.stepsToThreshold === null ? "never" : String(r.stepsToThreshold),
    ]),
  );
  result(`\n${table}`);

  const charts = curves(runs, classify);
  if (text)
    io.out(`\n${terminalChart(charts[0], Math.min(60, Math.max(20, io.columns - 12)), 10, io.isTTY)}`);
  const boundaries = isPlanar(ds) ? runs.filter((r) => !r.diverged).map((r) => boundary(ds, r)) : [];
  const results = `${JSON.stringify(
    {
      dataset: ds.name,
      threshold: cfg.threshold,
      divergence: DIVERGENCE_RULE,
      rows,
      runs: runs.map((r) => ({
        optimizer: r.name,
        rules: r.trainer.parts.map((p) => ({
          id: p.id,
          name: p.entry.name,
          parameters: r.trainer.parts.length > 1 ? describeParams(p.params) : "all",
          hyperparameters: p.values,
        })),
        diverged: r.diverged ? divergenceJson(r.diverged) : null,
        history: r.trainer.history,
      })),
    },
    (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
    1,
  )}\n`;
  let files: string[];
  try {
    files = writeReport(
      cfg.out,
      {
        title: `Descent: ${runs.length} optimizers on ${ds.name}`,
        settings: [
          describeData(ds),
          describeRun(ds, cfg),
          `same initial weights and batch order for every optimizer; threshold ${cfg.threshold}`,
          DIVERGENCE_RULE,
        ],
        threshold: cfg.threshold,
        rows,
        rules: runs.map(ruleInfo),
        charts,
        boundaries,
      },
      { "results.json": results },
    );
  } catch (e) {
    throw fsFailure("write report to", cfg.out, e);
  }
  const where = `report: ${files.at(-1)}\nalso: ${files.slice(0, -1).join(", ")}\n`;
  result(cfg.json ? where : `\n${where}`);
  const failed = runs.filter((r) => r.diverged);
  if (failed.length) {
    const all = failed.length === runs.length;
    throw new RunError(
      `${all ? "every optimizer" : failed.map((r) => r.name).join(", ")} diverged${all ? "" : " (the report shows the others)"}:\n` +
        `${failed.map((r) => `${r.name}: ${r.diverged ? describeDivergence(r.diverged) : ""}`).join("\n")}\n` +
        `hint: lower the learning rate (--lr), or clip gradients (--clip 1)${fullBatchHint(failed.filter((r) => r.trainer.needsClosure).map(label))}`,
    );
  }
  return { runs, rows, files };
}

/** What the report says about a run's rules: its colour, settings, summary, update rule and source. */
function ruleInfo(run: CompareRun): RuleInfo {
  const [main, ...partners] = run.trainer.parts;
  const { entry } = main;
  return {
    label: label(run),
    ...ruleColor(run.name),
    id: run.name,
    settings: run.trainer.parts
      .map(
        (p) =>
          `${partners.length ? `${p.entry.name} (${describeParams(p.params)}): ` : ""}${describeValues(p.id, p.values)}`,
      )
      .join("; "),
    summary: entry.summary,
    update: entry.update,
    reference: `${entry.reference.authors} (${entry.reference.year}), ${entry.reference.title}. ${entry.reference.url}`,
    notes: partners.map(
      (p) => `${p.entry.name} optimizes the ${describeParams(p.params)}, which ${entry.name} does not take.`,
    ),
  };
}

/** The divergence criterion in words, for the report and `results.json`. */
export const DIVERGENCE_RULE = `a run counts as diverged when a batch loss or the test loss is NaN or infinite, a gradient is, or a batch loss exceeds ${EXPLODE_FACTOR} × max(1, the first batch's loss)`;

/** Train loss and test accuracy (or test loss, for regression) per epoch, one series per optimizer. */
function curves(runs: readonly CompareRun[], classify: boolean): ChartSpec[] {
  const series = (pick: (r: Trainer["history"][number]) => number) =>
    runs.map((r) => ({
      label: r.diverged ? `${label(r)} (diverged)` : label(r),
      ...ruleColor(r.name),
      points: r.trainer.history.map((h) => [h.epoch, pick(h)] as [number, number]),
    }));
  const charts: ChartSpec[] = [
    { title: "Train loss", xLabel: "epoch", yLabel: "loss", logY: true, series: series((h) => h.trainLoss) },
  ];
  if (classify) {
    charts.push({
      title: "Test accuracy",
      xLabel: "epoch",
      yLabel: "accuracy",
      series: series((h) => h.testAccuracy ?? Number.NaN),
    });
  } else {
    charts.push({
      title: "Test loss",
      xLabel: "epoch",
      yLabel: "MSE",
      logY: true,
      series: series((h) => h.testLoss),
    });
  }
  return charts;
}

/** The trained model's class over a grid covering the test points (10 % margin). */
function boundary(ds: Dataset, run: CompareRun): BoundarySpec {
  const { x } = ds.test;
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < ds.test.n; i++) {
    x0 = Math.min(x0, x[2 * i]);
    x1 = Math.max(x1, x[2 * i]);
    y0 = Math.min(y0, x[2 * i + 1]);
    y1 = Math.max(y1, x[2 * i + 1]);
  }
  const mx = 0.1 * (x1 - x0);
  const my = 0.1 * (y1 - y0);
  [x0, x1, y0, y1] = [x0 - mx, x1 + mx, y0 - my, y1 + my];
  const n = BOUNDARY_GRID;
  const grid = new Float32Array(n * n * 2);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      grid[(r * n + c) * 2] = x0 + ((c + 0.5) / n) * (x1 - x0);
      grid[(r * n + c) * 2 + 1] = y1 - ((r + 0.5) / n) * (y1 - y0); // row 0 at the top
    }
  }
  const classes = run.trainer.predict(grid, n * n);
  const points: [number, number, number][] = [];
  for (let i = 0; i < ds.test.n; i++) points.push([x[2 * i], x[2 * i + 1], ds.test.y[i]]);
  const last = run.trainer.history.at(-1);
  const acc = last?.testAccuracy == null ? "" : ` (${(100 * last.testAccuracy).toFixed(1)}%)`;
  return {
    title: `${run.trainer.parts.map((p) => p.entry.name).join(" + ")}${acc}`,
    x0,
    x1,
    y0,
    y1,
    nx: n,
    ny: n,
    classes,
    points,
  };
}

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensors, saveSafetensors } from "@descent/nn";
import type { OptimizerStateDict, SchedulerState } from "@descent/optim";
import type { CliArgs } from "./args.js";
import { writeDirAtomic } from "./atomic.js";
import { DATASET_DEFAULTS, type RunConfig } from "./config.js";
import { RunError } from "./errors.js";
import { learningRate } from "./optimizers.js";
import type { EpochRecord } from "./record.js";
import type { Trainer } from "./train.js";

/** File names inside a checkpoint directory. */
export const WEIGHTS_FILE = "model.safetensors";
export const STATE_FILE = "checkpoint.json";
export const CHECKPOINT_FORMAT = "descent-mlp-demo-checkpoint";
export const CHECKPOINT_VERSION = 1;

/** The settings a checkpoint fixes: resuming with a different value would not be the same run. */
export const FIXED_SETTINGS = [
  "dataset",
  "optimizer",
  "lr",
  "momentum",
  "weightDecay",
  "batchSize",
  "hidden",
  "activation",
  "schedule",
  "clip",
  "seed",
  "limit",
] as const;
type Fixed = (typeof FIXED_SETTINGS)[number];

/** The CLI flag of each fixed setting, for error messages. */
const FLAG: Record<Fixed | "epochs", string> = {
  dataset: "--dataset",
  optimizer: "--optimizer",
  lr: "--lr",
  momentum: "--momentum",
  weightDecay: "--weight-decay",
  batchSize: "--batch-size",
  hidden: "--hidden",
  activation: "--activation",
  schedule: "--schedule",
  clip: "--clip",
  seed: "--seed",
  limit: "--limit",
  epochs: "--epochs",
};

/** `checkpoint.json`: everything but the weights. */
export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  /** The run's settings (the fixed ones plus `epochs`); `lr` resolved to the optimizer's default if unset. */
  config: Record<Fixed | "epochs", unknown>;
  /** Completed epochs and optimizer steps. */
  epoch: number;
  steps: number;
  stepsToThreshold: number | null;
  lossWindow: number[];
  optimizer: OptimizerStateDict;
  scheduler: SchedulerState | null;
  /** The batch-order generator's state (the only randomness used after initialisation). */
  rng: { batches: number[] };
  history: EpochRecord[];
  /** SHA-256 of `model.safetensors`, hex: a torn or edited weights file is detected. */
  weightsSha256: string;
}

/** The settings of a run as stored in a checkpoint. */
export function checkpointConfig(cfg: RunConfig): CheckpointState["config"] {
  return {
    dataset: cfg.dataset,
    optimizer: cfg.optimizer,
    lr: learningRate(cfg.optimizer, cfg),
    momentum: cfg.momentum,
    weightDecay: cfg.weightDecay ?? null,
    batchSize: cfg.batchSize,
    hidden: [...cfg.hidden],
    activation: cfg.activation,
    schedule: cfg.schedule,
    clip: cfg.clip ?? null,
    seed: cfg.seed,
    limit: cfg.limit ?? null,
    epochs: cfg.epochs,
  };
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The checkpoint files of a trainer's current state. */
export function checkpointFiles(t: Trainer): Record<string, Uint8Array | string> {
  const weights = saveSafetensors(t.model);
  const state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: checkpointConfig(t.cfg),
    epoch: t.epoch,
    steps: t.steps,
    stepsToThreshold: t.stepsToThreshold,
    lossWindow: [...t.lossWindow],
    optimizer: t.optimizer.stateDict(),
    scheduler: t.scheduler ? t.scheduler.stateDict() : null,
    rng: { batches: t.batchRng.getState() },
    history: [...t.history],
    weightsSha256: sha256(weights),
  };
  return { [WEIGHTS_FILE]: weights, [STATE_FILE]: `${JSON.stringify(state)}\n` };
}

/** Writes the trainer's state to `dir` as a whole (temporary directory, then rename). */
export function saveCheckpoint(t: Trainer, dir: string): void {
  writeDirAtomic(dir, checkpointFiles(t));
}

/**
 * Refuses a `--save` target that exists but is not a checkpoint directory (a file, or a directory
 * with other files), so saving never destroys unrelated data.
 */
export function checkSaveTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory())
    throw new RunError(`--save ${dir}: exists and is not a directory; not overwriting it`);
  const entries = readdirSync(dir);
  const foreign = entries.filter((e) => e !== WEIGHTS_FILE && e !== STATE_FILE);
  if (entries.length > 0 && (foreign.length > 0 || !entries.includes(STATE_FILE))) {
    throw new RunError(
      `--save ${dir}: the directory holds other files (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", ..." : ""}), not a checkpoint; not overwriting it`,
    );
  }
}

/** A checkpoint read from disk and checked: its state and its decoded weights. */
export interface LoadedCheckpoint {
  readonly dir: string;
  readonly state: CheckpointState;
  readonly weights: Record<string, { shape: number[]; data: ArrayLike<number> }>;
}

/**
 * Reads and validates a checkpoint directory: both files present, the JSON well-formed with the
 * expected format and version, the weights matching their checksum and decoding as safetensors.
 *
 * @throws RunError naming what is missing or corrupt.
 */
export function readCheckpoint(dir: string): LoadedCheckpoint {
  const where = `checkpoint ${dir}`;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RunError(`${where}: no such directory`);
  for (const f of [STATE_FILE, WEIGHTS_FILE]) {
    if (!existsSync(join(dir, f)))
      throw new RunError(`${where}: missing ${f} (not a checkpoint, or an incomplete copy)`);
  }
  let state: CheckpointState;
  try {
    state = JSON.parse(readFileSync(join(dir, STATE_FILE), "utf8"));
  } catch (e) {
    throw new RunError(`${where}: corrupt ${STATE_FILE}: ${(e as Error).message}`);
  }
  if (typeof state !== "object" || state === null || state.format !== CHECKPOINT_FORMAT) {
    throw new RunError(`${where}: ${STATE_FILE} is not a ${CHECKPOINT_FORMAT} file`);
  }
  if (state.version !== CHECKPOINT_VERSION) {
    throw new RunError(
      `${where}: unsupported checkpoint version ${JSON.stringify(state.version)} (this build reads ${CHECKPOINT_VERSION})`,
    );
  }
  const shape = [
    ["epoch", Number.isInteger(state.epoch) && state.epoch >= 0],
    ["steps", Number.isInteger(state.steps) && state.steps >= 0],
    ["config", typeof state.config === "object" && state.config !== null],
    ["optimizer", typeof state.optimizer === "object" && state.optimizer !== null],
    ["rng", Array.isArray(state.rng?.batches)],
    ["history", Array.isArray(state.history) && state.history.length === state.epoch],
    ["lossWindow", Array.isArray(state.lossWindow) && state.lossWindow.every((v) => typeof v === "number")],
    ["weightsSha256", typeof state.weightsSha256 === "string"],
  ] as const;
  for (const [key, ok] of shape)
    if (!ok) throw new RunError(`${where}: corrupt ${STATE_FILE}: bad or missing "${key}"`);
  const bytes = new Uint8Array(readFileSync(join(dir, WEIGHTS_FILE)));
  if (sha256(bytes) !== state.weightsSha256) {
    throw new RunError(
      `${where}: corrupt ${WEIGHTS_FILE}: its SHA-256 does not match the one recorded in ${STATE_FILE}`,
    );
  }
  let weights: LoadedCheckpoint["weights"];
  try {
    weights = decodeSafetensors(bytes).tensors as LoadedCheckpoint["weights"];
  } catch (e) {
    throw new RunError(`${where}: corrupt ${WEIGHTS_FILE}: ${(e as Error).message}`);
  }
  return { dir, state, weights };
}

/**
 * The config of a resumed run: the checkpoint's settings, where the user may repeat a setting
 * (it must then be equal) and may change `--epochs` (only without a schedule, whose shape depends
 * on the run's length), plus the current run's output options.
 *
 * @throws RunError naming each setting that differs from the checkpoint's.
 */
export function resumeConfig(cfg: RunConfig, args: CliArgs, ck: LoadedCheckpoint): RunConfig {
  const saved = ck.state.config;
  const given = args as unknown as Record<string, unknown>;
  const current = checkpointConfig(cfg);
  const problems: string[] = [];
  for (const key of FIXED_SETTINGS) {
    const explicit =
      key === "lr" ? args.lr !== undefined || args.optimizer !== undefined : given[key] !== undefined;
    if (explicit && JSON.stringify(current[key]) !== JSON.stringify(saved[key])) {
      problems.push(`${FLAG[key]} ${fmt(current[key])} but the checkpoint has ${fmt(saved[key])}`);
    }
  }
  const epochs = args.epochs ?? (saved.epochs as number);
  if (args.epochs !== undefined && args.epochs !== saved.epochs && saved.schedule !== "none") {
    problems.push(
      `--epochs ${args.epochs} but the checkpoint's ${saved.schedule} schedule was set up for ${fmt(saved.epochs)} epochs`,
    );
  }
  if (epochs < ck.state.epoch) {
    problems.push(`--epochs ${epochs} but the checkpoint has already completed ${ck.state.epoch} epochs`);
  }
  if (problems.length) {
    throw new RunError(`checkpoint ${ck.dir} does not match this run:\n  ${problems.join("\n  ")}`);
  }
  return {
    ...cfg,
    dataset: saved.dataset as RunConfig["dataset"],
    optimizer: saved.optimizer as RunConfig["optimizer"],
    lr: saved.lr as number,
    momentum: saved.momentum as number,
    weightDecay: (saved.weightDecay as number | null) ?? undefined,
    batchSize: saved.batchSize as number,
    hidden: saved.hidden as number[],
    activation: saved.activation as RunConfig["activation"],
    schedule: saved.schedule as RunConfig["schedule"],
    clip: (saved.clip as number | null) ?? undefined,
    seed: saved.seed as number,
    limit: (saved.limit as number | null) ?? undefined,
    threshold: args.threshold ?? DATASET_DEFAULTS[saved.dataset as RunConfig["dataset"]].threshold,
    epochs,
  };
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return "(not set)";
  return Array.isArray(v) ? v.join(",") : String(v);
}

/**
 * Puts a trainer (freshly built from the resumed config) into the checkpoint's state: weights,
 * optimizer, scheduler, batch-order generator, counters and history. Each part validates before
 * it changes anything; on an error (a RunError naming the mismatch) discard the trainer.
 */
export function restoreTrainer(t: Trainer, ck: LoadedCheckpoint): void {
  const s = ck.state;
  try {
    t.model.loadStateDict(ck.weights);
  } catch (e) {
    throw new RunError(`checkpoint ${ck.dir}: the weights do not fit the model: ${(e as Error).message}`);
  }
  try {
    t.optimizer.loadStateDict(s.optimizer);
    if (t.scheduler) {
      if (!s.scheduler) throw new Error("the checkpoint has no scheduler state");
      t.scheduler.loadStateDict(s.scheduler);
    }
    t.batchRng.setState(s.rng.batches);
  } catch (e) {
    throw new RunError(`checkpoint ${ck.dir}: cannot restore the training state: ${(e as Error).message}`);
  }
  t.epoch = s.epoch;
  t.steps = s.steps;
  t.stepsToThreshold = s.stepsToThreshold;
  t.lossWindow = [...s.lossWindow];
  t.history.length = 0;
  t.history.push(...s.history.map((r) => ({ ...r, epochs: t.cfg.epochs })));
}

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { decodeSafetensors, saveSafetensors } from "@descent/nn";
import type { OptimizerStateDict, SavedParamState } from "@descent/optim";
import type { CliArgs } from "./args.js";
import { readDirRecovered, writeDirAtomic } from "./atomic.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointState,
  type ConfigKey,
  checkState,
  checkTrainingState,
  FIXED_SETTINGS,
  type SavedHyperparameters,
  SchemaProblem,
} from "./checkpoint-schema.js";
import { datasetDefaults, type RunConfig } from "./config.js";
import { RunError } from "./errors.js";
import { plural } from "./format.js";
import { type FsEnv, nodeEnv } from "./fs-env.js";
import { fsFailure } from "./fs-errors.js";
import { buildOptimizer, hasModes, learningRate, shapeOf } from "./optimizers.js";
import { checkWritableDir } from "./preflight.js";
import { ruleValues } from "./rule-values.js";
import { cycledMomentum } from "./schedules.js";
import type { Trainer } from "./train.js";

export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointState, FIXED_SETTINGS };

/** File names inside a checkpoint directory. */
export const WEIGHTS_FILE = "model.safetensors";
export const STATE_FILE = "checkpoint.json";

/** The CLI flag of each fixed setting, for error messages. */
const FLAG: Readonly<Record<ConfigKey, string>> = {
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

/**
 * The settings of a run as stored in a checkpoint (without `hyperparameters`, which
 * {@link checkpointFiles} adds from the trainer's rules).
 */
export function checkpointConfig(cfg: RunConfig): CheckpointState["config"] {
  return {
    dataset: cfg.dataset,
    optimizer: cfg.optimizer,
    lr: learningRate(cfg.optimizer, cfg),
    momentum: cfg.momentum ?? null,
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
    config: {
      ...checkpointConfig(t.cfg),
      hyperparameters: Object.fromEntries(t.parts.map((p) => [p.id, { ...p.values }])),
    },
    epoch: t.epoch,
    steps: t.steps,
    stepsToThreshold: t.stepsToThreshold,
    lossWindow: [...t.lossWindow],
    initialLoss: t.initialLoss ?? undefined,
    optimizer: t.optimizer.stateDict(),
    scheduler: t.scheduler ? t.scheduler.stateDict() : null,
    rng: { batches: t.batchRng.getState() },
    history: [...t.history],
    weightsSha256: sha256(weights),
  };
  return { [WEIGHTS_FILE]: weights, [STATE_FILE]: `${JSON.stringify(state)}\n` };
}

/**
 * Writes the trainer's state to `dir` as a whole (see `writeDirAtomic`: a temporary sibling
 * directory renamed into place; an interrupted save leaves the previous checkpoint, which the
 * next save or resume restores).
 *
 * @throws RunError "cannot write checkpoint to DIR: <reason in words>".
 */
export function saveCheckpoint(t: Trainer, dir: string, env: FsEnv = nodeEnv): void {
  try {
    writeDirAtomic(dir, checkpointFiles(t), env);
  } catch (e) {
    throw fsFailure("write checkpoint to", dir, e);
  }
}

/**
 * Checks a `--save` target before training: it must be creatable and writable (probed), and if it
 * exists, be a checkpoint directory (not a file, not a directory with other files), so saving
 * never destroys unrelated data.
 *
 * @throws RunError naming the target and the problem.
 */
export function checkSaveTarget(dir: string): void {
  checkWritableDir(dirname(dir), "write checkpoint to", dir);
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st === undefined) return;
  if (!st.isDirectory())
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
  /** The hidden copy an interrupted save left, which was put back in place; null if none. */
  readonly restoredFrom: string | null;
  readonly state: CheckpointState;
  readonly weights: Record<string, { shape: number[]; data: ArrayLike<number> }>;
}

/** A checkpoint's files as read, before any check. */
interface RawCheckpoint {
  readonly state: string | null;
  readonly weights: Uint8Array | null;
}

function readFiles(dir: string): RawCheckpoint | "no directory" | "not a directory" {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st === undefined) return "no directory";
  if (!st.isDirectory()) return "not a directory";
  const read = (f: string) => {
    const p = join(dir, f);
    return statSync(p, { throwIfNoEntry: false }) === undefined ? null : new Uint8Array(readFileSync(p));
  };
  const state = read(STATE_FILE);
  return { state: state === null ? null : Buffer.from(state).toString("utf8"), weights: read(WEIGHTS_FILE) };
}

/**
 * Reads and validates a checkpoint directory: both files present, every field of the JSON as the
 * schema says (`checkpoint-schema.ts`), the weights matching their checksum, decoding as
 * safetensors and finite. A checkpoint left at `.NAME.old` by a save that was interrupted
 * between its renames is restored first (`restoredFrom` says so).
 *
 * @throws RunError naming the checkpoint, the file and the field or problem, in one line.
 */
export function readCheckpoint(dir: string, env: FsEnv = nodeEnv): LoadedCheckpoint {
  const where = `checkpoint ${dir}`;
  let raw: ReturnType<typeof readFiles>;
  let restoredFrom: string | null;
  try {
    ({ value: raw, restoredFrom } = readDirRecovered(dir, readFiles, env));
  } catch (e) {
    throw fsFailure("read checkpoint", dir, e);
  }
  if (raw === "no directory") throw new RunError(`${where}: no such directory`);
  if (raw === "not a directory") throw new RunError(`${where}: is a file, not a checkpoint directory`);
  if (raw.state === null || raw.weights === null) {
    throw new RunError(
      `${where}: missing ${raw.state === null ? STATE_FILE : WEIGHTS_FILE} (not a checkpoint, or an incomplete copy)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.state);
  } catch (e) {
    throw new RunError(`${where}: corrupt ${STATE_FILE}: ${oneLine(e).slice(0, 160)}`);
  }
  let state: CheckpointState;
  try {
    state = checkState(json);
  } catch (e) {
    if (e instanceof SchemaProblem) throw new RunError(`${where}: ${STATE_FILE} ${e.message}`);
    throw e;
  }
  const bytes = raw.weights;
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
  for (const [name, t] of Object.entries(weights)) {
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) {
        throw new RunError(`${where}: ${WEIGHTS_FILE}: tensor "${name}" holds ${t.data[i]} at index ${i}`);
      }
    }
  }
  return { dir, state, weights, restoredFrom };
}

/**
 * The config of a resumed run: the checkpoint's settings and hyperparameter values, where the
 * user may repeat a setting or a `--set` (it must then be equal) and may change `--epochs` (only
 * without a schedule, whose shape depends on the run's length), plus the current run's output
 * options.
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
  const hyperparameters = savedHyperparameters(ck.state);
  for (const setting of cfg.settings) {
    for (const [id, values] of Object.entries(hyperparameters)) {
      const role = id === saved.optimizer ? "rule" : "partner";
      if (
        setting.rule !== null ? setting.rule !== id : role !== "rule" || !Object.hasOwn(values, setting.key)
      )
        continue;
      const mine = ruleValues(id, cfg, role)[setting.key];
      if (Object.hasOwn(values, setting.key) && !Object.is(mine, values[setting.key])) {
        problems.push(
          `--set ${setting.text} but the checkpoint has ${id}.${setting.key}=${fmt(values[setting.key])}`,
        );
      }
    }
  }
  const epochs = args.epochs ?? (saved.epochs as number);
  if (args.epochs !== undefined && args.epochs !== saved.epochs && saved.schedule !== "none") {
    problems.push(
      `--epochs ${args.epochs} but the checkpoint's ${saved.schedule} schedule was set up for ${plural(saved.epochs as number, "epoch")}`,
    );
  }
  if (epochs < ck.state.epoch) {
    problems.push(
      `--epochs ${epochs} but the checkpoint has already completed ${plural(ck.state.epoch, "epoch")}`,
    );
  }
  if (problems.length) {
    throw new RunError(`checkpoint ${ck.dir} does not match this run:\n  ${problems.join("\n  ")}`);
  }
  return {
    ...cfg,
    dataset: saved.dataset as RunConfig["dataset"],
    optimizer: saved.optimizer as RunConfig["optimizer"],
    hyperparameters,
    lr: saved.lr as number,
    momentum: (saved.momentum as number | null) ?? undefined,
    weightDecay: (saved.weightDecay as number | null) ?? undefined,
    batchSize: saved.batchSize as number,
    hidden: saved.hidden as number[],
    activation: saved.activation as RunConfig["activation"],
    schedule: saved.schedule as RunConfig["schedule"],
    clip: (saved.clip as number | null) ?? undefined,
    seed: saved.seed as number,
    limit: (saved.limit as number | null) ?? undefined,
    threshold: args.threshold ?? datasetDefaults(saved.dataset as RunConfig["dataset"]).threshold,
    epochs,
  };
}

/**
 * The hyperparameter values of a checkpoint's rules: recorded from version 3; for versions 1 and
 * 2, which only knew the six classic rules, what the settings gave then (`--lr`, `--momentum` for
 * the momentum rule, `--weight-decay`, the rest the defaults).
 */
function savedHyperparameters(state: CheckpointState): SavedHyperparameters {
  const c = state.config;
  if (c.hyperparameters !== undefined) return c.hyperparameters;
  const id = c.optimizer as string;
  return {
    [id]: ruleValues(id, {
      lr: c.lr as number,
      momentum: (c.momentum as number | null) ?? undefined,
      weightDecay: (c.weightDecay as number | null) ?? undefined,
    }),
  };
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return "(not set)";
  return Array.isArray(v) ? v.join(",") : String(v);
}

/**
 * Puts a trainer (freshly built from the resumed config) into the checkpoint's state: weights,
 * optimizer, scheduler, batch-order generator, counters and history. First the optimizer and
 * scheduler state and the step count are checked against the fresh trainer
 * (`checkTrainingState`); each part then validates before it changes anything. On an error (a
 * RunError naming the checkpoint and the field) discard the trainer.
 */
export function restoreTrainer(t: Trainer, ck: LoadedCheckpoint): void {
  const s = ck.state;
  const where = `checkpoint ${ck.dir}`;
  const cycled = t.cfg.schedule === "onecycle" ? cycledMomentum(t.optimizer) : null;
  const scheduled = new Set(t.cfg.schedule === "none" ? [] : ["lr", ...(cycled ? [cycled] : [])]);
  const probe = probeStep(t);
  try {
    checkRules(s, t);
    checkTrainingState(s, {
      optimizer: t.optimizer.stateDict(),
      scheduler: t.scheduler ? t.scheduler.stateDict() : null,
      stepsPerEpoch: t.stepsPerEpoch,
      scheduled,
      groupState: probe.groupState,
      paramStates: probe.state,
      paramSizes: probe.sizes,
    });
  } catch (e) {
    if (e instanceof SchemaProblem) throw new RunError(`${where}: ${STATE_FILE} ${e.message}`);
    throw e;
  }
  try {
    t.model.loadStateDict(ck.weights);
  } catch (e) {
    throw new RunError(`${where}: the weights do not fit the model: ${oneLine(e)}`);
  }
  try {
    t.optimizer.loadStateDict(s.optimizer);
    if (t.scheduler && s.scheduler) t.scheduler.loadStateDict(s.scheduler);
    t.batchRng.setState(s.rng.batches);
  } catch (e) {
    throw new RunError(`${where}: cannot restore the training state: ${oneLine(e)}`);
  }
  t.epoch = s.epoch;
  t.steps = s.steps;
  t.stepsToThreshold = s.stepsToThreshold;
  t.lossWindow = [...s.lossWindow];
  // Version 1 did not record it: the first batch after resuming sets the divergence limit.
  t.initialLoss = s.initialLoss ?? null;
  t.history.length = 0;
  t.history.push(...s.history.map((r) => ({ ...r, epochs: t.cfg.epochs })));
}

/**
 * Checks that a version-3 checkpoint records the values of exactly the rules the rebuilt run uses
 * (its rule, and the partner it pairs with, if any).
 */
function checkRules(s: CheckpointState, t: Trainer): void {
  const saved = s.config.hyperparameters;
  if (saved === undefined) return;
  const ids = t.parts.map((p) => p.id);
  for (const id of Object.keys(saved)) {
    if (!ids.includes(id)) {
      throw new SchemaProblem(
        `config.hyperparameters.${id}`,
        `unknown field (this run's ${ids.length > 1 ? "rules are" : "rule is"} ${ids.join(" and ")})`,
      );
    }
  }
  for (const id of ids)
    if (!Object.hasOwn(saved, id)) throw new SchemaProblem(`config.hyperparameters.${id}`, "missing");
}

/**
 * One step of the trainer's optimizer, built the same way on parameters of the same shapes (zero
 * weights, gradients of ones; training mode if it has modes; a closure returning 0 if it needs
 * one): the state a step creates for each parameter, which group keys a step changes, and each
 * parameter's size, in the optimizer's order.
 */
function probeStep(t: Trainer): {
  state: Record<string, SavedParamState>;
  groupState: Set<string>;
  sizes: number[];
} {
  const copies = t.model.parameters().map((p) => ({
    data: new Float32Array(p.data.length),
    grad: { data: new Float32Array(p.data.length).fill(1) },
    shape: [...(shapeOf(p) ?? [p.data.length])],
  }));
  const { optimizer } = buildOptimizer(t.optimizerName, copies, t.cfg);
  const before = optimizer.stateDict();
  if (hasModes(optimizer)) optimizer.train();
  if (t.needsClosure) optimizer.step(() => 0);
  else optimizer.step();
  if (hasModes(optimizer)) optimizer.eval();
  const after: OptimizerStateDict = optimizer.stateDict();
  const groupState = new Set<string>();
  after.paramGroups.forEach((g, i) => {
    for (const key of Object.keys(g)) {
      if (JSON.stringify(g[key]) !== JSON.stringify(before.paramGroups[i]?.[key])) groupState.add(key);
    }
  });
  return {
    state: after.state,
    groupState,
    sizes: optimizer.paramGroups.flatMap((g) => g.params.map((p) => p.data.length)),
  };
}

/** An error's message on one line (its lines joined). */
function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e))
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join(" ");
}

import {
  checkHyperparameter,
  type HyperparameterValue,
  type OptimizerStateDict,
  type SavedParamState,
  type SchedulerState,
} from "@descent/optim";
import { type CliArgs, checkValue, optionOf } from "./args.js";
import type { EpochRecord } from "./record.js";
import { ruleEntry, unknownRule } from "./rules.js";
import { THRESHOLD_WINDOW } from "./train.js";

/*
 * The schema of `checkpoint.json`. Every field is checked before anything runs: the settings with
 * the very checks of the command-line flags (`checkValue`), the counters against each other, the
 * optimizer and scheduler state against a freshly built run of the same settings. A problem is
 * one line naming the field: `field "config.epochs" (--epochs): expected an integer in
 * [1, 1000000], got 1000000000`. Keys are only ever read as own properties, and keys that name
 * Object.prototype members (`__proto__`, `constructor`, ...) are rejected wherever they appear.
 */

export const CHECKPOINT_FORMAT = "descent-mlp-demo-checkpoint";
/**
 * Written by this build; versions 1 (without `initialLoss`) and 2 (without
 * `config.hyperparameters`, from the six rules the demo had then) are still read.
 */
export const CHECKPOINT_VERSION = 3;

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
export type Fixed = (typeof FIXED_SETTINGS)[number];
export type ConfigKey = Fixed | "epochs";

/** Settings that may be unset (null in the file). */
const NULLABLE: ReadonlySet<string> = new Set(["momentum", "weightDecay", "clip", "limit"]);

/** Hyperparameter values by rule id: the rule of the run, and its partner if it has one. */
export type SavedHyperparameters = Record<string, Record<string, HyperparameterValue>>;

/** `checkpoint.json`: everything but the weights. */
export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: 1 | 2 | typeof CHECKPOINT_VERSION;
  /**
   * The run's settings (the fixed ones plus `epochs`) as the command line gave them (`momentum`,
   * `weightDecay`: null if not given), `lr` resolved to the rule's default if unset; and
   * `hyperparameters`, every hyperparameter of the run's rules by rule id (from version 3).
   */
  config: Record<ConfigKey, unknown> & { hyperparameters?: SavedHyperparameters };
  /** Completed epochs and optimizer steps. */
  epoch: number;
  steps: number;
  stepsToThreshold: number | null;
  lossWindow: number[];
  /** The first batch loss of the run (sets the divergence limit); absent in version 1. */
  initialLoss?: number;
  optimizer: OptimizerStateDict;
  scheduler: SchedulerState | null;
  /** The batch-order generator's state (the only randomness used after initialisation). */
  rng: { batches: number[] };
  history: EpochRecord[];
  /** SHA-256 of `model.safetensors`, hex: a torn or edited weights file is detected. */
  weightsSha256: string;
}

const STATE_KEYS = [
  "format",
  "version",
  "config",
  "epoch",
  "steps",
  "stepsToThreshold",
  "lossWindow",
  "initialLoss",
  "optimizer",
  "scheduler",
  "rng",
  "history",
  "weightsSha256",
] as const;

const RECORD_KEYS = [
  "epoch",
  "epochs",
  "optimizer",
  "lr",
  "steps",
  "trainLoss",
  "trainAccuracy",
  "testLoss",
  "testAccuracy",
  "seconds",
] as const;

/** Keys that would reach Object.prototype if looked up on a plain object. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "prototype",
]);

/** A field that fails the schema: its path (`config.epochs`) and what is wrong. */
export class SchemaProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    /** The command-line flag of the same setting, if any. */
    readonly flag?: string,
  ) {
    super(`field "${path}"${flag ? ` (${flag})` : ""}: ${problem}`);
  }
}

/** A JSON value for a message, shortened. */
export function showJson(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const fail = (path: string, expected: string, got: unknown): never => {
  throw new SchemaProblem(path, `expected ${expected}, got ${showJson(got)}`);
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The own value of `key` (never an inherited one). */
function own(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** Rejects `__proto__`, `constructor` & co. as keys anywhere in a parsed JSON value. */
export function rejectPrototypeKeys(v: unknown, path: string): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) rejectPrototypeKeys(v[i], `${path}[${i}]`);
  } else if (isPlainObject(v)) {
    for (const key of Object.keys(v)) {
      const p = path === "" ? key : `${path}.${key}`;
      if (PROTOTYPE_KEYS.has(key)) throw new SchemaProblem(p, "a key that is not allowed in this file");
      rejectPrototypeKeys(v[key], p);
    }
  }
}

/** Checks that `o` is an object with exactly `keys` (those in `optional` may be missing). */
export function exactKeys(
  o: unknown,
  path: string,
  keys: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (!isPlainObject(o)) return fail(path, "an object", o);
  const at = (k: string) => (path === "" ? k : `${path}.${k}`);
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new SchemaProblem(at(k), `unknown field (expected only ${keys.join(", ")})`);
  }
  for (const k of keys)
    if (!Object.hasOwn(o, k) && !optional.includes(k)) throw new SchemaProblem(at(k), "missing");
  return o;
}

/** Checks that `o` is an object with at least `keys` (other keys are the caller's to check). */
function withKeys(o: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(o)) return fail(path, "an object", o);
  for (const k of keys) if (!Object.hasOwn(o, k)) throw new SchemaProblem(`${path}.${k}`, "missing");
  return o;
}

function int(v: unknown, path: string, lo: number, hi: number): number {
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) {
    fail(path, `an integer in [${lo}, ${hi}]`, v);
  }
  return v as number;
}

function finiteIn(v: unknown, path: string, lo: number, hi: number): number {
  if (typeof v !== "number" || !(v >= lo && v <= hi)) fail(path, `a number in [${lo}, ${hi}]`, v);
  return v as number;
}

/** The largest `--epochs`. */
function maxEpochs(): number {
  const k = optionOf("epochs").kind;
  return k.type === "int" ? k.max : Number.MAX_SAFE_INTEGER;
}

/** The largest value an integer counter may hold. */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** Checks one setting with the same check as its command-line flag. */
function checkSetting(key: ConfigKey, v: unknown): void {
  if (v === null && NULLABLE.has(key)) return;
  const spec = optionOf(key as keyof CliArgs);
  const problem = checkValue(spec, v);
  if (problem !== null) {
    if (spec.kind.type === "sizes" && Array.isArray(v)) {
      v.forEach((w, i) => {
        if (checkValue(spec, [w]) !== null) {
          throw new SchemaProblem(
            `config.${key}[${i}]`,
            `expected a layer width, an integer in [1, 100000], got ${showJson(w)}`,
            `--${spec.name}`,
          );
        }
      });
    }
    const choice = spec.kind.type === "choice" && typeof v === "string";
    throw new SchemaProblem(
      `config.${key}`,
      choice ? problem : `${problem}, got ${showJson(v)}`,
      `--${spec.name}`,
    );
  }
}

/**
 * Checks a parsed `checkpoint.json` on its own (before any data is loaded).
 *
 * @throws SchemaProblem naming the first bad field.
 */
export function checkState(raw: unknown): CheckpointState {
  rejectPrototypeKeys(raw, "");
  if (!isPlainObject(raw)) return fail("(top level)", "an object", raw);
  if (own(raw, "format") !== CHECKPOINT_FORMAT)
    fail("format", JSON.stringify(CHECKPOINT_FORMAT), own(raw, "format"));
  const version = own(raw, "version");
  if (version !== 1 && version !== 2 && version !== CHECKPOINT_VERSION) {
    throw new SchemaProblem(
      "version",
      `unsupported checkpoint version ${showJson(version)} (this build reads 1 to ${CHECKPOINT_VERSION})`,
    );
  }
  const s = exactKeys(raw, "", STATE_KEYS, ["initialLoss"]);
  if (version === 1 && Object.hasOwn(s, "initialLoss"))
    throw new SchemaProblem("initialLoss", "unknown field in version 1");
  if (version !== 1 && !Object.hasOwn(s, "initialLoss")) throw new SchemaProblem("initialLoss", "missing");

  const config = exactKeys(
    s.config,
    "config",
    [...FIXED_SETTINGS, "epochs", "hyperparameters"],
    version === CHECKPOINT_VERSION ? [] : ["hyperparameters"],
  );
  for (const key of [...FIXED_SETTINGS, "epochs"] as const) checkSetting(key, config[key]);
  if (Object.hasOwn(config, "hyperparameters")) checkHyperparameters(config);
  const epochs = config.epochs as number;
  const regression = config.dataset === "sine";

  const epoch = int(s.epoch, "epoch", 1, epochs);
  const steps = int(s.steps, "steps", epoch, MAX_COUNT);
  if (steps % epoch !== 0)
    fail("steps", `a multiple of epoch (${epoch}): every epoch has the same number of steps`, steps);
  const perEpoch = steps / epoch;
  if (s.stepsToThreshold !== null) int(s.stepsToThreshold, "stepsToThreshold", 1, steps);
  if (!Array.isArray(s.lossWindow)) fail("lossWindow", "an array of losses", s.lossWindow);
  const window = s.lossWindow as unknown[];
  const wanted = Math.min(THRESHOLD_WINDOW, steps);
  if (window.length !== wanted)
    fail("lossWindow", `${wanted} losses (the last ${THRESHOLD_WINDOW} batches)`, window);
  for (let i = 0; i < window.length; i++) finiteIn(window[i], `lossWindow[${i}]`, 0, Number.MAX_VALUE);
  if (version !== 1) finiteIn(s.initialLoss, "initialLoss", 0, Number.MAX_VALUE);

  if (!isPlainObject(s.optimizer)) fail("optimizer", "an optimizer state object", s.optimizer);
  if (config.schedule === "none" ? s.scheduler !== null : !isPlainObject(s.scheduler)) {
    fail(
      "scheduler",
      config.schedule === "none" ? "null (no schedule)" : `the state of the ${config.schedule} schedule`,
      s.scheduler,
    );
  }
  const rng = exactKeys(s.rng, "rng", ["batches"]);
  if (!Array.isArray(rng.batches) || rng.batches.length !== 4)
    fail("rng.batches", "four unsigned 32-bit integers", rng.batches);
  const batches = rng.batches as unknown[];
  for (let i = 0; i < 4; i++) int(batches[i], `rng.batches[${i}]`, 0, 2 ** 32 - 1);
  if ((rng.batches as number[]).every((v) => v === 0))
    fail("rng.batches", "a state that is not all zero", rng.batches);

  if (!Array.isArray(s.history) || s.history.length !== epoch) {
    fail("history", `an array of ${epoch} epoch records (one per completed epoch)`, s.history);
  }
  const history = s.history as unknown[];
  for (let i = 0; i < history.length; i++) {
    checkRecord(history[i], `history[${i}]`, i + 1, config, perEpoch, regression);
  }
  if (typeof s.weightsSha256 !== "string" || !/^[0-9a-f]{64}$/.test(s.weightsSha256)) {
    fail("weightsSha256", "64 hexadecimal digits", s.weightsSha256);
  }
  return s as unknown as CheckpointState;
}

/**
 * Checks `config.hyperparameters` with the catalog: rule ids of the catalog (the run's rule among
 * them), each with exactly its entry's hyperparameters, each valid; and the rule's `lr` equal to
 * `config.lr`. A second rule (the partner of a rule that refuses some parameters) is checked
 * against the run when it is rebuilt (`checkTrainingState`'s caller).
 */
function checkHyperparameters(config: Record<string, unknown>): void {
  const path = "config.hyperparameters";
  const all = config.hyperparameters;
  if (!isPlainObject(all)) {
    fail(path, "an object of hyperparameter values by optimizer id", all);
    return;
  }
  const rule = config.optimizer as string;
  if (!Object.hasOwn(all, rule)) throw new SchemaProblem(`${path}.${rule}`, "missing");
  const ids = Object.keys(all);
  if (ids.length > 2) {
    throw new SchemaProblem(
      `${path}.${ids.filter((id) => id !== rule)[1]}`,
      `unknown field (expected the values of ${rule}, and of at most one rule paired with it)`,
    );
  }
  for (const id of ids) {
    const problem = unknownRule(id);
    if (problem !== null) throw new SchemaProblem(`${path}.${id}`, problem);
    const entry = ruleEntry(id);
    const values = exactKeys(
      all[id],
      `${path}.${id}`,
      entry.hyperparameters.map((h) => h.key),
    );
    for (const h of entry.hyperparameters) {
      const bad = checkHyperparameter(h, values[h.key]);
      if (bad !== null) throw new SchemaProblem(`${path}.${id}.${h.key}`, `${entry.name}: ${bad}`);
    }
  }
  const lr = (all[rule] as Record<string, unknown>).lr;
  if (lr !== undefined && lr !== config.lr)
    fail("config.lr", `${showJson(lr)} (the lr of ${path}.${rule})`, config.lr);
}

function checkRecord(
  raw: unknown,
  path: string,
  epoch: number,
  config: Record<string, unknown>,
  perEpoch: number,
  regression: boolean,
): void {
  const r = exactKeys(raw, path, RECORD_KEYS);
  if (r.epoch !== epoch) fail(`${path}.epoch`, String(epoch), r.epoch);
  int(r.epochs, `${path}.epochs`, epoch, maxEpochs());
  if (r.optimizer !== config.optimizer) fail(`${path}.optimizer`, showJson(config.optimizer), r.optimizer);
  // A schedule only ever lowers the lr below its peak (the configured lr); cosine ends at 0.
  finiteIn(r.lr, `${path}.lr`, 0, config.lr as number);
  if (r.steps !== epoch * perEpoch)
    fail(`${path}.steps`, `${epoch * perEpoch} (${perEpoch} per epoch)`, r.steps);
  finiteIn(r.trainLoss, `${path}.trainLoss`, 0, Number.MAX_VALUE);
  finiteIn(r.testLoss, `${path}.testLoss`, 0, Number.MAX_VALUE);
  for (const k of ["trainAccuracy", "testAccuracy"]) {
    if (regression) {
      if (r[k] !== null) fail(`${path}.${k}`, "null (sine is a regression)", r[k]);
    } else finiteIn(r[k], `${path}.${k}`, 0, 1);
  }
  finiteIn(r.seconds, `${path}.seconds`, 0, Number.MAX_VALUE);
}

/**
 * Checks that a JSON value equals the one a fresh run has, naming the innermost field that
 * differs: `scheduler.phases[0].endStep: expected 14 (as this checkpoint's settings give), got "x"`.
 */
function sameAs(
  actual: unknown,
  expected: unknown,
  path: string,
  why = "as this checkpoint's settings give",
): void {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      fail(path, `${showJson(expected)} (${why})`, actual);
    }
    const a = actual as unknown[];
    for (let i = 0; i < expected.length; i++) sameAs(a[i], expected[i], `${path}[${i}]`, why);
  } else if (isPlainObject(expected)) {
    const a = exactKeys(actual, path, Object.keys(expected));
    for (const k of Object.keys(expected)) sameAs(a[k], expected[k], `${path}.${k}`, why);
  } else if (!Object.is(actual, expected)) {
    fail(path, `${showJson(expected)} (${why})`, actual);
  }
}

/** Buffers that are sums or averages of squares: never negative. */
const NON_NEGATIVE_BUFFERS: ReadonlySet<string> = new Set(["sum", "squareAvg", "expAvgSq", "maxExpAvgSq"]);

/** What a run built from the checkpoint's settings looks like. */
export interface FreshRun {
  /** Its optimizer's state before any step (with the schedule's keys in the groups). */
  readonly optimizer: OptimizerStateDict;
  readonly scheduler: SchedulerState | null;
  readonly stepsPerEpoch: number;
  /** Group options a schedule moves: `lr`, and with a cycling momentum `momentum` / `betas`[0]. */
  readonly scheduled: ReadonlySet<string>;
  /**
   * Group keys a step changes (rule state kept in the group, as Schedule-Free's step count): their
   * values are the rule's to check (`loadStateDict`); every other key must equal the fresh run's.
   */
  readonly groupState: ReadonlySet<string>;
  /**
   * The state of each parameter, by index, after one step of the same optimizer on parameters of
   * the same shapes: which keys there are, which dtype each buffer has, and which buffers have one
   * value per element of the parameter (those are checked here, element by element; others, such
   * as L-BFGS's history, are the rule's to check).
   */
  readonly paramStates: Readonly<Record<string, SavedParamState>>;
  /** The number of elements of each parameter, by index. */
  readonly paramSizes: readonly number[];
}

/** A saved buffer (`{ dtype, values }`) as opposed to a saved scalar. */
function isBuffer(v: unknown): v is { dtype: string; values: unknown[] } {
  return isPlainObject(v) && typeof v.dtype === "string" && Array.isArray(v.values);
}

/**
 * Checks the optimizer and scheduler state and the step counts of a checkpoint against a run
 * freshly built from its settings: the same keys everywhere, every constant option equal, the
 * scheduled ones in range, step counters equal to the checkpoint's steps, buffers finite.
 * Values inside the buffers (length, type) are checked again by `loadStateDict`.
 *
 * @throws SchemaProblem naming the first bad field.
 */
export function checkTrainingState(state: CheckpointState, fresh: FreshRun): void {
  const steps = state.steps;
  if (steps !== state.epoch * fresh.stepsPerEpoch) {
    fail(
      "steps",
      `${state.epoch * fresh.stepsPerEpoch} (${state.epoch} epochs × ${fresh.stepsPerEpoch} batches of this data set and batch size)`,
      steps,
    );
  }
  const sd = exactKeys(state.optimizer, "optimizer", Object.keys(fresh.optimizer));
  for (const k of ["format", "version", "kind", "skippedSteps"]) {
    const want = own(fresh.optimizer as unknown as Record<string, unknown>, k);
    sameAs(sd[k], want, `optimizer.${k}`, "what this build writes for the checkpoint's --optimizer");
  }
  const groups = sd.paramGroups;
  const freshGroups = fresh.optimizer.paramGroups;
  if (!Array.isArray(groups) || groups.length !== freshGroups.length) {
    fail("optimizer.paramGroups", `${freshGroups.length} parameter group(s)`, groups);
  }
  const lrPeak = (state.config.lr as number) * (1 + 1e-12);
  (groups as unknown[]).forEach((g, i) => {
    const path = `optimizer.paramGroups[${i}]`;
    const want = freshGroups[i] as Record<string, unknown>;
    const group = exactKeys(g, path, Object.keys(want));
    for (const key of Object.keys(want)) {
      const v = group[key];
      if (key === "lr" && fresh.scheduled.has("lr")) finiteIn(v, `${path}.lr`, 0, lrPeak);
      else if (key === "momentum" && fresh.scheduled.has("momentum")) finiteIn(v, `${path}.momentum`, 0, 1);
      else if (key === "betas" && fresh.scheduled.has("betas")) {
        if (!Array.isArray(v) || v.length !== 2) fail(`${path}.betas`, "two numbers", v);
        finiteIn((v as unknown[])[0], `${path}.betas[0]`, 0, 1);
        sameAs((v as unknown[])[1], (want.betas as unknown[])[1], `${path}.betas[1]`);
      } else if (!fresh.groupState.has(key)) sameAs(v, want[key], `${path}.${key}`);
    }
  });
  const st = sd.state;
  const indices = Object.keys(fresh.paramStates);
  const entries = exactKeys(st, "optimizer.state", indices);
  // A rule whose state is one set of buffers per parameter has the keys one step gives it; a rule
  // that keeps one state for all (L-BFGS, on parameter 0) may add keys as it goes, which its own
  // loadStateDict checks.
  const perParameter = indices.length === fresh.paramSizes.length;
  for (const key of indices) {
    const path = `optimizer.state.${key}`;
    const probe = fresh.paramStates[key];
    const names = Object.keys(probe);
    const entry = perParameter ? exactKeys(entries[key], path, names) : withKeys(entries[key], path, names);
    // A step counter that one step sets to 1 counts the run's steps.
    if (probe.step === 1 && entry.step !== steps) {
      fail(`${path}.step`, `${steps} (the checkpoint's steps)`, entry.step);
    }
    for (const name of names) {
      const want = probe[name];
      if (name === "step" || !isBuffer(want)) continue;
      const b = exactKeys(entry[name], `${path}.${name}`, ["dtype", "values"]);
      if (b.dtype !== want.dtype) fail(`${path}.${name}.dtype`, JSON.stringify(want.dtype), b.dtype);
      const size = fresh.paramSizes[Number(key)];
      if (!Array.isArray(b.values)) fail(`${path}.${name}.values`, "an array of numbers", b.values);
      if (want.values.length !== size) continue;
      if ((b.values as unknown[]).length !== size) {
        fail(`${path}.${name}.values`, `an array of ${size} numbers (the parameter's size)`, b.values);
      }
      const lo = NON_NEGATIVE_BUFFERS.has(name) ? 0 : -Number.MAX_VALUE;
      const values = b.values as unknown[];
      for (let j = 0; j < values.length; j++) {
        const v = values[j];
        if (typeof v !== "number" || !(v >= lo && v <= Number.MAX_VALUE)) {
          fail(`${path}.${name}.values[${j}]`, `a finite number${lo === 0 ? " >= 0" : ""}`, v);
        }
      }
    }
  }
  if (fresh.scheduler === null) return;
  const sch = exactKeys(state.scheduler, "scheduler", Object.keys(fresh.scheduler));
  const freshSch = fresh.scheduler as unknown as Record<string, unknown>;
  for (const key of Object.keys(freshSch)) {
    const v = sch[key];
    if (key === "lastEpoch") {
      if (v !== steps) fail("scheduler.lastEpoch", `${steps} (the checkpoint's steps)`, v);
    } else if (key === "stepCount") {
      if (v !== steps + 1) fail("scheduler.stepCount", `${steps + 1} (the checkpoint's steps + 1)`, v);
    } else if (key === "lastLr") {
      const lrs = (groups as Record<string, unknown>[]).map((g) => g.lr);
      sameAs(v, lrs, "scheduler.lastLr", "the optimizer's lr");
    } else sameAs(v, freshSch[key], `scheduler.${key}`);
  }
}

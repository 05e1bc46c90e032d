import { createHash } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliArgs, optionOf } from "./args.js";
import { FIXED_SETTINGS } from "./checkpoint-schema.js";
import { main } from "./cli.js";
import { fakeIo } from "./fake-io.testutil.js";
import { scratchDirs } from "./scratch.testutil.js";

/*
 * Fuzzing checkpoint.json: every field of valid checkpoints (three runs covering schedules,
 * regression, nullable settings) is set to values of the wrong type, out of its range, or
 * non-finite; every object gets unknown keys, prototype keys (`__proto__`, `constructor`, ...) and
 * loses each key. Each mutant must be refused before any training, with exit code 1 and a single
 * line naming the checkpoint and the mutated field.
 */

const tmp = scratchDirs("mlp-demo-schema-");

async function run(argv: string[]) {
  const io = fakeIo(false);
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** JSON text of `1e999` parses as Infinity: the non-finite value a hand edit can produce. */
const INF = "__INF__";
const NEG_INF = "__NEG_INF__";

function toText(v: Json): string {
  return JSON.stringify(v).replaceAll(`"${INF}"`, "1e999").replaceAll(`"${NEG_INF}"`, "-1e999");
}

const pathText = (p: Path) =>
  p.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s === "" ? k : `${s}.${k}`), "");

/** Every path to a value, arrays longer than 3 sampled at their first and last element. */
function paths(v: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) {
    const idx = v.length > 3 ? [0, v.length - 1] : v.map((_, i) => i);
    for (const i of idx) out.push(...paths(v[i], [...at, i]));
  } else if (v !== null && typeof v === "object") {
    for (const k of Object.keys(v)) out.push(...paths(v[k], [...at, k]));
  }
  return out;
}

function setAt(root: Json, p: Path, value: Json | undefined, ownKey?: string): Json {
  const copy = JSON.parse(JSON.stringify(root)) as Json;
  let o = copy as Record<string | number, Json>;
  for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, Json>;
  const last = p.at(-1);
  if (ownKey !== undefined) {
    const target = (p.length === 0 ? copy : o[last as string]) as Record<string, Json>;
    Object.defineProperty(target, ownKey, { value, enumerable: true, writable: true, configurable: true });
  } else if (value === undefined) delete o[last as string];
  else o[last as string] = value;
  return copy;
}

/** Settings that may be null (unset) and counters that may be null (not reached). */
const NULLABLE = new Set(["config.weightDecay", "config.clip", "config.limit", "stepsToThreshold"]);

/** Fields that hold integers (counts, indices, integer settings). */
const INTEGER_FIELD =
  /(^|\.)(epoch|epochs|steps|stepsToThreshold|step|lastEpoch|stepCount|totalSteps|stepSize|skippedSteps|version|batchSize|seed|limit)$|rng\.batches\[|params\[|hidden\[/;

let rotation = 0;

/**
 * Values the field at `p` (holding `v`) must refuse: two values of other JSON types (rotating
 * through string, boolean, null, array, object, so each field meets different ones and every
 * kind is used on every kind of field over the run), and, for numbers, the non-finite and
 * out-of-range ones.
 */
function badValues(p: Path, v: Json): Json[] {
  const path = pathText(p);
  const type = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
  const others: Json[] = [];
  others.push(type === "string" ? `${v}x` : "x");
  others.push(type === "boolean" ? !v : true);
  if (type !== "null" && !NULLABLE.has(path)) others.push(null);
  if (type !== "array") others.push([]);
  if (type !== "object") others.push({});
  const out: Json[] = [];
  for (let i = 0; i < 2; i++) out.push(others[rotation++ % others.length]);
  if (type === "number" || type === "null") {
    out.push(rotation % 2 ? INF : NEG_INF);
    if (!path.includes(".values[")) out.push(-1);
    if (INTEGER_FIELD.test(path)) out.push((v === null ? 0 : (v as number)) + 0.5);
  }
  // Out of the range of the command-line flag of the same setting.
  if (
    p[0] === "config" &&
    p.length === 2 &&
    (FIXED_SETTINGS as readonly string[]).concat("epochs").includes(p[1] as string)
  ) {
    const k = optionOf(p[1] as keyof CliArgs).kind;
    if (k.type === "number" || k.type === "int") {
      out.push(k.min - 1);
      if (k.type === "number" && k.minOpen) out.push(k.min);
      if (Number.isFinite(k.max)) out.push(k.type === "number" && k.maxOpen ? k.max : k.max + 1);
    }
    if (k.type === "int") out.push(k.max * 1000);
    if (k.type === "sizes") out.push([0], [100_001], [1.5], ["8"]);
  }
  if (path === "config.hidden" || path.startsWith("config.hidden[")) out.push("8");
  return out;
}

/**
 * The field a mutant's refusal names: the mutated one, except for an on/off hyperparameter of
 * `config.hyperparameters` switched to its other value. That is a valid setting, which the saved
 * optimizer state then contradicts: the refusal names the state's option (for these rules, the
 * option has the hyperparameter's name).
 */
function refusedField(p: Path, v: Json, bad: Json): string {
  const flipped = typeof v === "boolean" && typeof bad === "boolean";
  if (flipped && p.length === 4 && p[0] === "config" && p[1] === "hyperparameters") {
    return `optimizer.paramGroups[0].${p[3]}`;
  }
  return pathText(p);
}

const RUNS: Record<string, string[]> = {
  onecycle: [
    "--dataset",
    "moons",
    "--hidden",
    "8",
    "--epochs",
    "2",
    "--schedule",
    "onecycle",
    "--optimizer",
    "adam",
  ],
  sine: [
    "--dataset",
    "sine",
    "--hidden",
    "4",
    "--epochs",
    "2",
    "--optimizer",
    "momentum",
    "--weight-decay",
    "0.001",
    "--clip",
    "1",
    "--limit",
    "200",
  ],
  step: [
    "--dataset",
    "iris",
    "--hidden",
    "4",
    "--epochs",
    "2",
    "--schedule",
    "step",
    "--optimizer",
    "adagrad",
  ],
};

const saved: Record<string, { dir: string; json: Json }> = {};

beforeAll(async () => {
  for (const [name, argv] of Object.entries(RUNS)) {
    const dir = join(tmp(), name);
    const r = await run([...argv, "--quiet", "--save", dir]);
    expect(r.code).toBe(0);
    saved[name] = { dir, json: JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8")) };
  }
});

/**
 * Resumes from `dir` holding `text` as checkpoint.json; the run must be refused in one line naming
 * `field` (or a field inside it: `config.hidden[0]` for a bad `config.hidden`).
 */
async function expectRefused(dir: string, text: string, field: string) {
  writeFileSync(join(dir, "checkpoint.json"), text);
  const r = await run(["--resume", dir, "--json", "--quiet"]);
  const where = `error: checkpoint ${dir}: checkpoint.json field "${field}`;
  const named = r.err.startsWith(where) && /^["[.]/.test(r.err.slice(where.length));
  if (r.code !== 1 || !named || r.err.split("\n").length !== 2 || r.out !== "") {
    throw new Error(
      `mutant of ${field} not refused as expected: exit ${r.code}\n${r.err}\n${text.slice(0, 300)}`,
    );
  }
}

describe("checkpoint.json fuzzing", () => {
  for (const name of Object.keys(RUNS)) {
    it(`${name}: every field with a wrong type, out of range or non-finite is refused, naming the field`, async () => {
      const { dir, json } = saved[name];
      const work = join(tmp(), "ck");
      cpSync(dir, work, { recursive: true });
      let count = 0;
      for (const p of paths(json).slice(1)) {
        let v: Json = json;
        for (const k of p) v = (v as Record<string | number, Json>)[k];
        for (const bad of badValues(p, v)) {
          await expectRefused(work, toText(setAt(json, p, bad)), refusedField(p, v, bad));
          count++;
        }
      }
      // The untouched file still resumes.
      writeFileSync(join(work, "checkpoint.json"), JSON.stringify(json));
      const ok = await run(["--resume", work, "--epochs", "2", "--quiet"]);
      expect(ok.code).toBe(0);
      expect(count).toBeGreaterThan(150);
    }, 60_000);

    it(`${name}: unknown keys, prototype keys and missing keys in every object are refused`, async () => {
      const { dir, json } = saved[name];
      const work = join(tmp(), "ck");
      cpSync(dir, work, { recursive: true });
      let count = 0;
      for (const p of paths(json)) {
        let v: Json = json;
        for (const k of p) v = (v as Record<string | number, Json>)[k];
        if (v === null || typeof v !== "object" || Array.isArray(v)) continue;
        const at = pathText(p);
        const child = (k: string) => (at === "" ? k : `${at}.${k}`);
        for (const key of ["bogus", "__proto__", "constructor", "prototype", "toString", "hasOwnProperty"]) {
          await expectRefused(work, toText(setAt(json, p, { lr: 1e9 }, key)), child(key));
          count++;
        }
        for (const key of Object.keys(v)) {
          await expectRefused(work, toText(setAt(json, [...p, key], undefined)), child(key));
          count++;
        }
      }
      expect(count).toBeGreaterThan(100);
    }, 60_000);
  }

  it("the whole file: not an object, or not JSON", async () => {
    const work = join(tmp(), "ck");
    cpSync(saved.onecycle.dir, work, { recursive: true });
    for (const text of ["[]", '"x"', "null", "7"]) await expectRefused(work, text, "(top level)");
    writeFileSync(join(work, "checkpoint.json"), "{");
    const r = await run(["--resume", work, "--epochs", "3"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: checkpoint .*: corrupt checkpoint.json: .*\n$/);
  });

  it("the examples that used to run: epochs 1e9, an unknown activation, batchSize 0", async () => {
    const work = join(tmp(), "ck");
    cpSync(saved.onecycle.dir, work, { recursive: true });
    const json = saved.onecycle.json as { config: Record<string, Json> };
    const cases: [string, Json, RegExp][] = [
      [
        "epochs",
        1e9,
        /"config.epochs" \(--epochs\): expected an integer in \[1, 1000000\], got 1000000000$/m,
      ],
      [
        "activation",
        "swish",
        /"config.activation" \(--activation\): unknown activation "swish"; valid choices: relu/m,
      ],
      ["activation", "constructor", /unknown activation "constructor"/],
      ["dataset", "__proto__", /"config.dataset" \(--dataset\): unknown dataset "__proto__"/],
      ["batchSize", 0, /"config.batchSize" \(--batch-size\): expected an integer in \[1, 1000000\], got 0$/m],
    ];
    for (const [key, value, re] of cases) {
      writeFileSync(
        join(work, "checkpoint.json"),
        JSON.stringify({ ...json, config: { ...json.config, [key]: value } }),
      );
      const r = await run(["--resume", work]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(re);
      expect(r.err.split("\n")).toHaveLength(2);
    }
  });

  it("a version-1 checkpoint (no initialLoss) still resumes", async () => {
    const work = join(tmp(), "ck");
    cpSync(saved.sine.dir, work, { recursive: true });
    const { initialLoss, ...v1 } = saved.sine.json as Record<string, Json>;
    expect(typeof initialLoss).toBe("number");
    writeFileSync(join(work, "checkpoint.json"), JSON.stringify({ ...v1, version: 1 }));
    const r = await run(["--resume", work, "--epochs", "3", "--json", "--quiet"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).epoch).toBe(3);
  });
});

/** Adds an own property, also for names such as `__proto__` that assignment would not create. */
function setOwn(o: object, key: string, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

describe("model.safetensors edited together with its checksum", () => {
  /** Rewrites the weights file (header and data) and records its new SHA-256 in checkpoint.json. */
  function rewrite(dir: string, edit: (header: Record<string, Json>, data: Buffer) => Buffer) {
    const raw = readFileSync(join(dir, "model.safetensors"));
    const n = Number(raw.readBigUInt64LE(0));
    const header = JSON.parse(raw.subarray(8, 8 + n).toString("utf8"));
    const data = edit(header, Buffer.from(raw.subarray(8 + n)));
    let text = JSON.stringify(header);
    text += " ".repeat((8 - (text.length % 8)) % 8);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(text.length));
    const bytes = Buffer.concat([len, Buffer.from(text), data]);
    writeFileSync(join(dir, "model.safetensors"), bytes);
    const state = JSON.parse(readFileSync(join(dir, "checkpoint.json"), "utf8"));
    state.weightsSha256 = createHash("sha256").update(bytes).digest("hex");
    writeFileSync(join(dir, "checkpoint.json"), JSON.stringify(state));
  }

  it("an extra or prototype-named tensor, a wrong shape, a NaN weight: one line, exit 1", async () => {
    const cases: [(h: Record<string, Json>, d: Buffer) => Buffer, RegExp][] = [
      [
        (h, d) => {
          setOwn(h, "__proto__", { dtype: "F32", shape: [1], data_offsets: [d.length, d.length + 4] });
          return Buffer.concat([d, Buffer.alloc(4)]);
        },
        /the weights do not fit the model: .*unexpected key\(s\) in state dict: "__proto__"$/,
      ],
      [
        (h, d) => {
          setOwn(h, "constructor", { dtype: "F32", shape: [1], data_offsets: [d.length, d.length + 4] });
          return Buffer.concat([d, Buffer.alloc(4)]);
        },
        /unexpected key\(s\) in state dict: "constructor"$/,
      ],
      [
        (h, d) => {
          const w = h["0.weight"] as { shape: number[] };
          w.shape = [...w.shape].reverse();
          return d;
        },
        /the weights do not fit the model: .*0\.weight: shape \[2, 8\] in the state dict does not match \[8, 2\]/,
      ],
      [
        (h, d) => {
          const [start] = (h["0.bias"] as { data_offsets: number[] }).data_offsets;
          d.writeFloatLE(Number.NaN, start);
          return d;
        },
        /model\.safetensors: tensor "0\.bias" holds NaN at index 0$/,
      ],
    ];
    for (const [edit, re] of cases) {
      const work = join(tmp(), "ck");
      cpSync(saved.onecycle.dir, work, { recursive: true });
      rewrite(work, edit);
      const r = await run(["--resume", work, "--quiet"]);
      expect(r.code).toBe(1);
      expect(r.err.split("\n")).toHaveLength(2);
      expect(r.err.trimEnd()).toMatch(re);
    }
  });
});

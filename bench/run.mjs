#!/usr/bin/env node
/**
 * `pnpm bench`: the benchmark suite. Runs every workload on TF.js (cpu, wasm 1 thread) and
 * on Descent (plain-JS backend and WASM SIMD backend) in this one process, with warm-up and
 * repetitions (workload by workload, each engine in turn), prints the tables with ratios, and rewrites the generated block of
 * docs/performance.md. Flags: --quick (fewer sizes), --no-write, --only=<substring of workload id>
 * (`--only=tfjs-wrapper` runs only the `@descent/tfjs` overhead table).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { copyBandwidth } from "./src/bandwidth.mjs";
import { descentEngine } from "./src/descent.mjs";
import { describeMachine } from "./src/machine.mjs";
import { memoryGrowth } from "./src/memory.mjs";
import { tables } from "./src/report.mjs";
import { startupAll } from "./src/startup.mjs";
import { tfjsEngine } from "./src/tfjs.mjs";
import { wrapperOverhead } from "./src/tfjs-wrapper.mjs";
import { time, timeInterleaved } from "./src/timing.mjs";
import { workloads } from "./src/workloads.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const write = !args.includes("--no-write");
const only = args.find((a) => a.startsWith("--only="))?.slice(7);
const list = workloads({ quick }).filter((w) => !only || w.id.includes(only));

const engines = [];
for (const make of [
  () => tfjsEngine("cpu"),
  () => tfjsEngine("wasm"),
  () => descentEngine("js"),
  () => descentEngine("wasm"),
]) {
  engines.push(await make());
}
const notes = engines.filter((e) => e.note).map((e) => `${e.name}: ${e.note}`);

// Workload by workload. tfjs-cpu runs alone (TF.js has one active backend, and its tensors live on
// one backend); then, with TF.js on its wasm backend, tfjs-wasm and the Descent engines run in
// alternation, one repetition each per round, so the ratios that matter are measured under the
// same load even on a shared machine.
const res = {};
const log = (name, id, t) =>
  console.error(
    `${name.padEnd(13)} ${id.padEnd(22)} ${t.median.toFixed(3).padStart(10)} ms (${t.reps} reps)`,
  );
for (const w of list) {
  const heavy = w.group === "optim" && w.size >= 1e7;
  const opts = heavy ? { warmup: 1, minReps: 3, budgetMs: 1000 } : { warmup: 3, minReps: 5, budgetMs: 1500 };
  const [cpu, ...rest] = engines;
  await cpu.activate();
  const cpuJob = cpu.setup(w);
  if (cpuJob) {
    const t = time(cpuJob.run, opts);
    cpuJob.dispose?.();
    (res[w.id] ??= {})[cpu.name] = t;
    log(cpu.name, w.id, t);
  }
  await rest[0].activate();
  const jobs = [];
  for (const e of rest) {
    const job = e.setup(w);
    if (job) jobs.push({ name: e.name, ...job });
  }
  const times = timeInterleaved(jobs, opts);
  for (const j of jobs) {
    j.dispose?.();
    (res[w.id] ??= {})[j.name] = times[j.name];
    log(j.name, w.id, times[j.name]);
  }
  globalThis.gc?.();
}

// @descent/tfjs: the same TF.js models trained by TF.js's Adam and by Descent's Adam inside TF.js.
const wrapper =
  only && !"tfjs-wrapper".includes(only)
    ? []
    : await wrapperOverhead(
        engines.filter((e) => e.name.startsWith("tfjs-")),
        { log: (line) => console.error(line) },
      );

// Memory: long runs of the two MLPs on the default (WASM) backend, each in a fresh process.
const memory = only
  ? []
  : [
      ["mlp-tiny", 10_000],
      ["mlp-mnist", 300],
    ].map(([id, steps]) => ({ id, ...memoryGrowth(id, steps) }));

const start = only
  ? null
  : startupAll(["node", "descent", "descent (WASM backend compiled and selected)", "tfjs"]);

const bandwidth = list.some((w) => w.group === "optim") ? copyBandwidth() : undefined;

// The raw medians, so a failure while formatting never loses a run that took minutes.
console.error(`bench: raw results ${JSON.stringify({ res, start, memory, bandwidth, wrapper })}`);
const machine = describeMachine();
const body = [
  `Measured ${machine.date} by \`pnpm bench\`${quick ? " --quick" : ""} on: ${machine.cpu} (${machine.simd}), ` +
    `${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (V8 ${machine.v8}), ${machine.platform}. ` +
    "All engines ran in one process, single-threaded; median of repeated runs after warm-up.",
  "",
  ...notes.map((n) => `- ${n}`),
  "",
  tables(list, res, start, memory, bandwidth, wrapper),
].join("\n");
console.log(body);

if (write && !only) {
  const path = fileURLToPath(new URL("../docs/performance.md", import.meta.url));
  const doc = readFileSync(path, "utf8");
  const [a, b] = ["<!-- bench:start -->", "<!-- bench:end -->"];
  const i = doc.indexOf(a);
  const j = doc.indexOf(b);
  if (i < 0 || j < i) throw new Error(`bench: ${path} lacks the ${a} ... ${b} markers`);
  writeFileSync(path, `${doc.slice(0, i + a.length)}\n${body}\n${doc.slice(j)}`);
  console.error(`bench: wrote ${path}`);
}

/** Turns the measured results into the markdown tables of docs/performance.md. */

const fmt = (x, d = 2) => (x === undefined || x === null ? "n/a" : x >= 100 ? x.toFixed(0) : x.toFixed(d));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : "n/a");

/** Best Descent time for a workload (the faster of its backends). */
function best(r) {
  const t = [r["descent-wasm"]?.median, r["descent-js"]?.median].filter((x) => x !== undefined);
  return t.length ? Math.min(...t) : undefined;
}

const optimRows = (list) => list.some((x) => x.group === "optim");

const verdict = (ok) => (ok === undefined ? "n/a" : ok ? "met" : "**missed**");

/**
 * @param {import("./workloads.mjs").Workload[]} list
 * @param {Record<string, Record<string, {median: number}>>} res  res[workload][engine]
 */
export function tables(list, res, startup, memory = [], bandwidth = undefined, wrapper = []) {
  const out = [];
  const engines = ["tfjs-cpu", "tfjs-wasm", "descent-js", "descent-wasm"];
  const head = "| tfjs-cpu | tfjs-wasm | Descent (JS) | Descent (WASM) |";

  out.push("### Training steps (median ms per step; lower is better)\n");
  out.push(`| workload ${head} best Descent vs tfjs-cpu | vs tfjs-wasm | target | |`);
  out.push("|---|---|---|---|---|---|---|---|---|");
  for (const w of list.filter((x) => x.group === "train")) {
    const r = res[w.id] ?? {};
    const b = best(r);
    const cpu = r["tfjs-cpu"]?.median;
    const wasm = r["tfjs-wasm"]?.median;
    const mnist = w.id.startsWith("mlp-mnist");
    const need = mnist ? 5 : 8;
    const ok = b === undefined ? undefined : mnist ? wasm / b >= need : Math.min(cpu / b, wasm / b) >= need;
    const cells = engines.map((e) => fmt(r[e]?.median, 3));
    const target = mnist ? "≥5× vs tfjs-wasm" : "≥8× vs both";
    out.push(
      `| ${w.label} | ${cells.join(" | ")} | ${ratio(cpu, b)} | ${ratio(wasm, b)} | ${target} | ${verdict(ok)} |`,
    );
  }

  out.push("\n### fp32 matmul n×n (GFLOP/s; higher is better)\n");
  out.push(`| n ${head} Descent WASM vs tfjs-wasm | target: faster than tfjs-wasm |`);
  out.push("|---|---|---|---|---|---|---|");
  for (const w of list.filter((x) => x.group === "matmul")) {
    const r = res[w.id] ?? {};
    const gf = (e) => (r[e] ? w.flops / (r[e].median * 1e6) : undefined);
    const d = gf("descent-wasm") ?? gf("descent-js");
    const t = gf("tfjs-wasm");
    const ok = d === undefined || t === undefined ? undefined : d > t;
    out.push(`| ${w.n} | ${engines.map((e) => fmt(gf(e))).join(" | ")} | ${ratio(d, t)} | ${verdict(ok)} |`);
  }

  out.push("\n### Optimizer step (median ms per step; lower is better)\n");
  const bw = bandwidth ?? 15;
  if (optimRows(list)) {
    out.push(
      bandwidth
        ? `Bandwidth bound: the bytes one fused pass must move (read p, g and the state, write p and the state: 12 B per parameter plus 8 B per state array, e.g. 12 for SGD, 20 for momentum, 28 for Adam) at the copy bandwidth measured in this run, ${bw.toFixed(1)} GB/s (\`dst.set(src)\` on 40 MB arrays).\n`
        : "Bandwidth bound at an assumed 15 GB/s (no copy bandwidth measured in this run).\n",
    );
  }
  out.push(
    `| rule, params ${head} best Descent vs tfjs-wasm | Descent GB/s | bandwidth bound (ms) | Descent / bound | target: ≥5× vs tfjs-wasm and ≤2× bound |`,
  );
  out.push("|---|---|---|---|---|---|---|---|---|---|");
  for (const w of list.filter((x) => x.group === "optim")) {
    const r = res[w.id] ?? {};
    const b = best(r);
    const wasm = r["tfjs-wasm"]?.median;
    const boundMs = w.bytes === undefined ? Number.NaN : w.bytes / (bw * 1e6);
    const ok = b === undefined || wasm === undefined ? undefined : wasm / b >= 5 && b <= 2 * boundMs;
    const gbs = b ? fmt(w.bytes / (b * 1e6), 1) : "n/a";
    const vsBound = b ? `${(b / boundMs).toFixed(1)}×` : "n/a";
    out.push(
      `| ${w.label} | ${engines.map((e) => fmt(r[e]?.median)).join(" | ")} | ${ratio(wasm, b)} | ${gbs} | ${fmt(boundMs)} | ${vsBound} | ${verdict(ok)} |`,
    );
  }

  if (wrapper.length) {
    out.push(
      "\n### @descent/tfjs: Descent's Adam inside TF.js against TF.js's own Adam (median ms; same model, same backend, timed in alternation)\n",
    );
    out.push(
      "A whole step is `optimizer.minimize(loss)` (forward, backward, update); the update alone is `applyGradients` with fixed gradients. The wrapper's overhead is its update against the same Descent Adam step on plain `Float32Array`s of the same sizes: what it adds by copying each variable once, making the new tensors and assigning them (it reads the gradients in place: `transfers`).\n",
    );
    out.push(
      "| model | backend | params | step: tf.train.adam | step: DescentOptimizer | difference per step | update: tf.train.adam | update: DescentOptimizer | update: Descent Adam on Float32Arrays | wrapper overhead per update | copies per step |",
    );
    out.push("|---|---|---|---|---|---|---|---|---|---|---|");
    const diff = (a, b) =>
      `${b - a >= 0 ? "+" : "−"}${fmt(Math.abs(b - a), 3)} ms (${((b / a) * 100 - 100).toFixed(0)} %)`;
    for (const r of wrapper) {
      const copies = `${r.transfers.paramCopies} variables, ${r.transfers.gradCopies} gradients`;
      out.push(
        `| ${r.label.replace(/, Adam: one step$/, "")} | ${r.backend} | ${r.params} | ${fmt(r.step.tf.median, 3)} | ${fmt(r.step.descent.median, 3)} | ${diff(r.step.tf.median, r.step.descent.median)} | ${fmt(r.update.tf.median, 3)} | ${fmt(r.update.descent.median, 3)} | ${fmt(r.update.plain.median, 3)} | ${diff(r.update.plain.median, r.update.descent.median)} | ${copies} |`,
      );
    }
  }

  if (startup) {
    out.push(
      "\n### Start-up: fresh process, import + first op (median of 7 processes per row, the rows' processes in alternation)\n",
    );
    out.push("| | CPU time (ms) | wall time since process start (ms) | target |");
    out.push("|---|---|---|---|");
    for (const [k, v] of Object.entries(startup)) {
      const base = startup.node?.cpuMs;
      const target = k.startsWith("descent")
        ? // The library's cost is what it adds to an empty Node process (Node's own boot is not Descent's).
          `< 100 ms over an empty process: ${verdict(v && base ? v.cpuMs - base < 100 : undefined)} (${fmt(v && base ? v.cpuMs - base : undefined, 1)} ms)`
        : "";
      out.push(
        `| ${k === "node" ? "empty Node process" : k} | ${fmt(v?.cpuMs, 1)} | ${fmt(v?.wallMs, 1)} | ${target} |`,
      );
    }
  }
  if (memory.length) {
    out.push(
      "\n### Memory: steady-state training (Descent, WASM backend, fresh process; heap + ArrayBuffers after full GCs)\n",
    );
    out.push(
      "| workload | steps | after 10 % of the steps (MiB) | at the end (MiB) | growth (MiB) | largest rise between tenths (MiB) | target: no growth |",
    );
    out.push("|---|---|---|---|---|---|---|");
    for (const m of memory) {
      const ok = m.gcAvailable ? m.growthMiB < 1 : undefined;
      out.push(
        `| ${m.id} | ${m.steps} | ${fmt(m.startMiB, 2)} | ${fmt(m.endMiB, 2)} | ${fmt(m.growthMiB, 2)} | ${fmt(m.maxStepMiB, 2)} | ${verdict(ok)} |`,
      );
    }
  }
  return out.join("\n");
}

/**
 * `@descent/tfjs`'s overhead: the same TF.js model trained by TF.js's own Adam and by Descent's Adam
 * wrapped as a TF.js optimizer (`DescentOptimizer`), on TF.js's cpu and wasm backends. Two
 * measurements per model, each pair timed in alternation: a whole training step
 * (`optimizer.minimize`: forward, backward, update) and the update alone (`applyGradients` with
 * fixed gradients), the latter also against the same Descent Adam on plain `Float32Array`s, which
 * isolates what the wrapper adds (copies, the new tensors, `assign`).
 */
import { Adam } from "@descent/optim";
import { DescentOptimizer } from "@descent/tfjs";
import { randomArray, timeInterleaved } from "./timing.mjs";
import { HYPER, workloads } from "./workloads.mjs";

/** The training workloads (the MLPs), as the rows of this table. */
const MODELS = workloads().filter((w) => w.group === "train");

function variables(tf, sizes, prefix) {
  const vars = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const bound = 1 / Math.sqrt(sizes[l]);
    const kernel = tf.tensor2d(randomArray(sizes[l] * sizes[l + 1], 10 + l, bound), [sizes[l], sizes[l + 1]]);
    vars.push(tf.variable(kernel, true, `${prefix}/w${l}`));
    vars.push(tf.variable(tf.tensor1d(randomArray(sizes[l + 1], 20 + l, bound)), true, `${prefix}/b${l}`));
    kernel.dispose();
  }
  return vars;
}

function lossFn(tf, { act, loss }, vars, x, y) {
  return () => {
    let h = x;
    for (let l = 0; l < vars.length; l += 2) {
      h = tf.add(tf.matMul(h, vars[l]), vars[l + 1]);
      if (l + 2 < vars.length) h = act === "relu" ? tf.relu(h) : tf.tanh(h);
    }
    return loss === "ce" ? tf.losses.softmaxCrossEntropy(y, h) : tf.losses.meanSquaredError(y, h);
  };
}

let serial = 0;

/** Times one model on the active TF.js backend: returns { step: {tf, descent}, update: {tf, descent} }. */
function measure(tf, w, opts) {
  const { sizes, loss, batch } = w;
  const x = tf.tensor2d(randomArray(batch * sizes[0], 1), [batch, sizes[0]]);
  const out = sizes[sizes.length - 1];
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7) % out);
  const y =
    loss === "ce"
      ? tf.oneHot(tf.tensor1d(labels, "int32"), out)
      : tf.tensor2d(randomArray(batch, 2), [batch, 1]);
  const id = ++serial;
  const ours = variables(tf, sizes, `wrap${id}/descent`);
  const theirs = variables(tf, sizes, `wrap${id}/tfjs`);
  const tfAdam = tf.train.adam(HYPER.lr, HYPER.betas[0], HYPER.betas[1], HYPER.eps);
  const descent = new DescentOptimizer(
    "adam",
    { lr: HYPER.lr, betas: HYPER.betas, eps: HYPER.eps },
    { variables: ours },
  );
  const step = timeInterleaved(
    [
      { name: "tf", run: () => tfAdam.minimize(lossFn(tf, w, theirs, x, y), false, theirs) },
      { name: "descent", run: () => descent.minimize(lossFn(tf, w, ours, x, y), false, ours) },
    ],
    opts,
  );
  const gradsOf = (vars) =>
    Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(randomArray(v.size, 40 + i, 1e-2), v.shape)]));
  const gTheirs = gradsOf(theirs);
  const gOurs = gradsOf(ours);
  const plain = ours.map((v) => ({
    data: Float32Array.from(v.dataSync()),
    grad: { data: Float32Array.from(gOurs[v.name].dataSync()) },
  }));
  const plainAdam = new Adam(plain, { lr: HYPER.lr, betas: HYPER.betas, eps: HYPER.eps });
  const update = timeInterleaved(
    [
      { name: "tf", run: () => tfAdam.applyGradients(gTheirs) },
      { name: "descent", run: () => descent.applyGradients(gOurs) },
      { name: "plain", run: () => plainAdam.step() },
    ],
    opts,
  );
  const transfers = { ...descent.transfers };
  tfAdam.dispose();
  descent.dispose();
  tf.dispose([x, y, ...ours, ...theirs, ...Object.values(gTheirs), ...Object.values(gOurs)]);
  return { step, update, transfers, params: ours.reduce((n, v) => n + v.size, 0) };
}

/**
 * Runs every model on each TF.js engine (activating it first); returns rows
 * `{ id, label, backend, params, step, update, transfers }`.
 *
 * @param {{ name: string, activate: () => Promise<unknown>, tf: unknown }[]} engines
 */
export async function wrapperOverhead(engines, { log = () => {} } = {}) {
  const rows = [];
  for (const e of engines) {
    await e.activate();
    for (const w of MODELS) {
      const opts = { warmup: 3, minReps: 7, budgetMs: 1500 };
      const r = measure(e.tf, w, opts);
      rows.push({ id: w.id, label: w.label, backend: e.name, ...r });
      log(
        `${e.name.padEnd(13)} wrapper ${w.id.padEnd(12)} step ${r.step.tf.median.toFixed(3)} vs ${r.step.descent.median.toFixed(3)} ms, update ${r.update.tf.median.toFixed(3)} vs ${r.update.descent.median.toFixed(3)} ms (plain ${r.update.plain.median.toFixed(3)})`,
      );
    }
  }
  return rows;
}

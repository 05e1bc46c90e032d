/**
 * TensorFlow.js implementations of the workloads, for its `cpu` backend and its `wasm` backend
 * (SIMD, one thread; the .wasm files are loaded from node_modules by file path).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as OPTIM from "@descent/optim";
import { randomArray } from "./timing.mjs";
import { HYPER } from "./workloads.mjs";

const require = createRequire(import.meta.url);

/** @param {"cpu" | "wasm"} name */
export async function tfjsEngine(name) {
  const tf = await import("@tensorflow/tfjs");
  if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
    wasm.setWasmPaths(`${join(dir, "dist")}/`);
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    wasm.setThreadsCount?.(1);
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs: backend ${name} failed to initialise`);
  await tf.ready();
  const simd = name === "wasm" ? tf.env().getBool("WASM_HAS_SIMD_SUPPORT") : false;
  return {
    name: `tfjs-${name}`,
    note: name === "wasm" ? `tfjs-backend-wasm 4.22.0, SIMD ${simd ? "on" : "off"}, 1 thread` : "tfjs 4.22.0",
    /** Makes this backend the active one (TF.js keeps one global backend). */
    activate: () => tf.setBackend(name),
    setup: (w) => setup(tf, w, name),
    /** The TF.js module, for the wrapper-overhead measurements (src/tfjs-wrapper.mjs). */
    tf,
  };
}

function setup(tf, w, backend) {
  if (w.group === "train") return mlp(tf, w);
  if (w.group === "matmul") return backend === "cpu" && w.n > 512 ? null : matmul(tf, w.n);
  if (w.group === "optim")
    return backend === "cpu" && w.size > 1e6 && w.rule !== "adam" ? null : optim(tf, w);
  return null;
}

function mlp(tf, { sizes, act, loss, batch }) {
  const vars = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const bound = 1 / Math.sqrt(sizes[l]);
    vars.push(
      tf.variable(tf.tensor2d(randomArray(sizes[l] * sizes[l + 1], 10 + l, bound), [sizes[l], sizes[l + 1]])),
    );
    vars.push(tf.variable(tf.tensor1d(randomArray(sizes[l + 1], 20 + l, bound))));
  }
  const x = tf.tensor2d(randomArray(batch * sizes[0], 1), [batch, sizes[0]]);
  const out = sizes[sizes.length - 1];
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7) % out);
  const y =
    loss === "ce"
      ? tf.oneHot(tf.tensor1d(labels, "int32"), out)
      : tf.tensor2d(randomArray(batch, 2), [batch, 1]);
  const opt = tf.train.adam(HYPER.lr, HYPER.betas[0], HYPER.betas[1], HYPER.eps);
  const f = () => {
    let h = x;
    for (let l = 0; l < vars.length; l += 2) {
      h = tf.add(tf.matMul(h, vars[l]), vars[l + 1]);
      if (l + 2 < vars.length) h = act === "relu" ? tf.relu(h) : tf.tanh(h);
    }
    return loss === "ce" ? tf.losses.softmaxCrossEntropy(y, h) : tf.losses.meanSquaredError(y, h);
  };
  return {
    run: () => opt.minimize(f, false, vars),
    dispose: () => {
      opt.dispose();
      tf.dispose([...vars, x, y]);
    },
  };
}

function matmul(tf, n) {
  const a = tf.tensor2d(randomArray(n * n, 3), [n, n]);
  const b = tf.tensor2d(randomArray(n * n, 4), [n, n]);
  return {
    run: () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

/**
 * TF.js's optimizer for a catalog rule, with the same hyperparameters as the Descent row (the
 * catalog's defaults, `lr = HYPER.lr`), or undefined where TF.js has no such rule.
 */
function tfjsOptimizer(tf, rule) {
  const O = OPTIM;
  const v = O.defaultValues(O.optimizerEntry(rule));
  const lr = HYPER.lr;
  switch (rule) {
    case "sgd":
      return tf.train.sgd(lr);
    case "momentum":
      return tf.train.momentum(lr, v.momentum);
    case "adagrad":
      return tf.train.adagrad(lr, v.initialAccumulatorValue);
    case "rmsprop":
      return tf.train.rmsprop(lr, v.alpha, 0, v.eps);
    case "adam":
      return tf.train.adam(lr, v.beta1, v.beta2, v.eps);
    case "adamax":
      return tf.train.adamax(lr, v.beta1, v.beta2, v.eps);
    case "adadelta":
      return tf.train.adadelta(lr, v.rho, v.eps);
    default:
      return undefined;
  }
}

function optim(tf, { rule, size }) {
  const opt = tfjsOptimizer(tf, rule);
  if (opt === undefined) return null;
  const p = tf.variable(tf.tensor1d(randomArray(size, 5)));
  const g = tf.tensor1d(randomArray(size, 6, 1e-2));
  return {
    run: () => opt.applyGradients({ [p.name]: g }),
    dispose: () => {
      opt.dispose();
      tf.dispose([p, g]);
    },
    heavy: size >= 1e7,
  };
}

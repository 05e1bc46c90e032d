#!/usr/bin/env node
/**
 * TF.js's own Adam against Descent's Adam and AdamW + OneCycleLR through `@descent/tfjs`, on real
 * data, over several seeds: the same model, the same initial weights, the same batches.
 *
 *   pnpm --filter @descent/tfjs build && node packages/tfjs/scripts/compare-accuracy.mjs [--dataset=iris|mnist] [--seeds=5]
 *
 * Prints each run's test accuracy and the means. The settings are those of `src/fit.test.ts`
 * (which runs one seed of iris).
 */
import { OneCycleLR } from "@descent/optim";
import * as tf from "@tensorflow/tfjs";
import { DescentOptimizer, schedulerCallback } from "../dist/index.js";
import { iris, mnist } from "./datasets.mjs";

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const dataset = arg("dataset", "iris");
const seeds = Number(arg("seeds", 5));
const SETTINGS = {
  iris: { hidden: 16, epochs: 8, batchSize: 16, lr: 0.01, maxLr: 0.05, weightDecay: 0.01 },
  mnist: { hidden: 64, epochs: 2, batchSize: 64, lr: 0.001, maxLr: 0.01, weightDecay: 0.01 },
};
const s = SETTINGS[dataset];

function model(inputs, classes, seed) {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: s.hidden,
        inputShape: [inputs],
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.dense({
        units: classes,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

async function run(data, seed, which) {
  const m = model(data.inputs, data.classes, seed);
  const xs = tf.tensor2d(data.xTrain, [data.yTrain.length, data.inputs]);
  const ys = tf.oneHot(tf.tensor1d(data.yTrain, "int32"), data.classes);
  const batches = Math.ceil(data.yTrain.length / s.batchSize);
  let optimizer;
  const callbacks = [];
  if (which === "tf.train.adam") optimizer = tf.train.adam(s.lr, 0.9, 0.999, 1e-8);
  else if (which === "Descent Adam") optimizer = new DescentOptimizer("adam", { lr: s.lr, eps: 1e-8 });
  else {
    optimizer = new DescentOptimizer(
      "adamw",
      { lr: s.lr, weightDecay: s.weightDecay },
      {
        variables: m,
        groups: [{ match: /\/bias$/, weightDecay: 0 }],
      },
    );
    const schedule = new OneCycleLR(optimizer, { maxLr: s.maxLr, totalSteps: s.epochs * batches });
    callbacks.push(schedulerCallback(schedule, "batch"));
  }
  m.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  await m.fit(xs, ys, { epochs: s.epochs, batchSize: s.batchSize, shuffle: false, verbose: 0, callbacks });
  const predicted = tf.tidy(() =>
    m.predict(tf.tensor2d(data.xTest, [data.yTest.length, data.inputs])).argMax(-1),
  );
  const p = predicted.dataSync();
  const correct = data.yTest.reduce((n, y, i) => n + (p[i] === y ? 1 : 0), 0);
  tf.dispose([xs, ys, predicted]);
  m.dispose();
  optimizer.dispose();
  return correct / data.yTest.length;
}

await tf.setBackend("cpu");
const runs = ["tf.train.adam", "Descent Adam", "Descent AdamW + OneCycleLR"];
const sums = Object.fromEntries(runs.map((r) => [r, 0]));
console.log(`${dataset}: ${JSON.stringify(s)}, ${seeds} seeds`);
for (let seed = 1; seed <= seeds; seed++) {
  const data = dataset === "iris" ? iris(seed) : mnist(seed);
  const line = [];
  for (const r of runs) {
    const acc = await run(data, seed, r);
    sums[r] += acc / seeds;
    line.push(`${r} ${(acc * 100).toFixed(1)} %`);
  }
  console.log(`seed ${seed}: ${line.join(", ")}`);
}
console.log(`mean: ${runs.map((r) => `${r} ${(sums[r] * 100).toFixed(2)} %`).join(", ")}`);

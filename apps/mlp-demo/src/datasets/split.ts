import { Random } from "../random.js";
import { type Split, STREAM } from "./types.js";

/**
 * Splits `n` samples into a train and a test part by a seeded permutation: the first `nTest`
 * shuffled indices are the test set, the rest (in shuffled order) the train set.
 */
export function shuffleSplit(
  x: Float64Array,
  y: Float64Array,
  n: number,
  nTest: number,
  seed: number,
): { train: Split; test: Split } {
  if (nTest <= 0 || nTest >= n) throw new Error(`shuffleSplit: test size ${nTest} must be in (0, ${n})`);
  const perm = new Random(seed, STREAM.split).permutation(n);
  return { test: take(x, y, n, perm.subarray(0, nTest)), train: take(x, y, n, perm.subarray(nTest)) };
}

/** The rows `idx` of (x, y), copied. */
export function take(x: Float64Array, y: Float64Array, n: number, idx: ArrayLike<number>): Split {
  const dx = x.length / n;
  const dy = y.length / n;
  const m = idx.length;
  const ox = new Float64Array(m * dx);
  const oy = new Float64Array(m * dy);
  for (let r = 0; r < m; r++) {
    const i = idx[r];
    ox.set(x.subarray(i * dx, (i + 1) * dx), r * dx);
    oy.set(y.subarray(i * dy, (i + 1) * dy), r * dy);
  }
  return { n: m, x: ox, y: oy };
}

/** The first `limit` samples of a split (all of it when `limit` is undefined or larger). */
export function head(s: Split, limit: number | undefined): Split {
  if (limit === undefined || limit >= s.n) return s;
  const dx = s.x.length / s.n;
  const dy = s.y.length / s.n;
  return { n: limit, x: s.x.slice(0, limit * dx), y: s.y.slice(0, limit * dy) };
}

/**
 * Standardises features in place with the train split's statistics (z = (x − μ) / σ per column),
 * applied to both splits, so no test information leaks into training.
 */
export function standardize(train: Split, test: Split, dim: number): void {
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let i = 0; i < train.n; i++) mean += train.x[i * dim + j];
    mean /= train.n;
    let v = 0;
    for (let i = 0; i < train.n; i++) v += (train.x[i * dim + j] - mean) ** 2;
    const sd = Math.sqrt(v / train.n) || 1;
    for (const s of [train, test])
      for (let i = 0; i < s.n; i++) s.x[i * dim + j] = (s.x[i * dim + j] - mean) / sd;
  }
}

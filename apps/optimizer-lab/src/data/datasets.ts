import { Random } from "./random.js";

/** The 2-D, two-class data sets of the network tab. */
export const DATASETS = ["spiral", "moons", "circles", "xor"] as const;
export type DatasetId = (typeof DATASETS)[number];

/** A labelled 2-D point set: `x` holds (x₀, y₀, x₁, y₁, …), `labels[i]` ∈ {0, 1}. */
export interface Points {
  readonly x: Float64Array;
  readonly labels: Int32Array;
}

export interface DatasetOptions {
  /** Number of points, split evenly between the two classes. */
  count: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. */
  noise: number;
  seed: number;
}

/** The square every data set is drawn in: points lie roughly in [−1, 1]², the view is [−1.5, 1.5]². */
export const DATA_EXTENT = 1.5;

/**
 * Synthesises a data set, deterministically from the seed. Shapes:
 * - spiral: two interleaved arms, r = t, θ = 3π·t + kπ for class k, t ∈ [0.12, 1];
 * - moons: two interleaving half circles (like scikit-learn's `make_moons`), centred and scaled by 1/1.5;
 * - circles: class 0 on the circle r = 0.5, class 1 on r = 1 (scikit-learn's `make_circles`, factor 0.5);
 * - xor: uniform in [−1, 1]² minus a band of width 0.1 around the axes, class 1 where x·y < 0.
 */
export function makeDataset(id: DatasetId, { count, noise, seed }: DatasetOptions): Points {
  if (!Number.isInteger(count) || count < 2)
    throw new RangeError(`makeDataset: count must be an integer ≥ 2, got ${count}`);
  if (!(noise >= 0)) throw new RangeError(`makeDataset: noise must be ≥ 0, got ${noise}`);
  const rng = new Random(seed, 1);
  const x = new Float64Array(2 * count);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % 2;
    let px: number;
    let py: number;
    switch (id) {
      case "spiral": {
        const t = 0.12 + 0.88 * rng.uniform();
        const th = 3 * Math.PI * t + k * Math.PI;
        px = t * Math.cos(th);
        py = t * Math.sin(th);
        break;
      }
      case "moons": {
        const t = Math.PI * rng.uniform();
        const mx = k === 0 ? Math.cos(t) : 1 - Math.cos(t);
        const my = k === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
        px = (mx - 0.5) / 1.5;
        py = (my - 0.25) / 1.5;
        break;
      }
      case "circles": {
        const t = 2 * Math.PI * rng.uniform();
        const r = k === 0 ? 0.5 : 1;
        px = r * Math.cos(t);
        py = r * Math.sin(t);
        break;
      }
      case "xor": {
        const sx = rng.uniform() < 0.5 ? -1 : 1;
        const sy = k === 0 ? sx : -sx; // class 1 where the signs differ
        px = sx * (0.05 + 0.95 * rng.uniform());
        py = sy * (0.05 + 0.95 * rng.uniform());
        break;
      }
      default:
        throw new RangeError(`makeDataset: unknown data set '${id as string}'`);
    }
    x[2 * i] = px + noise * rng.normal();
    x[2 * i + 1] = py + noise * rng.normal();
    labels[i] = k;
  }
  return { x, labels };
}

/** The test share of every data set (the rest is the training split). */
export const TEST_FRACTION = 0.3;

/** Splits points into train and test sets after a seeded shuffle; test gets ⌊n·fraction⌋ points. */
export function splitPoints(
  p: Points,
  seed: number,
  testFraction = TEST_FRACTION,
): { train: Points; test: Points } {
  const n = p.labels.length;
  const order = new Random(seed, 2).shuffle(Array.from({ length: n }, (_, i) => i));
  const nTest = Math.floor(n * testFraction);
  const pick = (idx: number[]): Points => {
    const x = new Float64Array(2 * idx.length);
    const labels = new Int32Array(idx.length);
    idx.forEach((j, i) => {
      x[2 * i] = p.x[2 * j];
      x[2 * i + 1] = p.x[2 * j + 1];
      labels[i] = p.labels[j];
    });
    return { x, labels };
  };
  return { test: pick(order.slice(0, nTest)), train: pick(order.slice(nTest)) };
}

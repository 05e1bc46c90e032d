import { Random } from "../random.js";
import { type Dataset, type Split, STREAM } from "./types.js";

/** Samples per split of the synthetic sets. */
export const SYNTH_TRAIN_SIZE = 800;
export const SYNTH_TEST_SIZE = 400;

/** One sample: features and a label (class index or target). */
type Sampler = (rng: Random, i: number) => { x: number[]; y: number };

function build(
  name: string,
  task: Dataset["task"],
  inputDim: number,
  outputDim: number,
  seed: number,
  sample: Sampler,
  classNames?: string[],
): Dataset {
  const rng = new Random(seed, STREAM.synth);
  const make = (n: number): Split => {
    const x = new Float64Array(n * inputDim);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = sample(rng, i);
      x.set(s.x, i * inputDim);
      y[i] = s.y;
    }
    return { n, x, y };
  };
  const train = make(SYNTH_TRAIN_SIZE);
  const test = make(SYNTH_TEST_SIZE);
  return { name, task, inputDim, outputDim, train, test, ...(classNames ? { classNames } : {}) };
}

/**
 * Three interleaved spiral arms (the CS231n spiral): class k, radius r ~ U(0, 1),
 * angle θ = 4k + 4r + 0.2·N(0, 1); the point is (r sin θ, r cos θ).
 */
export function spiral(seed: number): Dataset {
  return build(
    "spiral",
    "classification",
    2,
    3,
    seed,
    (rng) => {
      const k = rng.int(3);
      const r = rng.uniform();
      const t = 4 * k + 4 * r + 0.2 * rng.normal();
      return { x: [r * Math.sin(t), r * Math.cos(t)], y: k };
    },
    ["arm 0", "arm 1", "arm 2"],
  );
}

/**
 * Two interleaving half circles (scikit-learn's make_moons), θ ~ U(0, π), Gaussian noise σ = 0.15:
 * class 0 at (cos θ, sin θ), class 1 at (1 − cos θ, 0.5 − sin θ); centred by (−0.5, −0.25).
 */
export function moons(seed: number): Dataset {
  return build(
    "moons",
    "classification",
    2,
    2,
    seed,
    (rng) => {
      const k = rng.int(2);
      const t = Math.PI * rng.uniform();
      const px = k === 0 ? Math.cos(t) : 1 - Math.cos(t);
      const py = k === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      return { x: [px - 0.5 + 0.15 * rng.normal(), py - 0.25 + 0.15 * rng.normal()], y: k };
    },
    ["upper", "lower"],
  );
}

/**
 * Two concentric circles (scikit-learn's make_circles, factor 0.5): class 0 on radius 1, class 1 on
 * radius 0.5, angle θ ~ U(0, 2π), Gaussian noise σ = 0.08.
 */
export function circles(seed: number): Dataset {
  return build(
    "circles",
    "classification",
    2,
    2,
    seed,
    (rng) => {
      const k = rng.int(2);
      const r = k === 0 ? 1 : 0.5;
      const t = 2 * Math.PI * rng.uniform();
      return { x: [r * Math.cos(t) + 0.08 * rng.normal(), r * Math.sin(t) + 0.08 * rng.normal()], y: k };
    },
    ["outer", "inner"],
  );
}

/** XOR: (x, y) ~ U(−1, 1)², class 1 when x·y > 0, features jittered by N(0, 0.05²) after labelling. */
export function xor(seed: number): Dataset {
  return build(
    "xor",
    "classification",
    2,
    2,
    seed,
    (rng) => {
      const a = 2 * rng.uniform() - 1;
      const b = 2 * rng.uniform() - 1;
      return { x: [a + 0.05 * rng.normal(), b + 0.05 * rng.normal()], y: a * b > 0 ? 1 : 0 };
    },
    ["different sign", "same sign"],
  );
}

/** 1-D regression: x ~ U(−π, π), target sin(x) + N(0, 0.1²). */
export function sine(seed: number): Dataset {
  return build("sine", "regression", 1, 1, seed, (rng) => {
    const x = Math.PI * (2 * rng.uniform() - 1);
    return { x: [x], y: Math.sin(x) + 0.1 * rng.normal() };
  });
}

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type AdagradHyperparameters, adagradStep } from "../adagrad.js";
import { type AdamHyperparameters, adamStep } from "../adam.js";
import { adamwStep } from "../adamw.js";
import { WASM_MIN_ELEMENTS, withKernelBackend } from "../kernel-backend.js";
import { type RMSpropHyperparameters, rmspropStep } from "../rmsprop.js";
import { type SGDHyperparameters, sgdStep } from "../sgd.js";
import { wasmSimdSupported } from "./module.js";
import { STREAM_CHUNK } from "./stream.js";

// The WASM kernels (asm/*.ts) must give the same bits as the float32 TypeScript loops, which the
// fixtures pin to an independent port of torch.optim (pytorch-reference.test.ts). Each case runs
// a few steps on two copies of the same arrays, one on each backend, and compares every bit,
// state included. Sizes straddle the SIMD width (4), the WASM threshold and the stream chunk.

const run = wasmSimdSupported() ? describe : describe.skip;

function randomF32(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** Index of the first element whose bits differ, or −1 (NaN payloads are compared too). */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}

/** Runs `steps` on fresh arrays under each backend; expects identical bits in every array. */
function sameBits(
  arrays: (n: number) => Float32Array[],
  n: number,
  steps: (arrays: Float32Array[], t: number) => void,
  stepCount = 3,
): void {
  const results = (["js", "wasm"] as const).map((backend) =>
    withKernelBackend(
      backend,
      () => {
        const a = arrays(n);
        for (let t = 1; t <= stepCount; t++) steps(a, t);
        return a;
      },
      1,
    ),
  );
  results[0].forEach((js, k) => {
    const i = firstBitDifference(js, results[1][k]);
    expect(i, `array ${k}, element ${i}: js ${js[i]} vs wasm ${results[1][k][i]}`).toBe(-1);
  });
}

const SIZES = [
  1,
  3,
  4,
  5,
  17,
  WASM_MIN_ELEMENTS - 1,
  WASM_MIN_ELEMENTS,
  WASM_MIN_ELEMENTS + 1,
  STREAM_CHUNK - 1,
  STREAM_CHUNK,
  STREAM_CHUNK + 5,
  2 * STREAM_CHUNK + 3,
];

/** p, g and `state` zero or random state arrays; g holds a NaN and an Infinity when `nonFinite`. */
function makeArrays(state: number, randomState: boolean, nonFinite = false): (n: number) => Float32Array[] {
  return (n) => {
    const p = randomF32(n, 1 + n, 2);
    const g = randomF32(n, 2 + n, 0.5);
    if (nonFinite && n > 2) {
      g[1] = Number.NaN;
      g[n - 1] = Number.NEGATIVE_INFINITY;
    }
    const s = Array.from({ length: state }, (_, k) =>
      randomState ? randomF32(n, 10 + k + n, 0.1).map(Math.abs) : new Float32Array(n),
    );
    return [p, g, ...s];
  };
}

run("WASM kernels against the float32 TypeScript loops: the same bits", () => {
  const adamOptions: AdamHyperparameters[] = [
    { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    { lr: 0.05, betas: [0.3, 0.9], eps: 1e-6, weightDecay: 0.1, amsgrad: true, maximize: true },
    { lr: 0.01, betas: [0.95, 0.99], eps: 1e-3, weightDecay: 0.01, amsgrad: false, maximize: false },
  ];
  for (const n of SIZES) {
    adamOptions.forEach((h, k) => {
      test(`Adam and AdamW, options ${k}, n = ${n}`, () => {
        for (const step of [adamStep, adamwStep]) {
          sameBits(makeArrays(3, k === 2), n, ([p, g, m, v, vmax], t) => step(p, g, m, v, vmax, t, h));
        }
      });
    });
  }

  const sgdOptions: SGDHyperparameters[] = [
    { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false },
    { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 1e-2, maximize: true },
    { lr: 0.03, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 0, maximize: false },
  ];
  for (const n of SIZES) {
    sgdOptions.forEach((h, k) => {
      test(`SGD, options ${k}, n = ${n}`, () => {
        sameBits(makeArrays(1, false), n, ([p, g, b], t) => sgdStep(p, g, b, t === 1, h));
      });
    });
  }

  const adagradOptions: AdagradHyperparameters[] = [
    { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
    { lr: 0.1, lrDecay: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.5, eps: 1e-6, maximize: true },
  ];
  for (const n of SIZES) {
    adagradOptions.forEach((h, k) => {
      test(`Adagrad, options ${k}, n = ${n}`, () => {
        sameBits(makeArrays(1, k === 1), n, ([p, g, sum], t) => adagradStep(p, g, sum, t, h));
      });
    });
  }

  const rmspropOptions: RMSpropHyperparameters[] = [
    { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
    { lr: 0.01, alpha: 0.3, eps: 1e-6, weightDecay: 0.1, momentum: 0.9, centered: true, maximize: true },
    { lr: 0.02, alpha: 0.9, eps: 1e-8, weightDecay: 0, momentum: 0.5, centered: false, maximize: false },
  ];
  for (const n of SIZES) {
    rmspropOptions.forEach((h, k) => {
      test(`RMSprop, options ${k}, n = ${n}`, () => {
        sameBits(makeArrays(3, true), n, ([p, g, sq, ga, b]) => rmspropStep(p, g, sq, ga, b, h));
      });
    });
  }

  test("NaN and ±Infinity in the gradient propagate the same way (PyTorch's behaviour)", () => {
    const h = adamOptions[1];
    sameBits(makeArrays(3, false, true), 70, ([p, g, m, v, vmax], t) => adamStep(p, g, m, v, vmax, t, h));
    sameBits(makeArrays(1, false, true), 70, ([p, g, b], t) => sgdStep(p, g, b, t === 1, sgdOptions[1]));
    sameBits(makeArrays(1, false, true), 70, ([p, g, s], t) => adagradStep(p, g, s, t, adagradOptions[1]));
    sameBits(makeArrays(3, true, true), 70, ([p, g, sq, ga, b]) =>
      rmspropStep(p, g, sq, ga, b, rmspropOptions[1]),
    );
  });

  test("options that round to 0 in float32 still apply their terms, as PyTorch's Python-float tests say", () => {
    // λ = 1e-50 ≠ 0, so PyTorch runs g.add(p, alpha=λ), whose float32 alpha is 0: g + 0·p turns
    // an infinite p into NaN. The kernels get "apply this term" as a flag computed on the float64
    // option, not from the float32 value they receive, so they agree with the loops.
    const infiniteFirst = (state: number) => (n: number) => {
      const a = makeArrays(state, false)(n);
      a[0][0] = Number.POSITIVE_INFINITY;
      return a;
    };
    const sgdH = { ...sgdOptions[0], weightDecay: 1e-50 };
    sameBits(infiniteFirst(1), 70, ([p, g, b], t) => sgdStep(p, g, b, t === 1, sgdH), 1);
    const [p, g, b] = infiniteFirst(1)(70);
    withKernelBackend("wasm", () => sgdStep(p, g, b, true, sgdH), 1);
    expect(p[0]).toBeNaN();
    // μ = 1e-50: the momentum buffer is kept (b ← 0·b + (1 − τ)·g), so the update is (1 − τ)·g.
    const sgdMu = { ...sgdOptions[1], weightDecay: 0, momentum: 1e-50 };
    sameBits(makeArrays(1, false), 70, ([p, g, b], t) => sgdStep(p, g, b, t === 1, sgdMu));
    const adagradH = { ...adagradOptions[0], weightDecay: 1e-50 };
    sameBits(infiniteFirst(1), 70, ([p, g, s], t) => adagradStep(p, g, s, t, adagradH), 1);
    const rmsH = { ...rmspropOptions[0], weightDecay: 1e-50, momentum: 1e-50 };
    sameBits(infiniteFirst(3), 70, ([p, g, sq, ga, b]) => rmspropStep(p, g, sq, ga, b, rmsH), 1);
    const adamH = { ...adamOptions[0], weightDecay: 1e-50 };
    sameBits(infiniteFirst(3), 70, ([p, g, m, v, vmax], t) => adamStep(p, g, m, v, vmax, t, adamH), 1);
  });

  test("random sizes, scales and hyperparameters (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
        fc.boolean(),
        (n, lr, beta1, beta2, amsgrad) => {
          const h: AdamHyperparameters = { ...adamOptions[0], lr, betas: [beta1, beta2], amsgrad };
          sameBits(makeArrays(3, false), n, ([p, g, m, v, vmax], t) => adamStep(p, g, m, v, vmax, t, h));
        },
      ),
      { numRuns: 60 },
    );
  });
});

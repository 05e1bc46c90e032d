import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type AdagradHyperparameters, adagradStep } from "../adagrad.js";
import { type AdamHyperparameters, adamStep } from "../adam.js";
import { adamwStep } from "../adamw.js";
import { withKernelBackend } from "../kernel-backend.js";
import { type RMSpropHyperparameters, rmspropStep } from "../rmsprop.js";
import { expectSameBitsOnBothBackends, KERNEL_SIZES, kernelArrays } from "../rule-contract.testutil.js";
import { type SGDHyperparameters, sgdStep } from "../sgd.js";
import { wasmSimdSupported } from "./module.js";

// The WASM kernels (asm/*.ts) must give the same bits as the float32 TypeScript loops, which the
// fixtures pin to an independent port of torch.optim (pytorch-reference.test.ts). Each case runs
// a few steps on two copies of the same arrays, one on each backend, and compares every bit,
// state included. Sizes straddle the SIMD width (4), the WASM threshold and the stream chunk.

const run = wasmSimdSupported() ? describe : describe.skip;

run("WASM kernels against the float32 TypeScript loops: the same bits", () => {
  const adamOptions: AdamHyperparameters[] = [
    { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    { lr: 0.05, betas: [0.3, 0.9], eps: 1e-6, weightDecay: 0.1, amsgrad: true, maximize: true },
    { lr: 0.01, betas: [0.95, 0.99], eps: 1e-3, weightDecay: 0.01, amsgrad: false, maximize: false },
  ];
  for (const n of KERNEL_SIZES) {
    adamOptions.forEach((h, k) => {
      test(`Adam and AdamW, options ${k}, n = ${n}`, () => {
        for (const step of [adamStep, adamwStep]) {
          expectSameBitsOnBothBackends(kernelArrays(3, k === 2), n, ([p, g, m, v, vmax], t) =>
            step(p, g, m, v, vmax, t, h),
          );
        }
      });
    });
  }

  const sgdOptions: SGDHyperparameters[] = [
    { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false },
    { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 1e-2, maximize: true },
    { lr: 0.03, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 0, maximize: false },
  ];
  for (const n of KERNEL_SIZES) {
    sgdOptions.forEach((h, k) => {
      test(`SGD, options ${k}, n = ${n}`, () => {
        expectSameBitsOnBothBackends(kernelArrays(1, false), n, ([p, g, b], t) =>
          sgdStep(p, g, b, t === 1, h),
        );
      });
    });
  }

  const adagradOptions: AdagradHyperparameters[] = [
    { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
    { lr: 0.1, lrDecay: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.5, eps: 1e-6, maximize: true },
  ];
  for (const n of KERNEL_SIZES) {
    adagradOptions.forEach((h, k) => {
      test(`Adagrad, options ${k}, n = ${n}`, () => {
        expectSameBitsOnBothBackends(kernelArrays(1, k === 1), n, ([p, g, sum], t) =>
          adagradStep(p, g, sum, t, h),
        );
      });
    });
  }

  const rmspropOptions: RMSpropHyperparameters[] = [
    { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
    { lr: 0.01, alpha: 0.3, eps: 1e-6, weightDecay: 0.1, momentum: 0.9, centered: true, maximize: true },
    { lr: 0.02, alpha: 0.9, eps: 1e-8, weightDecay: 0, momentum: 0.5, centered: false, maximize: false },
  ];
  for (const n of KERNEL_SIZES) {
    rmspropOptions.forEach((h, k) => {
      test(`RMSprop, options ${k}, n = ${n}`, () => {
        expectSameBitsOnBothBackends(kernelArrays(3, true), n, ([p, g, sq, ga, b]) =>
          rmspropStep(p, g, sq, ga, b, h),
        );
      });
    });
  }

  test("NaN and ±Infinity in the gradient propagate the same way (PyTorch's behaviour)", () => {
    const h = adamOptions[1];
    expectSameBitsOnBothBackends(kernelArrays(3, false, true), 70, ([p, g, m, v, vmax], t) =>
      adamStep(p, g, m, v, vmax, t, h),
    );
    expectSameBitsOnBothBackends(kernelArrays(1, false, true), 70, ([p, g, b], t) =>
      sgdStep(p, g, b, t === 1, sgdOptions[1]),
    );
    expectSameBitsOnBothBackends(kernelArrays(1, false, true), 70, ([p, g, s], t) =>
      adagradStep(p, g, s, t, adagradOptions[1]),
    );
    expectSameBitsOnBothBackends(kernelArrays(3, true, true), 70, ([p, g, sq, ga, b]) =>
      rmspropStep(p, g, sq, ga, b, rmspropOptions[1]),
    );
  });

  test("options that round to 0 in float32 still apply their terms, as PyTorch's Python-float tests say", () => {
    // λ = 1e-50 ≠ 0, so PyTorch runs g.add(p, alpha=λ), whose float32 alpha is 0: g + 0·p turns
    // an infinite p into NaN. The kernels get "apply this term" as a flag computed on the float64
    // option, not from the float32 value they receive, so they agree with the loops.
    const infiniteFirst = (state: number) => (n: number) => {
      const a = kernelArrays(state, false)(n);
      a[0][0] = Number.POSITIVE_INFINITY;
      return a;
    };
    const sgdH = { ...sgdOptions[0], weightDecay: 1e-50 };
    expectSameBitsOnBothBackends(infiniteFirst(1), 70, ([p, g, b], t) => sgdStep(p, g, b, t === 1, sgdH), 1);
    const [p, g, b] = infiniteFirst(1)(70);
    withKernelBackend("wasm", () => sgdStep(p, g, b, true, sgdH), 1);
    expect(p[0]).toBeNaN();
    // μ = 1e-50: the momentum buffer is kept (b ← 0·b + (1 − τ)·g), so the update is (1 − τ)·g.
    const sgdMu = { ...sgdOptions[1], weightDecay: 0, momentum: 1e-50 };
    expectSameBitsOnBothBackends(kernelArrays(1, false), 70, ([p, g, b], t) =>
      sgdStep(p, g, b, t === 1, sgdMu),
    );
    const adagradH = { ...adagradOptions[0], weightDecay: 1e-50 };
    expectSameBitsOnBothBackends(
      infiniteFirst(1),
      70,
      ([p, g, s], t) => adagradStep(p, g, s, t, adagradH),
      1,
    );
    const rmsH = { ...rmspropOptions[0], weightDecay: 1e-50, momentum: 1e-50 };
    expectSameBitsOnBothBackends(
      infiniteFirst(3),
      70,
      ([p, g, sq, ga, b]) => rmspropStep(p, g, sq, ga, b, rmsH),
      1,
    );
    const adamH = { ...adamOptions[0], weightDecay: 1e-50 };
    expectSameBitsOnBothBackends(
      infiniteFirst(3),
      70,
      ([p, g, m, v, vmax], t) => adamStep(p, g, m, v, vmax, t, adamH),
      1,
    );
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
          expectSameBitsOnBothBackends(kernelArrays(3, false), n, ([p, g, m, v, vmax], t) =>
            adamStep(p, g, m, v, vmax, t, h),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { Adagrad, type AdagradHyperparameters, adagradStep } from "./adagrad.js";
import {
  gradientAt,
  HAND_TOL,
  itMatchesReference,
  maxDeviation,
  REL_TOL,
  runHand,
  runTrajectory,
  STEPS,
  THETA0,
} from "./reference.testutil.js";

/**
 * PyTorch's Adagrad algorithm box, written independently of the kernel: the decayed lr γ̃ and the
 * sum of squares, one scalar at a time over plain arrays.
 */
function referenceAdagrad(h: AdagradHyperparameters, lrAt?: (t: number) => number): number[][] {
  const theta = [...THETA0];
  const sum = THETA0.map(() => h.initialAccumulatorValue);
  const out: number[][] = [];
  for (let t = 1; t <= STEPS; t++) {
    const lr = lrAt ? lrAt(t) : h.lr;
    const grad = gradientAt(theta, t);
    const decayedLr = lr / (1 + (t - 1) * h.lrDecay);
    for (let i = 0; i < 5; i++) {
      let g = h.maximize ? -grad[i] : grad[i];
      if (h.weightDecay !== 0) g += h.weightDecay * theta[i];
      sum[i] += g * g;
      theta[i] -= (decayedLr * g) / (Math.sqrt(sum[i]) + h.eps);
    }
    out.push([...theta]);
  }
  return out;
}

function combos(): AdagradHyperparameters[] {
  const out: AdagradHyperparameters[] = [];
  for (const lrDecay of [0, 0.1])
    for (const initialAccumulatorValue of [0, 0.1])
      for (const eps of [1e-10, 1e-3])
        for (const weightDecay of [0, 0.05])
          for (const maximize of [false, true])
            out.push({ lr: 0.05, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize });
  return out;
}

describe("Adagrad against an independent float64 reference of PyTorch's algorithm", () => {
  itMatchesReference(
    "Adagrad",
    combos(),
    32,
    "covers lrDecay × initialAccumulatorValue × eps × weightDecay × maximize",
    (h) => ({
      actual: runTrajectory((ps) => new Adagrad(ps, h)),
      expected: referenceAdagrad(h),
    }),
  );

  it("follows an lr written into the param group mid-training", () => {
    const h = {
      lr: 0.05,
      lrDecay: 0.05,
      weightDecay: 0.01,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    };
    const lrAt = (t: number) => (t % 20 < 10 ? 0.05 : 0.02);
    expect(
      maxDeviation(
        runTrajectory(
          (ps) => new Adagrad(ps, h),
          (t) => ({ lr: lrAt(t) }),
        ),
        referenceAdagrad(h, lrAt),
      ),
    ).toBeLessThanOrEqual(REL_TOL);
  });
});

describe("Adagrad hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  it("lr 0.1, lrDecay 0.5, weightDecay 0.1, initialAccumulatorValue 0.1", () => {
    const actual = runHand(
      (ps) => new Adagrad(ps, { lr: 0.1, lrDecay: 0.5, weightDecay: 0.1, initialAccumulatorValue: 0.1 }),
    );
    expect(
      maxDeviation(actual, [
        [0.9115348263201052, -1.9033012443247466],
        [0.8782286072643504, -1.903820709073822],
        [0.8967469716660639, -1.9001888414955392],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });

  it("constant gradient 1 from 0: steps lr/(√t + ε)", () => {
    const p = new Float64Array([0]);
    const sum = new Float64Array([0]);
    const h = {
      lr: 0.1,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    };
    let expected = 0;
    for (let t = 1; t <= 4; t++) {
      adagradStep(p, new Float64Array([1]), sum, t, h);
      expected -= 0.1 / (Math.sqrt(t) + 1e-10);
      expect(sum[0]).toBe(t);
      expect(p[0]).toBeCloseTo(expected, 15);
    }
  });
});

describe("Adagrad validation and defaults", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ lrDecay: -1 }, "Invalid lrDecay value: -1 (PyTorch: Invalid lr_decay value: -1)"],
    [{ weightDecay: -1 }, "Invalid weightDecay value: -1 (PyTorch: Invalid weight_decay value: -1)"],
    [
      { initialAccumulatorValue: -1 },
      "Invalid initialAccumulatorValue value: -1 (PyTorch: Invalid initial_accumulator_value value: -1)",
    ],
    [{ eps: -1 }, "Invalid epsilon value: -1"],
  ])("%j → %s", (options, message) => {
    expect(() => new Adagrad([p()], options)).toThrow(message);
  });

  it("defaults are PyTorch's (accumulator starts at 0, eps 1e-10)", () => {
    expect(new Adagrad([p()]).defaults).toEqual({
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    });
  });

  it("every sum starts from the constructor's initialAccumulatorValue, as in PyTorch", () => {
    const a = { data: new Float64Array(2), grad: { data: new Float64Array(2) } };
    const b = { data: new Float32Array(2), grad: { data: new Float32Array(2) } };
    const opt = new Adagrad([{ params: [a] }, { params: [b], initialAccumulatorValue: 0.5 }], {
      initialAccumulatorValue: 0.25,
    });
    // The state exists before the first step (PyTorch's Adagrad creates it in __init__).
    expect(opt.state.get(b)?.step).toBe(0);
    opt.step();
    expect([...(opt.state.get(a)?.sum ?? [])]).toEqual([0.25, 0.25]);
    // PyTorch ignores the group's own initial_accumulator_value (torch/optim/adagrad.py, __init__).
    expect(opt.state.get(b)?.sum).toEqual(new Float32Array([0.25, 0.25]));
  });
});

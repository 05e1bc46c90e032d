import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
import { RMSprop, type RMSpropHyperparameters, type RMSpropOptions, rmspropStep } from "./rmsprop.js";

/**
 * PyTorch's RMSprop algorithm box, written independently of the kernel, one scalar at a time over
 * plain arrays. ḡ is updated as PyTorch's code does it, `grad_avg.lerp_(grad, 1 − α)`, whose two
 * branches are written out here: `v − ḡ²` cancels catastrophically when α is small (ḡ² ≈ v), so
 * the box's `α·ḡ + (1 − α)·g`, equal up to rounding, would differ from PyTorch by ~1e-10 there.
 */
function referenceRMSprop(
  h: RMSpropHyperparameters,
  lrAt?: (t: number) => number,
  mistake?: "eps inside sqrt" | "lr inside buffer",
): number[][] {
  const theta = [...THETA0];
  const v = [0, 0, 0, 0, 0];
  const gAvg = [0, 0, 0, 0, 0];
  const buf = [0, 0, 0, 0, 0];
  const out: number[][] = [];
  for (let t = 1; t <= STEPS; t++) {
    const lr = lrAt ? lrAt(t) : h.lr;
    const grad = gradientAt(theta, t);
    for (let i = 0; i < 5; i++) {
      let g = h.maximize ? -grad[i] : grad[i];
      if (h.weightDecay !== 0) g += h.weightDecay * theta[i];
      v[i] = h.alpha * v[i] + (1 - h.alpha) * g * g;
      let vTilde = v[i];
      if (h.centered) {
        const w = 1 - h.alpha;
        gAvg[i] = w < 0.5 ? gAvg[i] + w * (g - gAvg[i]) : g - (g - gAvg[i]) * (1 - w);
        vTilde -= gAvg[i] * gAvg[i];
      }
      const denom = mistake === "eps inside sqrt" ? Math.sqrt(vTilde + h.eps) : Math.sqrt(vTilde) + h.eps;
      if (h.momentum > 0 && mistake === "lr inside buffer") {
        buf[i] = h.momentum * buf[i] + (lr * g) / denom;
        theta[i] -= buf[i];
      } else if (h.momentum > 0) {
        buf[i] = h.momentum * buf[i] + g / denom;
        theta[i] -= lr * buf[i];
      } else {
        theta[i] -= (lr * g) / denom;
      }
    }
    out.push([...theta]);
  }
  return out;
}

function combos(): RMSpropHyperparameters[] {
  const out: RMSpropHyperparameters[] = [];
  for (const alpha of [0.99, 0.3])
    for (const centered of [false, true])
      for (const momentum of [0, 0.9])
        for (const weightDecay of [0, 0.05])
          for (const maximize of [false, true])
            out.push({ lr: 0.005, alpha, eps: 1e-8, weightDecay, momentum, centered, maximize });
  return out;
}

describe("RMSprop against an independent float64 reference of PyTorch's algorithm", () => {
  itMatchesReference(
    "RMSprop",
    combos(),
    32,
    "covers alpha (both lerp branches) × centered × momentum × weightDecay × maximize",
    (h) => ({
      actual: runTrajectory((ps) => new RMSprop(ps, h)),
      expected: referenceRMSprop(h),
    }),
  );

  it("follows an lr written into the param group mid-training (lr outside the buffer)", () => {
    const h = {
      lr: 0.005,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0.9,
      centered: true,
      maximize: false,
    };
    const lrAt = (t: number) => 0.005 * 0.95 ** t;
    expect(
      maxDeviation(
        runTrajectory(
          (ps) => new RMSprop(ps, h),
          (t) => ({ lr: lrAt(t) }),
        ),
        referenceRMSprop(h, lrAt),
      ),
    ).toBeLessThanOrEqual(REL_TOL);
  });
});

describe("property: random hyperparameters agree with the reference", () => {
  it("RMSprop", () => {
    const hyper = fc.record({
      lr: fc.double({ min: 0, max: 0.01, noNaN: true }),
      alpha: fc.double({ min: 0.5, max: 0.999, noNaN: true }),
      eps: fc.double({ min: 1e-10, max: 1e-2, noNaN: true }),
      weightDecay: fc.double({ min: 0, max: 0.1, noNaN: true }),
      momentum: fc.double({ min: 0, max: 0.9, noNaN: true }),
      centered: fc.boolean(),
      maximize: fc.boolean(),
    });
    fc.assert(
      fc.property(hyper, (h) => {
        expect(
          maxDeviation(
            runTrajectory((ps) => new RMSprop(ps, h)),
            referenceRMSprop(h),
          ),
        ).toBeLessThanOrEqual(REL_TOL);
      }),
      { numRuns: 100, seed: 4 },
    );
  });
});

describe("the RMSprop comparison is sensitive", () => {
  const h = {
    lr: 0.005,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0.9,
    centered: false,
    maximize: false,
  };
  it("ε inside the square root (TF.js / Keras) is caught", () => {
    expect(
      maxDeviation(
        runTrajectory((ps) => new RMSprop(ps, h)),
        referenceRMSprop(h, undefined, "eps inside sqrt"),
      ),
    ).toBeGreaterThan(1e3 * REL_TOL);
  });
  it("the lr inside the momentum buffer (TF.js / Keras) is caught under an lr schedule", () => {
    const lrAt = (t: number) => 0.005 * 0.9 ** t;
    expect(
      maxDeviation(
        runTrajectory(
          (ps) => new RMSprop(ps, h),
          (t) => ({ lr: lrAt(t) }),
        ),
        referenceRMSprop(h, lrAt, "lr inside buffer"),
      ),
    ).toBeGreaterThan(1e6 * REL_TOL);
  });
});

describe("RMSprop hand-computed values (Python float64 of PyTorch's algorithm box)", () => {
  const run = (options: RMSpropOptions) => runHand((ps) => new RMSprop(ps, options));

  it("defaults (lr 0.01, alpha 0.99): the first step is lr·g/(0.1·|g| + ε) ≈ 0.1", () => {
    expect(
      maxDeviation(run({ lr: 0.01 }), [
        [0.900000019999996, -1.900000009999999],
        [0.8483602509394512, -1.9197065936215374],
        [0.9052640832496293, -1.9295613206911095],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });

  it("centered, momentum 0.9, weightDecay 0.1, alpha 0.9", () => {
    expect(
      maxDeviation(run({ lr: 0.01, alpha: 0.9, momentum: 0.9, centered: true, weightDecay: 0.1 }), [
        [0.9666666685185185, -1.9666666675925926],
        [0.9166729954222818, -1.9367637018050081],
        [0.8854719936075325, -1.9069768443556534],
      ]),
    ).toBeLessThanOrEqual(HAND_TOL);
  });
});

describe("RMSprop validation, defaults and kernel", () => {
  const p = () => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ eps: -1 }, "Invalid epsilon value: -1"],
    [{ momentum: -1 }, "Invalid momentum value: -1"],
    [{ weightDecay: -1 }, "Invalid weightDecay value: -1 (PyTorch: Invalid weight_decay value: -1)"],
    [{ alpha: -0.5 }, "Invalid alpha value: -0.5"],
  ])("%j → %s", (options, message) => {
    expect(() => new RMSprop([p()], options)).toThrow(message);
  });

  it("defaults are PyTorch's (alpha 0.99, eps 1e-8)", () => {
    expect(new RMSprop([p()]).defaults).toEqual({
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
  });

  it("keeps buffers only for the options in use", () => {
    const a = { data: new Float64Array(2), grad: { data: new Float64Array([1, 2]) } };
    const opt = new RMSprop([a]);
    opt.step();
    expect(Object.keys(opt.state.get(a) ?? {}).sort()).toEqual(["squareAvg", "step"]);
    opt.paramGroups[0].momentum = 0.5;
    opt.paramGroups[0].centered = true;
    opt.step();
    expect(Object.keys(opt.state.get(a) ?? {}).sort()).toEqual([
      "gradAvg",
      "momentumBuffer",
      "squareAvg",
      "step",
    ]);
  });

  it("rmspropStep rejects missing buffers", () => {
    const h = {
      lr: 0.1,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0.9,
      centered: false,
      maximize: false,
    };
    const a = () => new Float64Array(2);
    expect(() => rmspropStep(a(), a(), a(), null, null, h)).toThrow("momentum > 0 needs a momentum buffer");
    expect(() => rmspropStep(a(), a(), a(), null, a(), { ...h, centered: true })).toThrow(
      "centered needs a gradAvg",
    );
  });
});

import { describe, expect, it } from "vitest";
import { Adam } from "./adam.js";
import type { Param } from "./param.js";
import {
  gradientAt,
  itMatchesReference,
  maxDeviation,
  REL_TOL,
  runTrajectory,
  STEPS,
  THETA0,
} from "./reference.testutil.js";
import { SGD, type SGDHyperparameters, sgdStep } from "./sgd.js";

/**
 * PyTorch's SGD algorithm box, written independently of the kernel: whole-vector operations on
 * plain arrays, one line of the box per line.
 */
function referenceSGD(
  h: SGDHyperparameters,
  lrAt: (t: number) => number = () => h.lr,
  mistake?: "dampen first step",
): number[][] {
  let theta = [...THETA0];
  let b: number[] = [];
  const trajectory: number[][] = [];
  for (let t = 1; t <= STEPS; t++) {
    let g = gradientAt(theta, t);
    if (h.maximize) g = g.map((x) => -x);
    if (h.weightDecay !== 0) g = g.map((x, i) => x + h.weightDecay * theta[i]);
    if (h.momentum !== 0) {
      const prev = b;
      const first = t === 1 && mistake === undefined;
      b = first
        ? [...g]
        : (t === 1 ? g.map(() => 0) : prev).map((bi, i) => h.momentum * bi + (1 - h.dampening) * g[i]);
      const bt = b;
      g = h.nesterov ? g.map((x, i) => x + h.momentum * bt[i]) : [...bt];
    }
    const lr = lrAt(t);
    theta = theta.map((x, i) => x - lr * g[i]);
    trajectory.push(theta);
  }
  return trajectory;
}

function combos(): SGDHyperparameters[] {
  const out: SGDHyperparameters[] = [];
  for (const momentum of [0, 0.9, 0.5])
    for (const dampening of new Set([0, 0.3, momentum]))
      for (const nesterov of [false, true])
        for (const weightDecay of [0, 0.05])
          for (const maximize of [false, true]) {
            if (nesterov && (momentum <= 0 || dampening !== 0)) continue;
            out.push({ lr: 0.02, momentum, dampening, nesterov, weightDecay, maximize });
          }
  return out;
}

describe("SGD against an independent float64 reference of PyTorch's algorithm", () => {
  // momentum 0: 2 dampenings × 4; momentum 0.9 and 0.5: 3 dampenings × 4 + Nesterov (dampening 0) × 4.
  itMatchesReference(
    "SGD",
    combos(),
    40,
    "covers every valid combination of momentum × dampening × nesterov × weightDecay × maximize",
    (h) => ({
      actual: runTrajectory((ps) => new SGD(ps, h)),
      expected: referenceSGD(h),
    }),
  );

  it("follows an lr written into the param group mid-training", () => {
    const h: SGDHyperparameters = {
      lr: 0.02,
      momentum: 0.9,
      dampening: 0,
      nesterov: true,
      weightDecay: 0.01,
      maximize: false,
    };
    const lrAt = (t: number) => (t <= 20 ? 0.02 : t <= 40 ? 0.005 : 0.03);
    expect(
      maxDeviation(
        runTrajectory(
          (ps) => new SGD(ps, h),
          (t) => ({ lr: lrAt(t) }),
        ),
        referenceSGD(h, lrAt),
      ),
    ).toBeLessThanOrEqual(REL_TOL);
  });
});

describe("the SGD comparison is sensitive", () => {
  it("dampening the first step (v₀ = 0) is caught", () => {
    const h = { lr: 0.02, momentum: 0.9, dampening: 0.9, nesterov: false, weightDecay: 0, maximize: false };
    const dev = maxDeviation(
      runTrajectory((ps) => new SGD(ps, h)),
      referenceSGD(h, undefined, "dampen first step"),
    );
    expect(dev).toBeGreaterThan(1e6 * REL_TOL);
  });
});

describe("SGD hand-computed values", () => {
  const one = () => ({ data: new Float64Array([0]), grad: { data: new Float64Array([1]) } });

  it("momentum = dampening = β is the exponential-average momentum, with v₁ = g₁", () => {
    // v ← 0.9·v + 0.1·g with a constant gradient 1: v stays 1 (PyTorch sets v₁ = g₁), so
    // w = −0.1, −0.2, −0.3 (lr 0.1). The v₀ = 0 convention would give v = 0.1, 0.19, 0.271.
    const w = one();
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9, dampening: 0.9 });
    const expected = [-0.1, -0.2, -0.30000000000000004];
    for (const e of expected) {
      opt.step();
      expect(w.data[0]).toBe(e);
    }
    expect(opt.state.get(w)?.momentumBuffer?.[0]).toBe(1);
  });

  it("heavy-ball momentum: buffers 1, 1.9, 2.71 and parameters −0.1, −0.29, −0.561", () => {
    const w = one();
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    const expectedP = [-0.1, -0.29, -0.561];
    const expectedBuf = [1, 1.9, 2.71];
    for (let k = 0; k < 3; k++) {
      opt.step();
      expect(w.data[0]).toBeCloseTo(expectedP[k], 15);
      expect(opt.state.get(w)?.momentumBuffer?.[0]).toBeCloseTo(expectedBuf[k], 15);
    }
  });

  it("Nesterov: steps g + μ·b = 1.9 then 2.71, parameters −0.19, −0.461", () => {
    const w = one();
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9, nesterov: true });
    opt.step();
    expect(w.data[0]).toBeCloseTo(-0.19, 15);
    opt.step();
    expect(w.data[0]).toBeCloseTo(-0.461, 15);
  });

  it("coupled weight decay with a zero gradient: p ← p − lr·λ·p", () => {
    const w = { data: new Float64Array([1, -2]), grad: { data: new Float64Array([0, 0]) } };
    const opt = new SGD([w], { lr: 0.5, weightDecay: 0.1 });
    opt.step();
    expect([...w.data]).toEqual([0.95, -1.9]);
  });

  it("maximize negates the gradient before weight decay (PyTorch's order)", () => {
    // g = −3 + 0.1·2 = −2.8;  p = 2 − 0.5·(−2.8) = 3.4
    const w = { data: new Float64Array([2]), grad: { data: new Float64Array([3]) } };
    new SGD([w], { lr: 0.5, weightDecay: 0.1, maximize: true }).step();
    expect(w.data[0]).toBeCloseTo(3.4, 15);
  });
});

describe("sgdStep kernel", () => {
  it("updates float32 arrays in float32 arithmetic, op by op, as PyTorch does", () => {
    const f = Math.fround;
    const p = new Float32Array([1, 2, 0.3]);
    const g = new Float32Array([0.5, -0.5, 0.7]);
    const buf = new Float32Array(3);
    const h = { lr: 0.1, momentum: 0.9, dampening: 0.2, nesterov: false, weightDecay: 0.3, maximize: false };
    sgdStep(p, g, buf, true, h);
    sgdStep(p, g, buf, false, h);
    // Replay in float32: d = g + f(λ)·p; b = d, then f(μ)·b + f(1 − τ)·d; p ← p + f(−γ)·b.
    const want = [1, 2, 0.3].map((p0, i) => {
      let q = f(p0);
      let b = 0;
      for (const first of [true, false]) {
        const d = f(g[i] + f(f(0.3) * q));
        b = first ? d : f(f(b * f(0.9)) + f(f(0.8) * d));
        q = f(q + f(f(-0.1) * b));
      }
      return [q, b];
    });
    expect([...p]).toEqual(want.map(([q]) => q));
    expect([...buf]).toEqual(want.map(([, b]) => b));
    // float64 arithmetic rounded once gives different bits here: the test tells the two apart.
    let q64 = 0.3;
    let b64 = 0;
    for (const first of [true, false]) {
      const d = g[2] + 0.3 * q64;
      b64 = first ? d : 0.9 * b64 + 0.8 * d;
      q64 = f(q64 + -0.1 * b64);
    }
    expect(p[2]).not.toBe(q64);
  });

  it("rejects a gradient of the wrong length and a missing buffer", () => {
    const h = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };
    expect(() => sgdStep(new Float64Array(3), new Float64Array(2), new Float64Array(3), false, h)).toThrow(
      "sgdStep: grad has 2 elements, but the parameter has 3",
    );
    expect(() => sgdStep(new Float64Array(3), new Float64Array(3), null, false, h)).toThrow(
      /no momentum buffer/,
    );
  });
});

describe("SGD validation (PyTorch's messages)", () => {
  const p = (): Param => ({ data: new Float64Array(2), grad: null });
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ lr: Number.NaN }, "Invalid learning rate: NaN"],
    [{ momentum: -0.5 }, "Invalid momentum value: -0.5"],
    [{ weightDecay: -1 }, "Invalid weightDecay value: -1 (PyTorch: Invalid weight_decay value: -1)"],
    [{ nesterov: true }, "Nesterov momentum requires a momentum and zero dampening"],
    [
      { nesterov: true, momentum: 0.9, dampening: 0.1 },
      "Nesterov momentum requires a momentum and zero dampening",
    ],
  ])("%j → %s", (options, message) => {
    expect(() => new SGD([p()], options)).toThrow(message);
  });

  it("rejects snake_case and unknown options by name", () => {
    expect(() => new SGD([p()], { weight_decay: 0.1 } as never)).toThrow(
      `SGD: unknown option "weight_decay" (did you mean weightDecay?)`,
    );
    expect(() => new SGD([p()], { betas: [0.9, 0.99] } as never)).toThrow(`SGD: unknown option "betas"`);
  });

  it("validates group options, naming the group, and lr written mid-training at the write", () => {
    const a = p();
    const b = p();
    expect(() => new SGD([{ params: [a] }, { params: [b], lr: -2 }], { lr: 0.1 })).toThrow(
      "Invalid learning rate: -2 (param group 1)",
    );
    const opt = new SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    expect(() => {
      opt.paramGroups[1].lr = -0.5;
    }).toThrow("Invalid learning rate: -0.5 (param group 1)");
    expect(opt.paramGroups[1].lr).toBe(0.1);
    expect(() => {
      opt.paramGroups[0].lr = Number.POSITIVE_INFINITY;
    }).toThrow("Invalid learning rate: Infinity (param group 0)");
    // A tuple edited in place escapes the write check; step() checks every group again.
    const adam = new Adam([a], { lr: 0.1 });
    adam.paramGroups[0].betas[0] = 1.5;
    a.grad = { data: new Float64Array(a.data.length) };
    expect(() => adam.step()).toThrow("Invalid beta parameter at index 0: 1.5 (param group 0)");
  });
});

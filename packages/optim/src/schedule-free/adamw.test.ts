import { describe, expect, it } from "vitest";
import type { Param } from "../param.js";
import {
  describeKernelBackends,
  describeRuleContract,
  itAppliesTinyWeightDecay,
  kernelArrays,
} from "../rule-contract.testutil.js";
import {
  SCHEDULE_FREE_ADAMW_ENTRY,
  ScheduleFreeAdamW,
  type ScheduleFreeAdamWScalars,
  scheduleFreeAdamWScalars,
  scheduleFreeAdamWStep,
} from "./adamw.js";
import { scheduleFreeWeights } from "./weights.js";

/** Steps a fresh ScheduleFreeAdamW (in training mode) with `grads` from [1, −2]; y, z and group state after each. */
function hand(options: ConstructorParameters<typeof ScheduleFreeAdamW>[1], grads: number[][]) {
  const p: Param = { data: Float64Array.from([1, -2]), grad: null };
  const opt = new ScheduleFreeAdamW([p], options);
  opt.train();
  const steps = grads.map((g) => {
    p.grad = { data: Float64Array.from(g) };
    opt.step();
    const group = opt.paramGroups[0] as unknown as Record<string, number>;
    return {
      y: [...p.data],
      z: [...(opt.state.get(p)?.z ?? [])],
      k: group.k,
      weightSum: group.weightSum,
      lrMax: group.lrMax,
      scheduledLr: group.scheduledLr,
    };
  });
  opt.eval();
  return { steps, x: [...p.data] };
}

const GRADS = [
  [0.5, -1],
  [0.25, 0.5],
  [-1, 2],
];

describe("ScheduleFreeAdamW hand-computed values (the NumPy port of schedulefree 1.4.1, Python float64)", () => {
  it("lr 0.1, warmupSteps 2, weightDecay 0.1: y, z, group state and the final x", () => {
    const { steps, x } = hand({ lr: 0.1, warmupSteps: 2, weightDecay: 0.1 }, GRADS);
    // Step 1: γ = 0.1·1/2, c = 1, v̂ = g², so ĝ = g/(|g| + 1e-8) + 0.1·y and y = z = y − γ·ĝ.
    expect(steps[0].y).toEqual([0.9450000009999999, -1.9400000005]);
    expect(steps[0].z).toEqual(steps[0].y);
    expect(steps[0]).toMatchObject({ k: 1, lrMax: 0.05, scheduledLr: 0.05 });
    expect(steps[0].weightSum).toBe(0.0025000000000000005);
    expect(steps[1].y).toEqual([0.8853818638303308, -1.975961138313566]);
    expect(steps[1].z).toEqual([0.8722949556711351, -1.983855046614105]);
    expect(steps[1]).toMatchObject({ k: 2, weightSum: 0.012500000000000002, lrMax: 0.1, scheduledLr: 0.1 });
    expect(steps[2].y).toEqual([0.9507098394328997, -2.045161025430258]);
    expect(steps[2].z).toEqual([1.0145837141288911, -2.1152380134692326]);
    expect(x).toEqual([0.9436127422444561, -2.0373746934259276]);
  });

  it("the first step is a sign-like step of γ: v̂ = g² and c = 1", () => {
    const { steps } = hand({ lr: 0.1 }, [[0.5, -1]]);
    // y − 0.1·g/(|g| + 1e-8)
    expect(steps[0].y).toEqual([0.900000002, -1.900000001]);
  });

  it("has the reference's defaults", () => {
    const opt = new ScheduleFreeAdamW([{ data: new Float64Array(1), grad: null }]);
    expect(opt.defaults).toEqual({
      lr: 0.0025,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      warmupSteps: 0,
      r: 0,
      weightLrPower: 2,
      maximize: false,
    });
    expect(opt.kind).toBe("ScheduleFreeAdamW");
  });
});

describe("ScheduleFreeAdamW options", () => {
  const p = (): Param[] => [{ data: new Float64Array(2), grad: null }];
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ eps: -1 }, "Invalid epsilon value: -1"],
    [
      { betas: [0, 0.999] },
      "Invalid beta parameter at index 0: 0 (expected 0 < beta1 < 1: eval() divides by beta1)",
    ],
    [{ betas: [1, 0.999] }, "Invalid beta parameter at index 0: 1"],
    [{ betas: [0.9, 1] }, "Invalid beta parameter at index 1: 1"],
    [{ betas: [0.9] }, "Invalid betas value: [0.9] (expected a pair [beta1, beta2])"],
    [{ weightDecay: -0.1 }, "Invalid weightDecay value: -0.1 (PyTorch: Invalid weight_decay value: -0.1)"],
    [
      { warmupSteps: 2.5 },
      "Invalid warmupSteps value: 2.5 (expected a non-negative integer; PyTorch: warmup_steps)",
    ],
    [{ warmupSteps: -1 }, "Invalid warmupSteps value: -1"],
    [{ r: -0.5 }, "Invalid r value: -0.5 (expected a finite number ≥ 0)"],
    [{ r: Number.NaN }, "Invalid r value: NaN"],
    [{ weightLrPower: Number.POSITIVE_INFINITY }, "Invalid weightLrPower value: Infinity"],
    [{ maximize: 1 }, "Invalid maximize value: 1 (expected a boolean)"],
    [{ warmup_steps: 3 }, 'ScheduleFreeAdamW: unknown option "warmup_steps" (did you mean warmupSteps?)'],
    [{ foreach: true }, 'ScheduleFreeAdamW: unknown option "foreach"'],
  ])("%j is rejected: %s", (options, message) => {
    expect(() => new ScheduleFreeAdamW(p(), options as never)).toThrow(message);
  });

  it("a group's option written between steps is checked at once", () => {
    const opt = new ScheduleFreeAdamW(p());
    expect(() => {
      opt.paramGroups[0].betas = [0, 0.9];
    }).toThrow("Invalid beta parameter at index 0: 0");
    expect(opt.paramGroups[0].betas).toEqual([0.9, 0.999]);
  });
});

describe("scheduleFreeAdamWScalars", () => {
  it("computes the reference's Python-float scalars", () => {
    const h = {
      lr: 0.1,
      betas: [0.9, 0.999] as [number, number],
      eps: 1e-8,
      weightDecay: 0,
      warmupSteps: 0,
      r: 0,
      weightLrPower: 2,
      maximize: false,
    };
    const w = scheduleFreeWeights(1, h, 0.1, 0.010000000000000002);
    const s = scheduleFreeAdamWScalars(h, w, 1);
    expect(w.ckp1).toBe(0.5);
    expect(s.yStep).toBe(0.1 * (0.9 * 0.5 - 1));
    // Python: 1 - 0.999 ** 2 (V8's 0.999 ** 2 is the same here; powInt's own tests cover where they differ).
    expect(s.biasCorrection2).toBe(0.001998999999999973);
  });
});

describeRuleContract(
  "ScheduleFreeAdamW",
  (ps, o) => {
    const opt = new ScheduleFreeAdamW(ps as never, o);
    opt.train();
    return opt;
  },
  [{ lr: 0.01 }, { lr: 0.01, weightDecay: 0.1, warmupSteps: 3, r: 1, weightLrPower: 1 }],
);

const KERNEL_OPTIONS: ScheduleFreeAdamWScalars[] = [
  // First step: c = 1 (lerp's second branch), no decay.
  {
    lr: 0.0025,
    ckp1: 1,
    yStep: -0.0025,
    beta2: 0.999,
    biasCorrection2: 0.001,
    eps: 1e-8,
    weightDecay: 0,
    maximize: false,
  },
  // c < 0.5 (lerp's first branch), decay, maximize.
  {
    lr: 0.01,
    ckp1: 0.2,
    yStep: 0.01 * (0.9 * 0.8 - 1),
    beta2: 0.99,
    biasCorrection2: 0.05,
    eps: 1e-6,
    weightDecay: 0.1,
    maximize: true,
  },
  // c = 0 (the reference's ZeroDivisionError branch).
  {
    lr: 0,
    ckp1: 0,
    yStep: 0,
    beta2: 0.9,
    biasCorrection2: 0.3,
    eps: 0.01,
    weightDecay: 0.05,
    maximize: false,
  },
];

describeKernelBackends<ScheduleFreeAdamWScalars>(
  "ScheduleFreeAdamW",
  KERNEL_OPTIONS,
  (k) => kernelArrays(2, k > 0),
  ([y, g, z, v], _t, s) => scheduleFreeAdamWStep(y, g, z, v, s),
);

itAppliesTinyWeightDecay("scheduleFreeAdamWStep", (y, g, z, v) => {
  z.set(y);
  scheduleFreeAdamWStep(y, g, z, v, { ...KERNEL_OPTIONS[1], weightDecay: 1e-50 });
});

describe("scheduleFreeAdamWStep", () => {
  it("leaves the gradient unchanged (the reference divides p.grad in place)", () => {
    const y = Float64Array.from([1, 2]);
    const g = Float64Array.from([0.5, -0.25]);
    scheduleFreeAdamWStep(y, g, y.slice(), new Float64Array(2), KERNEL_OPTIONS[1]);
    expect([...g]).toEqual([0.5, -0.25]);
  });

  it("rejects arrays of another length, naming them", () => {
    const y = new Float64Array(3);
    expect(() =>
      scheduleFreeAdamWStep(
        y,
        new Float64Array(3),
        new Float64Array(2),
        new Float64Array(3),
        KERNEL_OPTIONS[0],
      ),
    ).toThrow("scheduleFreeAdamWStep: z has 2 elements, but the parameter has 3");
  });
});

describe("the catalog entry", () => {
  it("builds the optimizer in training mode, marked as having modes", () => {
    const opt = SCHEDULE_FREE_ADAMW_ENTRY.create([{ data: new Float64Array(2), grad: null }], {});
    expect(opt).toBeInstanceOf(ScheduleFreeAdamW);
    expect((opt as ScheduleFreeAdamW).trainMode).toBe(true);
    expect(SCHEDULE_FREE_ADAMW_ENTRY.modes).toBe(true);
  });
});

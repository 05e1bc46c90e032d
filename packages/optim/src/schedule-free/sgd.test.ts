import { describe, expect, it } from "vitest";
import type { ParamGroupInput, ParamsInput } from "../optimizer.js";
import type { Param } from "../param.js";
import {
  describeKernelBackends,
  describeRuleContract,
  itAppliesTinyWeightDecay,
  kernelArrays,
} from "../rule-contract.testutil.js";
import {
  SCHEDULE_FREE_SGD_ENTRY,
  ScheduleFreeSGD,
  type ScheduleFreeSGDScalars,
  scheduleFreeSGDStep,
} from "./sgd.js";

describe("ScheduleFreeSGD hand-computed values (the NumPy port of schedulefree 1.4.1, Python float64)", () => {
  it("lr 0.1, momentum 0.9, weightDecay 0.1, r 1: y, z and the final x", () => {
    const p: Param = { data: Float64Array.from([1, -2]), grad: null };
    const opt = new ScheduleFreeSGD([p], { lr: 0.1, weightDecay: 0.1, r: 1 });
    opt.train();
    const ys: number[][] = [];
    const zs: number[][] = [];
    for (const g of [
      [0.5, -1],
      [0.25, 0.5],
      [-1, 2],
    ]) {
      p.grad = { data: Float64Array.from(g) };
      opt.step();
      ys.push([...p.data]);
      zs.push([...(opt.state.get(p)?.z ?? [])]);
    }
    // Step 1: g = [0.5, −1] + 0.1·y = [0.6, −1.2], c = 1: y = z − 0.1·g.
    expect(ys[0]).toEqual([0.94, -1.88]);
    // Step 2: w = 2·0.01, c = 2/3; y = lerp(y, z, 2/3) − 0.07·g, z − 0.1·g.
    expect(ys[1]).toEqual([0.91592, -1.90184]);
    expect(zs[1]).toEqual([0.9056, -1.9111999999999998]);
    expect(ys[2]).toEqual([0.9607224400000001, -2.00605988]);
    expect(zs[2]).toEqual([0.9964408, -2.0921816]);
    opt.eval();
    expect([...p.data]).toEqual([0.9567537333333334, -1.9964908000000001]);
    expect(opt.paramGroups[0]).toMatchObject({
      k: 3,
      weightSum: 0.06000000000000001,
      lrMax: 0.1,
      scheduledLr: 0.1,
    });
  });

  it("has the reference's defaults", () => {
    const opt = new ScheduleFreeSGD([{ data: new Float64Array(1), grad: null }]);
    expect(opt.defaults).toEqual({
      lr: 1,
      momentum: 0.9,
      weightDecay: 0,
      warmupSteps: 0,
      r: 0,
      weightLrPower: 2,
      maximize: false,
    });
    expect(opt.kind).toBe("ScheduleFreeSGD");
  });
});

describe("ScheduleFreeSGD options", () => {
  const p = (): Param[] => [{ data: new Float64Array(2), grad: null }];
  it.each([
    [{ lr: -1 }, "Invalid learning rate: -1"],
    [{ weightDecay: -1 }, "Invalid weightDecay value: -1 (PyTorch: Invalid weight_decay value: -1)"],
    [{ momentum: 0 }, "Momentum must be between 0 and 1 exclusive: 0"],
    [{ momentum: 1 }, "Momentum must be between 0 and 1 exclusive: 1"],
    [{ momentum: Number.NaN }, "Momentum must be between 0 and 1 exclusive: NaN"],
    [{ warmupSteps: 0.5 }, "Invalid warmupSteps value: 0.5"],
    [{ weightLrPower: -2 }, "Invalid weightLrPower value: -2"],
    [{ betas: [0.9, 0.99] }, 'ScheduleFreeSGD: unknown option "betas"'],
  ])("%j is rejected: %s", (options, message) => {
    expect(() => new ScheduleFreeSGD(p(), options as never)).toThrow(message);
  });
});

/**
 * The rule contract's second group sets `betas` and `eps` (Adam-family options); ScheduleFreeSGD
 * has neither, so its β1 becomes the group's momentum and eps is dropped.
 */
function sgdGroup(group: ParamGroupInput): ParamGroupInput {
  const { betas, eps: _, ...rest } = group as ParamGroupInput & { betas?: number[]; eps?: number };
  return betas === undefined ? rest : { ...rest, momentum: betas[0] };
}

describeRuleContract(
  "ScheduleFreeSGD",
  (ps, o) => {
    const { betas, eps: _, ...options } = o as { betas?: number[]; eps?: number };
    const list = [...(ps as Iterable<Param | ParamGroupInput>)];
    const groups = list.map((g) => ("params" in g && !("data" in g) ? sgdGroup(g) : g));
    const opt = new ScheduleFreeSGD(
      groups as ParamsInput,
      betas === undefined ? options : { ...options, momentum: betas[0] },
    );
    opt.train();
    return opt;
  },
  [{ lr: 0.05 }, { lr: 0.05, momentum: 0.5, weightDecay: 0.1, warmupSteps: 3, r: 1, weightLrPower: 0 }],
);

const KERNEL_OPTIONS: ScheduleFreeSGDScalars[] = [
  { lr: 1, ckp1: 1, yStep: -1, weightDecay: 0, maximize: false },
  { lr: 0.1, ckp1: 0.25, yStep: 0.1 * (0.9 * 0.75 - 1), weightDecay: 0.1, maximize: true },
  { lr: 0.05, ckp1: 0.6, yStep: 0.05 * (0.3 * 0.4 - 1), weightDecay: 0.02, maximize: false },
];

describeKernelBackends<ScheduleFreeSGDScalars>(
  "ScheduleFreeSGD",
  KERNEL_OPTIONS,
  (k) => kernelArrays(1, k > 0),
  ([y, g, z], _t, s) => scheduleFreeSGDStep(y, g, z, s),
);

itAppliesTinyWeightDecay("scheduleFreeSGDStep", (y, g, z) => {
  z.set(y);
  scheduleFreeSGDStep(y, g, z, { ...KERNEL_OPTIONS[1], weightDecay: 1e-50 });
});

describe("scheduleFreeSGDStep", () => {
  it("leaves the gradient unchanged (the reference adds the decay to p.grad in place)", () => {
    const y = Float64Array.from([1, 2]);
    const g = Float64Array.from([0.5, -0.25]);
    scheduleFreeSGDStep(y, g, y.slice(), KERNEL_OPTIONS[1]);
    expect([...g]).toEqual([0.5, -0.25]);
  });
});

describe("the catalog entry", () => {
  it("builds the optimizer in training mode, marked as having modes", () => {
    const opt = SCHEDULE_FREE_SGD_ENTRY.create([{ data: new Float64Array(2), grad: null }], {});
    expect(opt).toBeInstanceOf(ScheduleFreeSGD);
    expect((opt as ScheduleFreeSGD).trainMode).toBe(true);
    expect(SCHEDULE_FREE_SGD_ENTRY.modes).toBe(true);
  });
});

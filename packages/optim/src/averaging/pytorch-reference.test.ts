/**
 * `AveragedParams` against `torch.optim.swa_utils.AveragedModel.update_parameters`.
 *
 * Expected averages come from `fixtures/averaging_reference.py`: real PyTorch 1.13 where its
 * arithmetic is current PyTorch's (SWA, `get_ema_avg_fn`, a custom `avg_fn`: `"source": "torch"`),
 * a NumPy port of `get_ema_multi_avg_fn`'s `lerp` otherwise (`"source": "port"`, itself checked
 * against 1.13's `torch.lerp`). Each case feeds 150 values of four parameters (3, 6, 17 and 1
 * elements; random walks over five decades of magnitude) through the public API and compares the
 * averages after 17 of the updates.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FloatArray } from "../param.js";
import { AveragedParams, type AveragedParamsOptions } from "./averaged-params.js";
import { type AvgFn, emaStep, getEmaAvgFn, getEmaMultiAvgFn, getSwaAvgFn } from "./avg-fns.js";

/** float64: largest relative deviation allowed (the arithmetic is the same, so expect 0). */
const FLOAT64_REL_TOL = 1e-12;
/** float32: bit for bit (every operation rounded to float32 in PyTorch's order). */
const FLOAT32_REL_TOL = 0;

type Dtype = "float32" | "float64";
interface Stream {
  dtypes: Dtype[];
  initial: number[][];
  updates: number[][][];
}
interface Case {
  name: string;
  source: "torch" | "port";
  stream: string;
  average: { kind: "swa" | "ema" | "ema-multi" | "custom"; decay?: number };
  nAveragedAfterFirst?: number;
  checkpoints: number[];
  averages: number[][][];
}
const fixture = JSON.parse(
  readFileSync(new URL("../../fixtures/averaging.json", import.meta.url), "utf8"),
) as {
  streams: Record<string, Stream>;
  cases: Case[];
};

function makeArray(dtype: Dtype, values: number[]): FloatArray {
  return dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values);
}

/** The fixture's custom `avg_fn`: `a + (p − a)·(1/√(n + 1))`, the weight a Python float. */
const customAvgFn: AvgFn = (a, p, n) => {
  const w = 1 / Math.sqrt(n + 1);
  if (a instanceof Float32Array) {
    const wf = Math.fround(w);
    return a.map((ai, i) => Math.fround(ai + Math.fround(Math.fround(p[i] - ai) * wf)));
  }
  return a.map((ai, i) => ai + (p[i] - ai) * w);
};

/** The ways the public API can express each case's averaging (all must match). */
function optionSets(c: Case): [string, AveragedParamsOptions][] {
  const decay = c.average.decay ?? Number.NaN;
  switch (c.average.kind) {
    case "swa":
      return [
        ["default", {}],
        ["avgFn: getSwaAvgFn()", { avgFn: getSwaAvgFn() }],
      ];
    case "ema-multi":
      return [["multiAvgFn: getEmaMultiAvgFn", { multiAvgFn: getEmaMultiAvgFn(decay) }]];
    case "ema":
      return [["avgFn: getEmaAvgFn", { avgFn: getEmaAvgFn(decay) }]];
    case "custom":
      return [["avgFn: custom", { avgFn: customAvgFn }]];
  }
}

/** Runs the case; the largest relative deviation per dtype over all checkpoints. */
function run(c: Case, options: AveragedParamsOptions): Record<Dtype, number> {
  const stream = fixture.streams[c.stream];
  const params = stream.initial.map((v, i) => ({ data: makeArray(stream.dtypes[i], v) }));
  const avg = new AveragedParams(params, options);
  const worst: Record<Dtype, number> = { float32: 0, float64: 0 };
  let next = 0;
  stream.updates.forEach((values, k) => {
    for (let i = 0; i < params.length; i++) params[i].data.set(values[i]);
    avg.update();
    if (k === 0 && c.nAveragedAfterFirst !== undefined) {
      avg.loadStateDict({ ...avg.stateDict(), nAveraged: c.nAveragedAfterFirst });
    }
    if (c.checkpoints[next] === k + 1) {
      c.averages[next].forEach((expected, i) => {
        const actual = avg.averages[i];
        expect(actual.length).toBe(expected.length);
        for (let j = 0; j < expected.length; j++) {
          const e = expected[j];
          const dev = Math.abs(actual[j] - e) / Math.max(Math.abs(e), Number.MIN_VALUE);
          const dtype = stream.dtypes[i];
          worst[dtype] = Number.isNaN(dev) ? Number.POSITIVE_INFINITY : Math.max(worst[dtype], dev);
        }
      });
      next++;
    }
  });
  expect(next).toBe(c.checkpoints.length);
  return worst;
}

describe("AveragedParams reproduces AveragedModel.update_parameters", () => {
  const worst: Record<Dtype, number> = { float32: 0, float64: 0 };
  const rows = fixture.cases.flatMap((c) =>
    optionSets(c).map(([label, o]) => [`${c.name} (${label})`, c, o] as const),
  );

  it.each(rows)("%s", (_, c, options) => {
    const dev = run(c, options);
    expect(dev.float64).toBeLessThanOrEqual(FLOAT64_REL_TOL);
    expect(dev.float32).toBeLessThanOrEqual(FLOAT32_REL_TOL);
    worst.float64 = Math.max(worst.float64, dev.float64);
    worst.float32 = Math.max(worst.float32, dev.float32);
  });

  it("covers SWA, both EMAs and a custom avgFn, in float64, float32 and mixed lists", () => {
    expect(fixture.cases.length).toBe(17);
    expect(new Set(fixture.cases.map((c) => c.source))).toEqual(new Set(["torch", "port"]));
    console.info(
      `averaging: ${rows.length} runs, largest relative deviation float64 ${worst.float64.toExponential(2)}, float32 ${worst.float32.toExponential(2)}`,
    );
  });
});

describe("the fixtures tell plausible mistakes apart", () => {
  const byName = (name: string) => fixture.cases.find((c) => c.name === name)!;
  /** SWA by multiplying with the reciprocal of n + 1 instead of dividing. */
  const reciprocalSwa: AvgFn = (a, p, n) => {
    const r = a instanceof Float32Array ? Math.fround(1 / Math.fround(n + 1)) : 1 / (n + 1);
    const round = a instanceof Float32Array ? Math.fround : (x: number) => x;
    return a.map((ai, i) => round(ai + round(round(p[i] - ai) * r)));
  };
  /** The EMA as β·a + (1 − β)·p where PyTorch's multi-tensor EMA uses lerp. */
  const blendEma =
    (decay: number): AvgFn =>
    (a, p) => {
      emaStep(a, p, decay);
      return a;
    };

  it("SWA as multiplication by 1/(n + 1) differs from PyTorch's division in float32", () => {
    expect(run(byName("swa/float32"), { avgFn: reciprocalSwa }).float32).toBeGreaterThan(0);
  });

  it("SWA with the count not rounded to float32 differs above 2^24", () => {
    const exactCount: AvgFn = (a, p, n) =>
      a.map((ai, i) => Math.fround(ai + Math.fround(Math.fround(p[i] - ai) / (n + 1))));
    expect(run(byName("swa/mixed-large-n"), { avgFn: exactCount }).float32).toBeGreaterThan(0);
  });

  it("the multi-tensor EMA is lerp, not β·a + (1 − β)·p", () => {
    expect(run(byName("ema-multi/float32/decay=0.9"), { avgFn: blendEma(0.9) }).float32).toBeGreaterThan(0);
    expect(run(byName("ema-multi/float64/decay=0.999"), { avgFn: blendEma(0.999) }).float64).toBeGreaterThan(
      0,
    );
  });

  it("lerp's second branch (|1 − β| ≥ 0.5) matters: the first branch's formula differs", () => {
    const firstBranchOnly: AvgFn = (a, p) => {
      const w = Math.fround(1 - 0.3);
      return a.map((ai, i) => Math.fround(ai + Math.fround(w * Math.fround(p[i] - ai))));
    };
    expect(run(byName("ema-multi/float32/decay=0.3"), { avgFn: firstBranchOnly }).float32).toBeGreaterThan(0);
  });
});

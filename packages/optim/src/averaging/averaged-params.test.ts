import { describe, expect, it, vi } from "vitest";
import type { FloatArray } from "../param.js";
import { AveragedParams } from "./averaged-params.js";
import { type AvgFn, getEmaAvgFn, getEmaMultiAvgFn, getSwaAvgFn, type MultiAvgFn } from "./avg-fns.js";
import { AVERAGED_PARAMS_FORMAT, type AveragedParamsStateDict } from "./state-dict.js";

const p64 = (...v: number[]) => ({ data: Float64Array.from(v) });
const p32 = (...v: number[]) => ({ data: Float32Array.from(v) });
const values = (a: ArrayLike<number>) => Array.from(a);

/** Writes `v[i]` into `params[i]` and calls update(). */
function feed(avg: AveragedParams, params: { data: FloatArray }[], ...v: number[][]): void {
  for (let i = 0; i < params.length; i++) params[i].data.set(v[i]);
  avg.update();
}

describe("update", () => {
  it("starts from a copy of the parameters, with their dtypes, and nAveraged 0", () => {
    const a = p64(1, 2);
    const b = p32(0.1);
    const avg = new AveragedParams([a, b]);
    expect(avg.nAveraged).toBe(0);
    expect(avg.averages[0]).toBeInstanceOf(Float64Array);
    expect(avg.averages[1]).toBeInstanceOf(Float32Array);
    expect(avg.averages[0]).not.toBe(a.data);
    expect(values(avg.averages[0])).toEqual([1, 2]);
    a.data[0] = 5;
    expect(avg.averages[0][0]).toBe(1);
  });

  it("copies at the first update, then keeps the running mean (SWA)", () => {
    const w = p64(0, 0);
    const avg = new AveragedParams([w]);
    const seen = [
      [1, -0],
      [3, 2],
      [8, 4],
      [-4, 10],
    ];
    const expected = [
      [1, -0],
      [2, 1],
      [4, 2],
      [2, 4],
    ];
    seen.forEach((v, k) => {
      feed(avg, [w], v);
      expect(avg.nAveraged).toBe(k + 1);
      expect(values(avg.averages[0])).toEqual(expected[k]);
    });
    expect(Object.is(new AveragedParams([p64(-0)]).averages[0][0], -0)).toBe(true);
  });

  it("EMA: getEmaMultiAvgFn(β) gives ā ← β·ā + (1 − β)·θ after the first copy", () => {
    const w = p64(0);
    const avg = new AveragedParams([w], { multiAvgFn: getEmaMultiAvgFn(0.5) });
    const out = [0, 4, 8, -2].map((v) => {
      feed(avg, [w], [v]);
      return avg.averages[0][0];
    });
    expect(out).toEqual([0, 2, 5, 1.5]);
  });

  it("EMA default decay is 0.999 (PyTorch's)", () => {
    const make = (fn: ReturnType<typeof getEmaMultiAvgFn>) => {
      const w = p64(1);
      const avg = new AveragedParams([w], { multiAvgFn: fn });
      feed(avg, [w], [1]);
      feed(avg, [w], [2]);
      return avg.averages[0][0];
    };
    expect(make(getEmaMultiAvgFn())).toBe(make(getEmaMultiAvgFn(0.999)));
    expect(make(getEmaMultiAvgFn())).toBeCloseTo(1.001, 15);
    const w = p64(1);
    const avg = new AveragedParams([w], { avgFn: getEmaAvgFn() });
    feed(avg, [w], [1]);
    feed(avg, [w], [2]);
    expect(avg.averages[0][0]).toBe(0.999 * 1 + (1 - 0.999) * 2);
  });

  it("decay 0 follows the parameter and decay 1 keeps the first value, exactly", () => {
    for (const [decay, expected] of [
      [0, 7],
      [1, 3],
    ]) {
      for (const make of [p64, p32]) {
        const w = make(0);
        const avg = new AveragedParams([w], { multiAvgFn: getEmaMultiAvgFn(decay) });
        feed(avg, [w], [3]);
        feed(avg, [w], [5.5]);
        feed(avg, [w], [7]);
        expect(avg.averages[0][0]).toBe(expected);
      }
    }
  });

  it("float32 parameters are averaged in float32", () => {
    const w = p32(0);
    const avg = new AveragedParams([w]);
    feed(avg, [w], [0.1]);
    feed(avg, [w], [0.2]);
    feed(avg, [w], [0.7]);
    // ((0.1 + (0.2 − 0.1)/2) then + (0.7 − that)/3), every op rounded to float32
    const f = Math.fround;
    const a1 = f(0.1);
    const a2 = f(a1 + f(f(f(0.2) - a1) / 2));
    const a3 = f(a2 + f(f(f(0.7) - a2) / 3));
    expect(avg.averages[0][0]).toBe(a3);
    expect(a3).not.toBe(f((f(0.1) + f(0.2) + f(0.7)) / 3));
  });

  it("passes avgFn the average, the live array and n (not at the first update); copies its result", () => {
    const w = p32(1, 2);
    const calls: [FloatArray, FloatArray, number][] = [];
    const avgFn: AvgFn = (a, p, n) => {
      calls.push([a, p, n]);
      return [a[0] + 0.1, p[1] * 10];
    };
    const avg = new AveragedParams([w], { avgFn });
    avg.update();
    expect(calls).toHaveLength(0);
    avg.update();
    avg.update();
    expect(calls.map((c) => c[2])).toEqual([1, 2]);
    expect(calls[0][0]).toBe(avg.averages[0]);
    expect(calls[0][1]).toBe(w.data);
    expect(values(avg.averages[0])).toEqual([Math.fround(Math.fround(1.1) + 0.1), 20]);
  });

  it("rejects an avgFn result of the wrong length without changing anything", () => {
    const a = p64(1);
    const b = p64(2, 3);
    let bad = false;
    const avg = new AveragedParams([a, b], {
      avgFn: (x) => (bad && x.length === 2 ? [0] : [9, 9].slice(0, x.length)),
    });
    avg.update();
    bad = true;
    expect(() => avg.update()).toThrow(
      "AveragedParams.update: avgFn returned [0] of length 1 for params[1], which has 2 elements",
    );
    expect(avg.nAveraged).toBe(1);
    expect(values(avg.averages[0])).toEqual([1]);
    const nothing = new AveragedParams([a], { avgFn: () => undefined as unknown as number[] });
    nothing.update();
    expect(() => nothing.update()).toThrow("avgFn returned undefined of length undefined for params[0]");
  });

  it("calls multiAvgFn once per dtype, with the arrays of that dtype in order", () => {
    const params = [p32(1), p64(2), p32(3), p64(4)];
    const multiAvgFn = vi.fn();
    const avg = new AveragedParams(params, { multiAvgFn });
    avg.update();
    expect(multiAvgFn).not.toHaveBeenCalled();
    avg.update();
    expect(multiAvgFn).toHaveBeenCalledTimes(2);
    const [f32Avg, f32Live, n] = multiAvgFn.mock.calls[0];
    expect(f32Avg).toEqual([avg.averages[0], avg.averages[2]]);
    expect(f32Live[0]).toBe(params[0].data);
    expect(f32Live[1]).toBe(params[2].data);
    expect(n).toBe(1);
    expect(multiAvgFn.mock.calls[1][1]).toEqual([params[1].data, params[3].data]);
    expect(avg.nAveraged).toBe(2);
  });

  it("getSwaAvgFn() as avgFn is the default", () => {
    const run = (avgFn?: AvgFn) => {
      const w = p32(0, 0);
      const avg = new AveragedParams([w], avgFn ? { avgFn } : {});
      for (let k = 1; k <= 20; k++) feed(avg, [w], [Math.sin(k) * 1e3, 1 / k]);
      return values(avg.averages[0]);
    };
    expect(run(getSwaAvgFn())).toEqual(run());
  });

  it("propagates NaN and Infinity like PyTorch (no error)", () => {
    const w = p64(0, 0);
    const avg = new AveragedParams([w]);
    feed(avg, [w], [1, 1]);
    feed(avg, [w], [Number.NaN, Number.POSITIVE_INFINITY]);
    expect(values(avg.averages[0])).toEqual([Number.NaN, Number.POSITIVE_INFINITY]);
  });

  it("checks every parameter's length and dtype before changing anything", () => {
    const a = p64(1);
    const b: { data: FloatArray } = p64(2, 3);
    const avg = new AveragedParams([a, b]);
    avg.update();
    a.data[0] = 5;
    b.data = new Float64Array(3);
    expect(() => avg.update()).toThrow(
      "AveragedParams.update: params[1].data is a float64 array of 3 elements, but its average is a float64 array of 2 elements",
    );
    b.data = new Float32Array(2);
    expect(() => avg.update()).toThrow("params[1].data is a float32 array of 2 elements");
    expect(values(avg.averages[0])).toEqual([1]);
    expect(avg.nAveraged).toBe(1);
  });
});

describe("options and parameters", () => {
  it("rejects bad parameter lists, naming the problem", () => {
    expect(() => new AveragedParams([])).toThrow("AveragedParams: params is an empty list");
    expect(() => new AveragedParams(new Set([p64(1)]))).toThrow("not a Set");
    expect(() => new AveragedParams(p64(1) as unknown as [])).toThrow(
      "AveragedParams: params must be an array of parameters, got Object",
    );
    expect(() => new AveragedParams([{ data: [1, 2] as unknown as Float64Array }])).toThrow(
      "AveragedParams: params[0] must have data of type Float32Array or Float64Array, got [1, 2]",
    );
    expect(() => new AveragedParams([p64(1), null as unknown as { data: Float64Array }])).toThrow(
      "params[1] must have data of type Float32Array or Float64Array, got null",
    );
    const w = p64(1);
    expect(() => new AveragedParams([p64(0), w, w])).toThrow(
      "AveragedParams: params[2] appears twice in the list",
    );
  });

  it("takes at most one averaging function (PyTorch's assertion) and only functions", () => {
    expect(
      () => new AveragedParams([p64(1)], { avgFn: getSwaAvgFn(), multiAvgFn: getEmaMultiAvgFn() }),
    ).toThrow("AveragedParams: Only one of avgFn and multiAvgFn should be provided");
    expect(() => new AveragedParams([p64(1)], { avgFn: 0.9 as unknown as AvgFn })).toThrow(
      "AveragedParams: avgFn must be a function, got 0.9",
    );
    expect(() => new AveragedParams([p64(1)], { multiAvgFn: "ema" as unknown as MultiAvgFn })).toThrow(
      'AveragedParams: multiAvgFn must be a function, got "ema"',
    );
  });

  it("rejects a decay outside [0, 1] with PyTorch's message, and NaN", () => {
    for (const make of [getEmaMultiAvgFn, getEmaAvgFn]) {
      expect(() => make(1.5)).toThrow(
        "Invalid decay value 1.5 provided. Please provide a value in [0,1] range.",
      );
      expect(() => make(-0.1)).toThrow("Invalid decay value -0.1 provided.");
      expect(() => make(Number.NaN)).toThrow("Invalid decay value NaN provided.");
      expect(() => make("0.9" as unknown as number)).toThrow('Invalid decay value "0.9" provided.');
      expect(() => make(0)).not.toThrow();
      expect(() => make(1)).not.toThrow();
    }
  });
});

describe("swapping the averages in and out", () => {
  function trained() {
    const a = p64(0, 0);
    const b = p32(0);
    const avg = new AveragedParams([a, b]);
    feed(avg, [a, b], [1, 2], [0.5]);
    feed(avg, [a, b], [3, 4], [0.25]);
    feed(avg, [a, b], [5, 0], [1]); // averages [3, 2], [0.5833...]; live [5, 0], [1]
    return { a, b, avg };
  }

  it("swapIn puts the averages into the parameters and swapOut brings the live values back", () => {
    const { a, b, avg } = trained();
    const mean = Math.fround(avg.averages[1][0]);
    avg.swapIn();
    expect(avg.swappedIn).toBe(true);
    expect(values(a.data)).toEqual([3, 2]);
    expect(b.data[0]).toBe(mean);
    a.data[0] = 99; // e.g. an optimizer step during evaluation: discarded
    avg.swapOut();
    expect(avg.swappedIn).toBe(false);
    expect(values(a.data)).toEqual([5, 0]);
    expect(values(b.data)).toEqual([1]);
    expect(values(avg.averages[0])).toEqual([3, 2]);
    avg.swapIn(); // again, after a swapOut
    expect(values(a.data)).toEqual([3, 2]);
    avg.swapOut();
    expect(values(a.data)).toEqual([5, 0]);
  });

  it("makes misuse an error and changes nothing", () => {
    const { a, avg } = trained();
    expect(() => avg.swapOut()).toThrow(
      "AveragedParams.swapOut: the averages are not swapped in (call swapIn() first)",
    );
    avg.swapIn();
    expect(() => avg.swapIn()).toThrow(
      "AveragedParams.swapIn: the averages are already swapped in; call swapOut() first",
    );
    expect(() => avg.update()).toThrow(
      "AveragedParams.update: the averages are swapped into the parameters; call swapOut() first",
    );
    const saved = avg.stateDict(); // allowed: the averages are the same
    expect(saved.nAveraged).toBe(3);
    expect(() => avg.loadStateDict(saved)).toThrow(
      "AveragedParams.loadStateDict: the averages are swapped in; call swapOut() first",
    );
    expect(avg.nAveraged).toBe(3);
    avg.swapOut();
    expect(values(a.data)).toEqual([5, 0]);
  });

  it("before any update, swaps in the values at construction (PyTorch's deep copy)", () => {
    const w = p64(1, 2);
    const avg = new AveragedParams([w]);
    w.data.set([7, 8]);
    avg.swapIn();
    expect(values(w.data)).toEqual([1, 2]);
    avg.swapOut();
    expect(values(w.data)).toEqual([7, 8]);
  });

  it("withAverages runs fn with the averages in and always restores", async () => {
    const { a, avg } = trained();
    expect(avg.withAverages(() => a.data[0] + a.data[1])).toBe(5);
    expect(values(a.data)).toEqual([5, 0]);
    expect(() =>
      avg.withAverages(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(avg.swappedIn).toBe(false);
    expect(values(a.data)).toEqual([5, 0]);
    const pending = avg.withAverages(async () => {
      await Promise.resolve();
      return a.data[0];
    });
    expect(avg.swappedIn).toBe(true);
    await expect(pending).resolves.toBe(3);
    expect(avg.swappedIn).toBe(false);
    await expect(avg.withAverages(async () => Promise.reject(new Error("late")))).rejects.toThrow("late");
    expect(values(a.data)).toEqual([5, 0]);
  });
});

describe("stateDict / loadStateDict", () => {
  it("round-trips through JSON bit for bit, and the run continues identically", () => {
    const run = (n: number, avg: AveragedParams, ps: { data: FloatArray }[], from: number) => {
      for (let k = from; k < from + n; k++) feed(avg, ps, [Math.sin(k) * 10, 1 / (k + 1)], [Math.cos(k)]);
    };
    const ps1 = [p64(0, 0), p32(0)];
    const a1 = new AveragedParams(ps1);
    run(10, a1, ps1, 0);
    const json = JSON.stringify(a1.stateDict());
    const ps2 = [p64(0, 0), p32(0)];
    const a2 = new AveragedParams(ps2);
    a2.loadStateDict(JSON.parse(json));
    expect(a2.nAveraged).toBe(10);
    run(10, a1, ps1, 10);
    run(10, a2, ps2, 10);
    expect(a2.nAveraged).toBe(20);
    expect(a2.averages).toEqual(a1.averages);
  });

  it("has format, version, nAveraged and one saved array per parameter; encodes NaN and −0", () => {
    const w = p64(Number.NaN, -0, 1.5);
    const avg = new AveragedParams([w, p32(0.1)]);
    avg.update();
    const sd = avg.stateDict();
    expect(sd).toEqual({
      format: AVERAGED_PARAMS_FORMAT,
      version: 1,
      nAveraged: 1,
      averages: [
        { dtype: "float64", values: ["NaN", "-0", 1.5] },
        { dtype: "float32", values: [Math.fround(0.1)] },
      ],
    });
    const other = new AveragedParams([p64(0, 0, 0), p32(0)]);
    other.loadStateDict(JSON.parse(JSON.stringify(sd)));
    expect(Object.is(other.averages[0][1], -0)).toBe(true);
    expect(other.averages[0][0]).toBeNaN();
  });

  it("converts saved values to the parameters' dtypes", () => {
    const avg = new AveragedParams([p32(0)]);
    avg.loadStateDict({
      format: AVERAGED_PARAMS_FORMAT,
      version: 1,
      nAveraged: 4,
      averages: [{ dtype: "float64", values: [0.1] }],
    });
    expect(avg.averages[0][0]).toBe(Math.fround(0.1));
  });

  it("validates the whole input first, names the field, and changes nothing on error", () => {
    const ps = [p64(1, 2), p32(3)];
    const avg = new AveragedParams(ps);
    avg.update();
    const arraysBefore = [...avg.averages];
    const good = avg.stateDict();
    const where = "AveragedParams.loadStateDict";
    const bad = (patch: Record<string, unknown>) =>
      ({ ...good, ...patch }) as unknown as AveragedParamsStateDict;
    const cases: [unknown, string][] = [
      [null, `${where}: expected a state dict object, got null`],
      [[], `${where}: expected a state dict object, got []`],
      [
        bad({ format: "descent-optim-state" }),
        `${where}: format is "descent-optim-state", expected "descent-averaged-params"`,
      ],
      [bad({ version: 2 }), `${where}: version is 2, but this build reads version 1`],
      [bad({ nAveraged: -1 }), `${where}: nAveraged is -1, expected a non-negative integer`],
      [bad({ nAveraged: 1.5 }), `${where}: nAveraged is 1.5, expected a non-negative integer`],
      [bad({ nAveraged: "3" }), `${where}: nAveraged is "3", expected a non-negative integer`],
      [bad({ averages: {} }), `${where}: averages is Object, expected an array`],
      [
        bad({ averages: good.averages.slice(0, 1) }),
        `${where}: averages has 1 entries, but there are 2 parameters`,
      ],
      [
        bad({
          averages: [
            { dtype: "float64", values: [7, 8] },
            { dtype: "float32", values: [1, 2] },
          ],
        }),
        `${where}: averages[1] has 2 values, but the parameter has 1 elements`,
      ],
      [
        bad({ averages: [{ dtype: "float64", values: [7, "x"] }, good.averages[1]] }),
        `${where}: averages[0]: value 1 is "x", not a number`,
      ],
      [
        bad({ averages: [{ dtype: "int8", values: [7, 8] }, good.averages[1]] }),
        `${where}: averages[0] has dtype "int8", expected "float32" or "float64"`,
      ],
      [bad({ averages: [good.averages[0], 5] }), `${where}: averages[1] is 5, expected { dtype, values }`],
    ];
    for (const [input, message] of cases) {
      expect(() => avg.loadStateDict(input as AveragedParamsStateDict)).toThrow(message);
      expect(avg.nAveraged).toBe(1);
      expect(values(avg.averages[0])).toEqual([1, 2]);
      expect(values(avg.averages[1])).toEqual([3]);
    }
    avg.loadStateDict(
      bad({ nAveraged: 7, averages: [{ dtype: "float64", values: [7, 8] }, good.averages[1]] }),
    );
    expect(avg.nAveraged).toBe(7);
    expect(values(avg.averages[0])).toEqual([7, 8]);
    // The arrays handed out by `averages` stay the live state.
    expect(avg.averages[0]).toBe(arraysBefore[0]);
  });
});

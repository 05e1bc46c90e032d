/**
 * `loadStateDict` is all or nothing: every kind of bad input — names, shapes, dtypes, elements,
 * non-finite values, shared parameters that disagree, getters that throw — is reported (all of
 * them at once) and leaves every parameter bit-for-bit unchanged. The property test corrupts valid
 * state dicts of random models at random and checks exactly that; valid ones load exactly.
 */
import { Generator, type Tensor, tensor, zeros } from "@descent/tensor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Module, type TensorLike } from "./module.js";
import { Linear } from "./modules/linear.js";
import { MLP } from "./modules/mlp.js";
import { Sequential } from "./modules/sequential.js";
import { loadSafetensors, saveSafetensors } from "./serialization.js";

/** A snapshot of every parameter's bits. */
function snapshot(m: Module): number[][] {
  return m.parameters().map((p) => Array.from(p.data));
}

function expectUnchanged(m: Module, before: number[][]): void {
  const after = snapshot(m);
  expect(after.length).toBe(before.length);
  after.forEach((a, i) => {
    for (let j = 0; j < a.length; j++)
      expect(Object.is(a[j], before[i][j]), `parameter ${i}, element ${j}`).toBe(true);
  });
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return expect.fail("expected an error");
}

/** A state dict of plain `{ shape, data }` values copied from `m` (float64 data). */
function plain(m: Module): Record<string, TensorLike> {
  const out: Record<string, TensorLike> = {};
  for (const [k, t] of Object.entries(m.stateDict()))
    out[k] = { shape: [...t.shape], data: Float64Array.from(t.data) };
  return out;
}

class WithCamel extends Module {
  readonly runningMean = zeros([2], { requiresGrad: true });
  constructor() {
    super();
    this.registerParameter("runningMean", this.runningMean);
  }
  forward(x: Tensor): Tensor {
    return x.add(this.runningMean);
  }
}

describe("loadStateDict rejects bad input as a whole and writes nothing", () => {
  const lin = () => new Linear(2, 1, { generator: new Generator(5) });
  const ok = () => ({ weight: { shape: [1, 2], data: [1, 2] }, bias: { shape: [1], data: [3] } });
  const cases: [string, (sd: Record<string, unknown>) => unknown, string][] = [
    [
      "a NaN value",
      (sd) => (sd.bias = { shape: [1], data: [Number.NaN] }),
      "bias: value NaN at index 0 is not finite (1 of 1 values); a NaN or infinite weight is taken for a corrupt state dict (pass { allowNonFinite: true } to load it anyway)",
    ],
    [
      "an infinite value",
      (sd) => (sd.weight = { shape: [1, 2], data: new Float32Array([1, -Infinity]) }),
      "weight: value -Infinity at index 1 is not finite (1 of 2 values)",
    ],
    [
      "a float64 value too large for float32",
      (sd) => (sd.weight = { shape: [1, 2], data: [1e300, 0] }),
      "weight: value 1e+300 at index 0 overflows float32",
    ],
    [
      "a shape mismatch",
      (sd) => (sd.weight = { shape: [2, 1], data: [1, 2] }),
      "weight: shape [2, 1] in the state dict does not match [1, 2] in the model",
    ],
    [
      "a bad shape",
      (sd) => (sd.weight = { shape: [1, -2], data: [1, 2] }),
      "weight: shape [1,-2] is not a list of non-negative integers",
    ],
    [
      "a wrong length",
      (sd) => (sd.weight = { shape: [1, 2], data: [1] }),
      "weight: data has 1 elements, shape needs 2",
    ],
    [
      "a non-number element",
      (sd) => (sd.weight = { shape: [1, 2], data: [1, "2"] }),
      'weight: data element 1 is not a number, got string "2"',
    ],
    [
      "integer data",
      (sd) => (sd.weight = { shape: [1, 2], data: new Int32Array(2) }),
      "weight: integer data (Int32Array) cannot load into a float32 parameter",
    ],
    [
      "64-bit integer data",
      (sd) => (sd.weight = { shape: [1, 2], data: new BigInt64Array(2) }),
      "weight: integer (64-bit) data cannot load into a float32 parameter",
    ],
    [
      "an integer dtype",
      (sd) => (sd.weight = { shape: [1, 2], data: [1, 2], dtype: "I64" }),
      "weight: dtype I64 cannot load into a float32 parameter",
    ],
    [
      "data that is not an array",
      (sd) => (sd.weight = { shape: [1, 2], data: "12" }),
      'weight: data must be a Float32Array, a Float64Array or an array of numbers, got string "12"',
    ],
    [
      "a value that is not a tensor",
      (sd) => (sd.weight = 3),
      "weight: value is not a tensor ({ shape, data }), got number 3",
    ],
    ["a missing key", (sd) => delete sd.bias, 'missing key(s) in state dict: "bias"'],
    [
      "an unknown key",
      (sd) => (sd.extra = { shape: [1], data: [0] }),
      'unexpected key(s) in state dict: "extra"',
    ],
    [
      "a misspelled key",
      (sd) => {
        sd.Bias = sd.bias;
        delete sd.bias;
      },
      'unexpected key(s) in state dict: "Bias" (did you mean "bias"?)',
    ],
  ];
  for (const [what, corrupt, message] of cases) {
    it(what, () => {
      const m = lin();
      const before = snapshot(m);
      const sd: Record<string, unknown> = ok();
      corrupt(sd);
      const e = errorOf(() => m.loadStateDict(sd as never));
      expect(e.message).toContain(`loadStateDict: error(s) loading state dict into Linear:\n  `);
      expect(e.message).toContain(message);
      expectUnchanged(m, before);
      expect(m.loadStateDict(ok())).toEqual({ missingKeys: [], unexpectedKeys: [] }); // the good one loads
      expect(Array.from(m.weight.data)).toEqual([1, 2]);
    });
  }

  it("lists every problem at once, in one error", () => {
    const m = lin();
    const e = errorOf(() =>
      m.loadStateDict({ weight: { shape: [1, 2], data: [Number.NaN, 1] }, extra: { shape: [1], data: [0] } }),
    );
    expect(e.message.split("\n")).toEqual([
      "loadStateDict: error(s) loading state dict into Linear:",
      expect.stringMatching(/^ {2}weight: value NaN at index 0 is not finite/),
      '  missing key(s) in state dict: "bias"',
      '  unexpected key(s) in state dict: "extra"',
    ]);
  });

  it("snake_case keys of camelCase parameters get the camelCase name suggested", () => {
    const m = new WithCamel();
    expect(errorOf(() => m.loadStateDict({ running_mean: { shape: [2], data: [1, 2] } })).message).toContain(
      'unexpected key(s) in state dict: "running_mean" (did you mean "runningMean"?)',
    );
  });

  it("two names of one shared parameter must agree", () => {
    const a = new Linear(2, 2, { generator: new Generator(1) });
    const seq = new Sequential(a, a);
    const before = snapshot(seq);
    const sd = plain(seq);
    sd["1.weight"] = { shape: [2, 2], data: [9, 9, 9, 9] };
    expect(errorOf(() => seq.loadStateDict(sd)).message).toContain(
      '1.weight: names the same parameter as "0.weight" (a shared parameter) but holds different values',
    );
    expectUnchanged(seq, before);
    sd["0.weight"] = sd["1.weight"];
    seq.loadStateDict(sd);
    expect(Array.from(a.weight.data)).toEqual([9, 9, 9, 9]);
  });

  it("a getter that throws, or that would answer differently the second time, writes nothing", () => {
    const m = lin();
    const before = snapshot(m);
    const sd = ok() as Record<string, unknown>;
    Object.defineProperty(sd, "bias", {
      enumerable: true,
      get() {
        throw new Error("disk read failed");
      },
    });
    expect(() => m.loadStateDict(sd as never)).toThrow("disk read failed");
    expectUnchanged(m, before);
    let reads = 0;
    const fickle = {
      shape: [1],
      get data() {
        reads++;
        return reads === 1 ? [4] : [Number.NaN];
      },
    };
    m.loadStateDict({ ...ok(), bias: fickle });
    expect(reads).toBe(1); // read once: what was validated is what is written
    expect(Array.from(m.bias!.data)).toEqual([4]);
    const e = errorOf(() =>
      m.loadStateDict({
        ...ok(),
        bias: {
          shape: [1],
          data: new Proxy([1], {
            get: (t, k) =>
              k === "0"
                ? (() => {
                    throw new Error("bad element");
                  })()
                : Reflect.get(t, k),
          }),
        },
      }),
    );
    expect(e.message).toBe("bad element");
  });

  it("non-strict: reports missing and unexpected keys and loads the rest; values are still validated", () => {
    const m = lin();
    const r = m.loadStateDict(
      { weight: { shape: [1, 2], data: [5, 6] }, extra: { shape: [1], data: [0] } },
      { strict: false },
    );
    expect(r).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    expect(Array.from(m.weight.data)).toEqual([5, 6]);
    const before = snapshot(m);
    expect(() =>
      m.loadStateDict({ weight: { shape: [1, 2], data: [Number.NaN, 6] } }, { strict: false }),
    ).toThrow(/not finite/);
    expectUnchanged(m, before);
  });

  it("allowNonFinite loads NaN and infinities on request", () => {
    const m = lin();
    m.loadStateDict(
      {
        weight: { shape: [1, 2], data: [Number.NaN, Number.POSITIVE_INFINITY] },
        bias: { shape: [1], data: [0] },
      },
      { allowNonFinite: true },
    );
    expect(Array.from(m.weight.data)).toEqual([Number.NaN, Number.POSITIVE_INFINITY]);
  });

  it("rejects a state dict that is not a plain object, and bad options, with did-you-mean", () => {
    const m = lin();
    expect(errorOf(() => m.loadStateDict(new Map() as never)).message).toBe(
      "loadStateDict: expected an object mapping parameter names to tensors, got a Map (use Object.fromEntries(map))",
    );
    expect(errorOf(() => m.loadStateDict([] as never)).message).toBe(
      "loadStateDict: expected an object mapping parameter names to tensors, got an array of length 0",
    );
    expect(errorOf(() => m.loadStateDict(ok(), { Strict: false } as never)).message).toBe(
      'loadStateDict: unknown option "Strict" (did you mean "strict"?); known options: strict, allowNonFinite',
    );
    expect(errorOf(() => m.loadStateDict(ok(), { strict: "no" } as never)).message).toBe(
      'loadStateDict: strict must be a boolean, got string "no"',
    );
    expect(
      errorOf(() => loadSafetensors(m, saveSafetensors(m), { allow_non_finite: true } as never)).message,
    ).toBe(
      'loadSafetensors: unknown option "allow_non_finite" (did you mean "allowNonFinite"?); known options: strict, allowNonFinite',
    );
  });

  it("loadSafetensors rejects a file holding a NaN weight and writes nothing", () => {
    const src = lin();
    src.weight.data[1] = Number.NaN;
    const bytes = saveSafetensors(src);
    const m = lin();
    const before = snapshot(m);
    expect(() => loadSafetensors(m, bytes)).toThrow(/weight: value NaN at index 1 is not finite/);
    expectUnchanged(m, before);
    loadSafetensors(m, bytes, { allowNonFinite: true });
    expect(Number.isNaN(m.weight.data[1])).toBe(true);
  });
});

describe("property: a corrupted state dict changes nothing; a valid one loads exactly", () => {
  type Corruption =
    | "none"
    | "nan"
    | "inf"
    | "overflow"
    | "shape"
    | "length"
    | "string"
    | "int"
    | "drop"
    | "extra"
    | "rename"
    | "snake"
    | "notTensor"
    | "throwingGetter";
  const corruptions: Corruption[] = [
    "none",
    "nan",
    "inf",
    "overflow",
    "shape",
    "length",
    "string",
    "int",
    "drop",
    "extra",
    "rename",
    "snake",
    "notTensor",
    "throwingGetter",
  ];
  it("random stacks of Linear layers (zero-size ones included), random corruptions of random keys", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 4 }),
        fc.constantFrom("float32", "float64"),
        fc.constantFrom(...corruptions),
        fc.nat(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.boolean(),
        (sizes, dtype, corruption, pick, seed, strict) => {
          const layers = (dt: "float32" | "float64", g: Generator) =>
            new Sequential(
              ...sizes.slice(1).map((s, l) => new Linear(sizes[l], s, { dtype: dt, generator: g })),
            );
          const model = layers(dtype as "float32", new Generator(seed));
          const source = layers("float64", new Generator(seed + 1));
          const sd = plain(source) as Record<string, unknown>;
          const keys = Object.keys(sd);
          const key = keys[pick % keys.length];
          const v = sd[key] as { shape: number[]; data: Float64Array };
          const i = v.data.length === 0 ? -1 : pick % v.data.length;
          let mustFail = true;
          switch (corruption) {
            case "none":
              mustFail = false;
              break;
            case "nan":
            case "inf":
            case "overflow":
            case "string":
              if (i < 0) mustFail = false;
              else {
                const data: unknown[] = Array.from(v.data);
                data[i] = { nan: Number.NaN, inf: -Infinity, overflow: 1e300, string: "1" }[corruption];
                if (corruption === "overflow" && dtype === "float64") mustFail = false;
                sd[key] = { shape: v.shape, data };
              }
              break;
            case "shape":
              sd[key] = { shape: [...v.shape, 1], data: v.data };
              break;
            case "length":
              sd[key] = { shape: v.shape, data: Float64Array.from([...v.data, 0]) };
              break;
            case "int":
              sd[key] = { shape: v.shape, data: new Int32Array(v.data.length) };
              break;
            case "drop":
              delete sd[key];
              mustFail = strict;
              break;
            case "extra":
              sd[`${key}.extra`] = v;
              mustFail = strict;
              break;
            case "rename":
              delete sd[key];
              sd[key.toUpperCase()] = v;
              mustFail = strict;
              break;
            case "snake":
              delete sd[key];
              sd[key.replace(".", "_")] = v;
              mustFail = strict;
              break;
            case "notTensor":
              sd[key] = v.data;
              break;
            case "throwingGetter":
              Object.defineProperty(sd, key, {
                enumerable: true,
                get() {
                  throw new Error("unreadable");
                },
              });
              break;
          }
          const before = snapshot(model);
          let error: Error | null = null;
          try {
            model.loadStateDict(sd as never, { strict });
          } catch (e) {
            error = e as Error;
          }
          if (mustFail) {
            expect(error, corruption).not.toBeNull();
            expectUnchanged(model, before);
            if (corruption !== "throwingGetter") expect(error!.message).toContain(key.split(".")[0]);
            return;
          }
          expect(error, `${corruption}: ${error?.message}`).toBeNull();
          // Every key that was given loads exactly (rounded once to the model's dtype).
          const params = new Map(Object.entries(model.stateDict({ keepVars: true })));
          for (const [k, t] of params) {
            const given = sd[k] as { data: ArrayLike<number> } | undefined;
            const want =
              given === undefined
                ? before[[...params.keys()].indexOf(k)]
                : Array.from(given.data, dtype === "float32" ? Math.fround : Number);
            expect(Array.from(t.data), k).toEqual(want);
          }
        },
      ),
      { seed: 0x10ad, numRuns: 400 },
    );
  });
});

describe("the tensors handed back by stateDict() load into another model of the same shape", () => {
  it("round trip with tensor values", () => {
    const a = new MLP([3, 4, 2], { generator: new Generator(1) });
    const b = new MLP([3, 4, 2], { generator: new Generator(2) });
    b.loadStateDict(a.stateDict());
    const x = tensor([[1, 2, 3]]);
    expect(Array.from(b.forward(x).data)).toEqual(Array.from(a.forward(x).data));
  });
});

describe("loading weights between forward and backward", () => {
  it("is caught by backward, like any other write into a value the graph saved", () => {
    const m = new Linear(2, 1, { generator: new Generator(3) });
    const y = m.forward(tensor([[1, 2]])).sum();
    m.loadStateDict(plain(new Linear(2, 1, { generator: new Generator(4) })));
    expect(() => y.backward()).toThrow(
      /input 1 of 'linear' \(a leaf float32 tensor of shape \[1, 2\]\) is at version/,
    );
    m.forward(tensor([[1, 2]]))
      .sum()
      .backward(); // a new forward pass is fine
    expect(Array.from(m.weight.grad!.data)).toEqual([1, 2]);
  });
});

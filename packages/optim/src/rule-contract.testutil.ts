// Checks every rule owes its users whatever its update: state saved through JSON continues
// bit-identically, maximize is minimizing the negated gradient, a null gradient skips the
// parameter, param groups behave as separate optimizers, and the float32 TypeScript loop and the
// WASM kernel give the same bits. Each rule's test calls these with its constructor and options.
import { describe, expect, it, test } from "vitest";
import { WASM_MIN_ELEMENTS, withKernelBackend } from "./kernel-backend.js";
import type { Optimizer, ParamsInput } from "./optimizer.js";
import type { FloatArray, Param } from "./param.js";
import type { OptimizerStateDict } from "./state-dict.js";
import { wasmSimdSupported } from "./wasm/module.js";
import { STREAM_CHUNK } from "./wasm/stream.js";

// biome-ignore lint/suspicious/noExplicitAny: any optimizer, whatever its hyperparameters and state
type AnyOptimizer = Optimizer<any, any>;
/** Builds the rule's optimizer. */
export type MakeOptimizer = (params: ParamsInput, options: Record<string, unknown>) => AnyOptimizer;

type Dtype = "float32" | "float64";
const ARRAY = { float32: Float32Array, float64: Float64Array } as const;

/** Index of the first element whose bits differ, or −1 (two NaNs count as equal). */
export function firstBitDifference(a: FloatArray, b: FloatArray): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}

function expectSameBits(actual: FloatArray, expected: FloatArray, what: string): void {
  const i = firstBitDifference(actual, expected);
  expect(i, `${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`).toBe(-1);
}

/** Three parameters of 5, 3 and 1 elements, or with `shapes`, of those shapes (deterministic values). */
function paramsOf(dtype: Dtype, shapes?: readonly (readonly number[])[]): Param[] {
  if (shapes !== undefined) {
    return shapes.map((shape, k) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new ARRAY[dtype](n);
      for (let i = 0; i < n; i++) data[i] = Math.sin(1.3 * i + 2.1 * k + 0.4) * 1.5;
      return { data, grad: null, shape };
    });
  }
  return [[0.8, -1.2, 0.5, 2.0, -0.1], [0.3, -0.7, 1.1], [-0.4]].map((values) => ({
    data: ARRAY[dtype].from(values),
    grad: null,
  }));
}

/**
 * The gradient of parameter k at step t: a noisy quadratic `(p − c)·h + n_t`, so the trajectory
 * depends on the parameters (closed loop) and the gradient does not vanish.
 */
function gradient(p: FloatArray, t: number, k: number): FloatArray {
  const g = new (p instanceof Float32Array ? Float32Array : Float64Array)(p.length);
  for (let i = 0; i < p.length; i++) {
    const h = 0.5 + ((i + k) % 3);
    g[i] = (p[i] - 0.3 * (i - k)) * h + 0.2 * Math.sin(0.9 * t + i + 2 * k);
  }
  return g;
}

function setGrads(ps: Param[], t: number, skip: (k: number) => boolean = () => false): void {
  ps.forEach((p, k) => {
    p.grad = skip(k) ? null : { data: gradient(p.data, t, k) };
  });
}

/** The second group's own options in the param-group test, unless a rule gives its own. */
const OTHER_GROUP_OPTIONS: Record<string, unknown> = { lr: 0.004, betas: [0.5, 0.95], eps: 1e-5 };

/**
 * The rule's contract over both dtypes and each option set: state dict round trip through JSON,
 * maximize, null gradients, param groups (the second group with `otherGroup`'s options, for rules
 * whose options differ from `{ lr, betas: [β1, β2], eps }`). `optionSets` should not set `maximize`.
 * `shapes` gives the three parameters shapes (for rules that need a `shape`); by default they have
 * 5, 3 and 1 elements and no shape.
 */
export function describeRuleContract(
  rule: string,
  make: MakeOptimizer,
  optionSets: readonly Record<string, unknown>[],
  otherGroup: Record<string, unknown> = OTHER_GROUP_OPTIONS,
  shapes?: readonly (readonly number[])[],
): void {
  const params = (dtype: Dtype) => paramsOf(dtype, shapes);
  describe(`${rule}: what every rule guarantees`, () => {
    for (const dtype of ["float64", "float32"] as const) {
      for (const options of optionSets) {
        const label = `${dtype}, ${JSON.stringify(options)}`;

        it(`stateDict → JSON → loadStateDict continues bit-identically (${label})`, () => {
          const a = params(dtype);
          const optA = make([{ params: [a[0], a[2]] }, { params: [a[1]], lr: 0.002 }], options);
          for (let t = 1; t <= 12; t++) {
            setGrads(a, t, (k) => k === 2); // param 2 never has a gradient: no state
            optA.step();
          }
          const saved = JSON.parse(JSON.stringify(optA.stateDict())) as OptimizerStateDict;
          const b = a.map((p) => ({ data: p.data.slice(), grad: null, shape: p.shape }) as Param);
          const optB = make([{ params: [b[0], b[2]] }, { params: [b[1]], lr: 0.5 }], options);
          optB.loadStateDict(saved);
          expect(optB.paramGroups[1].lr).toBe(0.002);
          expect(optB.state.has(b[2])).toBe(false);
          for (let t = 13; t <= 24; t++) {
            setGrads(a, t);
            setGrads(b, t);
            optA.step();
            optB.step();
            a.forEach((p, k) => {
              expectSameBits(b[k].data, p.data, `step ${t} param ${k}`);
            });
          }
          expect(optB.stateDict()).toEqual(optA.stateDict());
        });

        it(`maximize is minimizing the negated gradient, bit for bit (${label})`, () => {
          const a = params(dtype);
          const b = params(dtype);
          const optA = make(a, { ...options, maximize: true });
          const optB = make(b, options);
          for (let t = 1; t <= 15; t++) {
            setGrads(a, t);
            b.forEach((p, k) => {
              const g = gradient(p.data, t, k).map((x) => -x);
              p.grad = { data: g };
            });
            optA.step();
            optB.step();
            a.forEach((p, k) => {
              expectSameBits(p.data, b[k].data, `step ${t} param ${k}`);
            });
          }
        });

        it(`a null gradient skips the parameter: no change, no state, no step counted (${label})`, () => {
          const ps = params(dtype);
          const opt = make(ps, options);
          for (let t = 1; t <= 9; t++) {
            const skip = (k: number) => k === 1 && t % 3 === 0;
            setGrads(ps, t, skip);
            const before = ps[1].data.slice();
            const stateBefore = JSON.stringify(opt.stateDict().state["1"] ?? null);
            opt.step();
            if (skip(1)) {
              expectSameBits(ps[1].data, before, `step ${t}`);
              expect(JSON.stringify(opt.stateDict().state["1"] ?? null)).toBe(stateBefore);
            }
          }
          expect(opt.state.get(ps[0])?.step).toBe(9);
          expect(opt.state.get(ps[1])?.step).toBe(6);
        });

        it(`param groups act as separate optimizers, bit for bit (${label})`, () => {
          const a = params(dtype);
          const b = params(dtype);
          const other = otherGroup;
          const opt = make([{ params: [a[0], a[2]] }, { params: [a[1]], ...other }], options);
          const opt0 = make([b[0], b[2]], options);
          const opt1 = make([b[1]], { ...options, ...other });
          for (let t = 1; t <= 15; t++) {
            setGrads(a, t);
            setGrads(b, t);
            opt.step();
            opt0.step();
            opt1.step();
            a.forEach((p, k) => {
              expectSameBits(p.data, b[k].data, `step ${t} param ${k}`);
            });
          }
        });
      }
    }
  });
}

/** Element counts that straddle the SIMD width (4), the WASM threshold and the stream chunk. */
export const KERNEL_SIZES = [
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

/** Deterministic values in (−scale, scale). */
export function randomF32(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/**
 * p, g and `state` state arrays (zero, or random non-negative with `randomState`); g holds a NaN
 * and a −Infinity when `nonFinite`.
 */
export function kernelArrays(
  state: number,
  randomState: boolean,
  nonFinite = false,
): (n: number) => Float32Array[] {
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

/**
 * Runs `steps` on fresh arrays under the TypeScript loop and under the WASM kernel (for every
 * size); expects the same bits in every array, state included.
 */
export function expectSameBitsOnBothBackends(
  arrays: (n: number) => Float32Array[],
  n: number,
  steps: (arrays: Float32Array[], t: number) => void,
  stepCount = 3,
): void {
  const [js, wasm] = (["js", "wasm"] as const).map((backend) =>
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
  js.forEach((x, k) => {
    expectSameBits(wasm[k], x, `n = ${n}, array ${k}`);
  });
}

/**
 * One test per option set and size: the rule's kernel on the WASM backend gives the float32 loop's
 * bits (skipped where WebAssembly SIMD is unavailable). The non-finite gradient test gives `step`
 * p, g and `stateCount` zeroed state arrays.
 */
export function describeKernelBackends<H>(
  rule: string,
  optionSets: readonly H[],
  arrays: (k: number) => (n: number) => Float32Array[],
  step: (arrays: Float32Array[], t: number, h: H) => void,
  stateCount = 2,
): void {
  const run = wasmSimdSupported() ? describe : describe.skip;
  run(`${rule}: the WASM kernel gives the float32 loop's bits`, () => {
    for (const n of KERNEL_SIZES) {
      optionSets.forEach((h, k) => {
        test(`options ${k}, n = ${n}`, () => {
          expectSameBitsOnBothBackends(arrays(k), n, (a, t) => step(a, t, h));
        });
      });
    }
    test("NaN and ±Infinity in the gradient propagate the same way", () => {
      optionSets.forEach((h) => {
        expectSameBitsOnBothBackends(kernelArrays(stateCount, false, true), 70, (a, t) => step(a, t, h));
      });
    });
  });
}

/**
 * A weight decay that is nonzero in float64 but 0 in float32 (1e-50) still runs its term, as
 * PyTorch's Python `if weight_decay != 0` decides: `g + 0·p` turns an infinite parameter into NaN,
 * on the TypeScript loop and on the WASM kernel. `step` runs one update of float32 arrays p, g and
 * two zeroed state arrays with that decay.
 */
export function itAppliesTinyWeightDecay(
  rule: string,
  step: (p: Float32Array, g: Float32Array, a: Float32Array, b: Float32Array) => void,
): void {
  it(`${rule}: weightDecay 1e-50 (0 in float32) still adds 0·p: an infinite parameter becomes NaN`, () => {
    const backends = wasmSimdSupported() ? (["js", "wasm"] as const) : (["js"] as const);
    for (const backend of backends) {
      const n = 64;
      const p = new Float32Array(n).fill(1);
      p[0] = Number.POSITIVE_INFINITY;
      withKernelBackend(
        backend,
        () => step(p, new Float32Array(n).fill(0.5), new Float32Array(n), new Float32Array(n)),
        1,
      );
      expect(p[0], backend).toBeNaN();
      expect(Number.isFinite(p[1]), backend).toBe(true);
    }
  });
}

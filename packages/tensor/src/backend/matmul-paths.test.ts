import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { FloatArray } from "../dtype.js";
import type { MatmulArgs } from "./backend.js";
import { MATMUL_SLICE } from "./reference/matmul.js";
import { referenceBackend } from "./reference.js";
import { createWasmBackend, WASM_MATMUL_MIN_MACS, wasmBackendFrom } from "./wasm.js";
import { instantiateKernels } from "./wasm-module.js";

/**
 * The matmul paths — the reference loops, the WASM kernels forced on every size, and the default
 * WASM backend that sends products under WASM_MATMUL_MIN_MACS to the reference — must give the same
 * bits for every input, so that the size of a product never changes its result, in particular
 * never its class (finite, ±∞, NaN). Shapes straddle the size threshold and every block size of
 * the kernels (4-row and 8/4-column tiles, 256-deep slices of k, 128/64-row blocks of A), and the
 * values include float32/float64 near-overflow magnitudes of both signs, ±∞, NaN, ±0 and subnormals.
 */

const forced = wasmBackendFrom(instantiateKernels(), 0);
const wasm = createWasmBackend();

type Class = "NaN" | "+Inf" | "-Inf" | "finite";
const classOf = (v: number): Class =>
  Number.isNaN(v)
    ? "NaN"
    : v === Number.POSITIVE_INFINITY
      ? "+Inf"
      : v === Number.NEGATIVE_INFINITY
        ? "-Inf"
        : "finite";

/** Same bits, up to the payload of NaNs: `Object.is` (so +0 ≠ −0), or both NaN. */
function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (!(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)))) {
      throw new Error(
        `${what}: element ${i} is ${g} (${classOf(g)}), the reference gives ${w} (${classOf(w)})`,
      );
    }
  }
}

// Block sizes of asm/gemm.ts and the size threshold, each straddled.
const M = [0, 1, 3, 4, 5, 63, 64, 65, 127, 128, 129];
const K = [0, 1, 2, 7, 8, 9, MATMUL_SLICE - 1, MATMUL_SLICE, MATMUL_SLICE + 1, 2 * MATMUL_SLICE + 1];
const N = [0, 1, 3, 4, 5, 7, 8, 9, 16, 17];
/** Shapes whose m·k·n is one below, at and one above the threshold. */
const AT_THRESHOLD: [number, number, number][] = [
  [1, WASM_MATMUL_MIN_MACS - 1, 1],
  [1, WASM_MATMUL_MIN_MACS, 1],
  [1, WASM_MATMUL_MIN_MACS + 1, 1],
  [3, 5, 17],
  [2, 8, 16],
  [1, 1, 257],
];

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Mix {
  /** Probability of a large magnitude (products or sums near overflow). */
  big: number;
  inf: number;
  nan: number;
  /** Probability of ±0 or a subnormal. */
  tiny: number;
}

/**
 * Magnitudes near float32's largest (3.4e38) and its square root (1.8e19, so products straddle
 * overflow); likewise for float64.
 */
const BIG_F32 = [3.4e38, 2e38, 1e38, 1.9e19, 1.8e19, 1e19, 3e18];
const BIG_F64 = [1.79e308, 1e308, 1.35e154, 1.3e154, 1e154];
const TINY = [0, 1e-45, 1e-39, 5e-324];

function values(n: number, seed: number, f64: boolean, mix: Mix): FloatArray {
  const r = uniform(seed);
  const out = f64 ? new Float64Array(n) : new Float32Array(n);
  const big = f64 ? BIG_F64 : BIG_F32;
  for (let i = 0; i < n; i++) {
    const u = r();
    const sign = r() < 0.5 ? -1 : 1;
    let v: number;
    if (u < mix.nan) v = Number.NaN;
    else if (u < mix.nan + mix.inf) v = Number.POSITIVE_INFINITY;
    else if (u < mix.nan + mix.inf + mix.big) v = big[Math.floor(r() * big.length)] * (1 + r() * 0.01);
    else if (u < mix.nan + mix.inf + mix.big + mix.tiny) v = TINY[Math.floor(r() * TINY.length)];
    else v = (r() * 2 - 1) * 4;
    out[i] = sign * v;
  }
  return out;
}

interface Case {
  shape: [number, number, number];
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  offsets: [number, number, number];
  dtype: "float32" | "float64";
  seed: number;
  mix: Mix;
}

/** Runs one case on every path; returns the reference result (for counting classes). */
function run(c: Case): FloatArray {
  const [m, k, n] = c.shape;
  const [aOff, bOff, oOff] = c.offsets;
  const f64 = c.dtype === "float64";
  const a = values(aOff + m * k, c.seed, f64, c.mix);
  const b = values(bOff + k * n, c.seed + 1, f64, c.mix);
  const init = values(oOff + m * n, c.seed + 2, f64, c.mix);
  const args = (out: FloatArray): MatmulArgs => ({
    a,
    aOff,
    b,
    bOff,
    out,
    oOff,
    m,
    k,
    n,
    transA: c.transA,
    transB: c.transB,
    accumulate: c.accumulate,
  });
  const want = init.slice();
  referenceBackend.matmul(args(want));
  const what = `${c.dtype} m=${m} k=${k} n=${n} transA=${c.transA} transB=${c.transB} accumulate=${c.accumulate} seed=${c.seed} mix=${JSON.stringify(c.mix)}`;
  for (const [name, be] of [
    ["WASM kernels on every size", forced],
    ["default WASM backend", wasm ?? referenceBackend],
  ] as const) {
    const got = init.slice();
    be.matmul(args(got));
    sameBits(got, want, `${name}, ${what}`);
  }
  return want.subarray(oOff);
}

const p = fc.constantFrom(0, 0.001, 0.02, 0.3);
const caseArb: fc.Arbitrary<Case> = fc.record({
  shape: fc.oneof(
    fc.tuple(fc.constantFrom(...M), fc.constantFrom(...K), fc.constantFrom(...N)),
    fc.constantFrom(...AT_THRESHOLD),
    fc.tuple(
      fc.integer({ min: 0, max: 17 }),
      fc.integer({ min: 0, max: 17 }),
      fc.integer({ min: 0, max: 17 }),
    ),
  ),
  transA: fc.boolean(),
  transB: fc.boolean(),
  accumulate: fc.boolean(),
  offsets: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
  dtype: fc.constantFrom("float32" as const, "float64" as const),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  mix: fc.record({ big: fc.constantFrom(0, 0.05, 0.5, 1), inf: p, nan: p, tiny: p }),
});

describe("matmul: every path gives the same bits (so the same class: finite, ±∞, NaN)", () => {
  test("fuzz: shapes around every block size and the size threshold, near-overflow values, ±∞, NaN", () => {
    const seen: Record<Class, number> = { NaN: 0, "+Inf": 0, "-Inf": 0, finite: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        for (const v of run(c)) seen[classOf(v)]++;
      }),
      { numRuns: 300, seed: 20240531 },
    );
    // The fuzz reaches every class (it would prove nothing if overflow never happened).
    for (const cls of ["NaN", "+Inf", "-Inf", "finite"] as const) expect(seen[cls]).toBeGreaterThan(100);
  });

  test("fuzz with fresh seeds (a different sample every run)", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        run(c);
      }),
      { numRuns: 60 },
    );
  });

  test("float32 products past 3.4e38 overflow to ±∞ before they are summed (PyTorch gives NaN too)", () => {
    // torch.tensor([[2e19, 2e19, 2e19]]) @ torch.tensor([[2e19], [2e19], [-2e19]]) is tensor([[nan]])
    // in PyTorch 1.13 (float32): each product is ±4e38 → ±∞, and ∞ + ∞ − ∞ = NaN.
    for (const be of [referenceBackend, forced]) {
      const out = new Float32Array(1);
      be.matmul({
        a: Float32Array.of(2e19, 2e19, 2e19),
        b: Float32Array.of(2e19, 2e19, -2e19),
        out,
        m: 1,
        k: 3,
        n: 1,
      });
      expect(out[0], be.name).toBeNaN();
    }
    // The same values summed in float64 give a finite 4e38 that only overflows when stored: a
    // path that accumulated in float64 would report +∞ here, and the fuzz above would catch it.
    let wide = 0;
    for (const [x, y] of [
      [2e19, 2e19],
      [2e19, 2e19],
      [2e19, -2e19],
    ]) {
      wide += Math.fround(x) * Math.fround(y);
    }
    expect(() => sameBits(Float32Array.of(wide), Float32Array.of(Number.NaN), "float64 sums")).toThrow(
      "Infinity (+Inf), the reference gives NaN (NaN)",
    );
  });

  test("a partial sum past the float32 range stays ±∞ whatever follows, on every path", () => {
    // 3e38 + 3e38 = +∞ in float32, then +∞ − 3e38 = +∞ (in float64 it would be a finite 3e38).
    const a = Float32Array.of(1, 1, 1);
    const b = Float32Array.of(3e38, 3e38, -3e38);
    for (const be of [referenceBackend, forced]) {
      const out = new Float32Array(1);
      be.matmul({ a, b, out, m: 1, k: 3, n: 1 });
      expect(out[0], be.name).toBe(Number.POSITIVE_INFINITY);
    }
  });

  test("each 256-deep slice of k is summed from 0, then added into C, on every path", () => {
    // C = 3e38 (accumulate); slice 1 is 3e38 + 0 + … + 0 − 3e38 = 0, slice 2 is 1.5:
    // C + 0 + 1.5 rounds to 3e38. Adding the terms into C one by one would overflow to +∞.
    const k = MATMUL_SLICE + 1;
    const a = new Float32Array(k).fill(1);
    const b = new Float32Array(k);
    b[0] = 3e38;
    b[MATMUL_SLICE - 1] = -3e38; // slice 1 sums to 0
    b[MATMUL_SLICE] = 1.5; // slice 2
    for (const be of [referenceBackend, forced]) {
      const out = Float32Array.of(3e38);
      be.matmul({ a, b, out, m: 1, k, n: 1, accumulate: true });
      expect(out[0], be.name).toBe(Math.fround(3e38 + 1.5));
    }
  });
});

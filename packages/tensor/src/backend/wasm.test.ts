import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { referenceBackend } from "./reference.js";
import { createWasmBackend, loadWasmBackend, WASM_MATMUL_MIN_MACS, wasmBackendFrom } from "./wasm.js";
import { instantiateKernels, MAX_KERNEL_BYTES, wasmSimdSupported } from "./wasm-module.js";

/**
 * Unit roundoff of float32. A float32 dot product of length k, however it is ordered, is within
 * k·u·Σ|a||b| of the exact value (Higham, Accuracy and Stability of Numerical Algorithms, §3.1);
 * the float64 reference is exact to far below that, so this bound cannot hide a wrong product
 * (a wrong term is off by about |a||b|, orders of magnitude more).
 */
const F32_UNIT_ROUNDOFF = 2 ** -24;
/**
 * Unit roundoff of float64. For float64 operands the float64 reference is itself rounded, so the
 * bound is doubled (kernel error + reference error).
 */
const F64_UNIT_ROUNDOFF = 2 ** -53;
/** Slack on the rounding bound for the final add into C and the float32 storage of C. */
const ROUNDING_SLACK_TERMS = 2;

const wasm = createWasmBackend();

/** Deterministic values in [-1, 1) from a seed (mulberry32). */
function randomF32(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

interface Case {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  aOff: number;
  bOff: number;
  oOff: number;
  seed: number;
  dtype?: "float32" | "float64";
}

/**
 * Runs the case through the WASM kernel (forced: no size threshold) and through the reference
 * backend in float64, and checks every element against the rounding bound. (That the kernel gives
 * the same bits as the reference backend in the operands' dtype is checked in matmul-paths.test.ts.)
 */
function check(c: Case): void {
  const { m, k, n, transA, transB, accumulate, aOff, bOff, oOff, seed } = c;
  const f64 = c.dtype === "float64";
  // float64 operands get values that are not float32-representable, so every product rounds.
  const widen = (x: Float32Array) =>
    f64 ? Float64Array.from(x, (v, i) => v + v * 2 ** -30 * ((i % 7) - 3)) : x;
  const a = widen(randomF32(aOff + m * k, seed));
  const b = widen(randomF32(bOff + k * n, seed + 1));
  const init = widen(randomF32(oOff + m * n, seed + 2));
  const out = f64 ? Float64Array.from(init) : Float32Array.from(init);
  forced.matmul({ a, aOff, b, bOff, out, oOff, m, k, n, transA, transB, accumulate });
  const u = f64 ? 2 * F64_UNIT_ROUNDOFF : F32_UNIT_ROUNDOFF;

  const exact = Float64Array.from(init);
  referenceBackend.matmul({
    a: Float64Array.from(a),
    aOff,
    b: Float64Array.from(b),
    bOff,
    out: exact,
    oOff,
    m,
    k,
    n,
    transA,
    transB,
    accumulate,
  });
  // Σ_p |op(A)[i][p]|·|op(B)[p][j]| (+|C0|), the scale of each element's rounding error.
  const scale = new Float64Array(oOff + m * n);
  if (accumulate) for (let i = 0; i < m * n; i++) scale[oOff + i] = Math.abs(init[oOff + i]);
  referenceBackend.matmul({
    a: Float64Array.from(a, Math.abs),
    aOff,
    b: Float64Array.from(b, Math.abs),
    bOff,
    out: scale,
    oOff,
    m,
    k,
    n,
    transA,
    transB,
    accumulate: true,
  });
  for (let i = 0; i < oOff; i++) expect(out[i]).toBe(init[i]); // nothing before the output window moved
  for (let i = oOff; i < oOff + m * n; i++) {
    const tol = (k + ROUNDING_SLACK_TERMS) * u * scale[i];
    const err = Math.abs(out[i] - exact[i]);
    if (!(err <= tol)) {
      throw new Error(
        `${JSON.stringify(c)}: element ${i - oOff} is ${out[i]}, expected ${exact[i]} ± ${tol}`,
      );
    }
  }
}

// The kernel with the size threshold removed, so tiny shapes exercise the WASM path too.
const forced = (() => {
  if (!wasmSimdSupported()) return referenceBackend;
  const be = wasmBackendFrom(instantiateKernels(), 0);
  return be;
})();

const small = fc.integer({ min: 1, max: 17 });
const caseArb = (dim: fc.Arbitrary<number>) =>
  fc.record({
    m: dim,
    k: dim,
    n: dim,
    transA: fc.boolean(),
    transB: fc.boolean(),
    accumulate: fc.boolean(),
    aOff: fc.integer({ min: 0, max: 5 }),
    bOff: fc.integer({ min: 0, max: 5 }),
    oOff: fc.integer({ min: 0, max: 5 }),
    seed: fc.integer({ min: 1, max: 1e9 }),
    dtype: fc.constantFrom("float32" as const, "float64" as const),
  });

describe("WASM SIMD matmul (float32 and float64) against the float64 reference", () => {
  test("WebAssembly SIMD is available in this Node", () => {
    expect(wasmSimdSupported()).toBe(true);
    expect(wasm?.name).toBe("wasm");
  });

  test("the asynchronous loader yields the same backend (one shared instance of the kernels)", async () => {
    expect(await loadWasmBackend()).toBe(createWasmBackend());
  });

  test("without WebAssembly, SIMD is reported unavailable (the JS backend stays in place)", () => {
    vi.stubGlobal("WebAssembly", undefined);
    try {
      expect(wasmSimdSupported()).toBe(false);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(wasmSimdSupported()).toBe(true);
  });

  test("the kernels are compiled once, when a product first needs them; if they cannot be, JS runs", () => {
    let compiles = 0;
    const lazy = wasmBackendFrom(() => {
      compiles++;
      return instantiateKernels();
    });
    const small = randomF32(4, 1);
    lazy.matmul({ a: small, b: small, out: new Float32Array(4), m: 2, k: 2, n: 2 });
    expect(compiles).toBe(0);
    const a = randomF32(32 * 32, 2);
    const got = new Float32Array(32 * 32);
    lazy.matmul({ a, b: a, out: got, m: 32, k: 32, n: 32 });
    lazy.matmul({ a, b: a, out: got, m: 32, k: 32, n: 32, transB: true });
    expect(compiles).toBe(1);
    const refused = wasmBackendFrom(() => null);
    const want = new Float32Array(32 * 32);
    refused.matmul({ a, b: a, out: got, m: 32, k: 32, n: 32, transB: true });
    referenceBackend.matmul({ a, b: a, out: want, m: 32, k: 32, n: 32, transB: true });
    expect(got).toEqual(want);
  });

  test("every size 1..17 in each dimension, all transpose forms, accumulate, offsets", () => {
    fc.assert(
      fc.property(caseArb(small), (c) => check(c)),
      { numRuns: 400 },
    );
  });

  test("larger odd sizes crossing the cache blocks (k > 256, m > 128)", () => {
    fc.assert(
      fc.property(caseArb(fc.integer({ min: 1, max: 300 })), (c) => check(c)),
      { numRuns: 25 },
    );
  });

  test.each([
    [1, 1, 1],
    [4, 8, 8],
    [129, 257, 9],
    [3, 513, 130],
    [128, 256, 8],
    [5, 1, 33],
  ])("fixed shape m=%i k=%i n=%i in all four forms, both dtypes", (m, k, n) => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const accumulate of [false, true]) {
          for (const dtype of ["float32", "float64"] as const) {
            check({
              m,
              k,
              n,
              transA,
              transB,
              accumulate,
              aOff: 3,
              bOff: 1,
              oOff: 2,
              seed: m * 1000 + k + n,
              dtype,
            });
          }
        }
      }
    }
  });

  test("the arena is reused: results stay right after a larger call grew it", () => {
    check({
      m: 200,
      k: 300,
      n: 100,
      transA: false,
      transB: false,
      accumulate: false,
      aOff: 0,
      bOff: 0,
      oOff: 0,
      seed: 7,
    });
    check({
      m: 7,
      k: 5,
      n: 3,
      transA: true,
      transB: true,
      accumulate: true,
      aOff: 1,
      bOff: 2,
      oOff: 3,
      seed: 8,
    });
  });

  test("mixed-dtype and small products go to the reference backend, bit for bit", () => {
    const be = wasm ?? referenceBackend;
    const a = Float64Array.from(randomF32(64 * 64, 3));
    const b = randomF32(64 * 64, 4);
    const got = new Float64Array(64 * 64);
    const want = new Float64Array(64 * 64);
    be.matmul({ a, b, out: got, m: 64, k: 64, n: 64, transB: true });
    referenceBackend.matmul({ a, b, out: want, m: 64, k: 64, n: 64, transB: true });
    expect(got).toEqual(want);
    const a32 = randomF32(6, 5);
    const out = new Float32Array(4);
    const out2 = new Float32Array(4);
    expect(2 * 3 * 2).toBeLessThan(WASM_MATMUL_MIN_MACS);
    be.matmul({ a: a32, b: a32, out, m: 2, k: 3, n: 2, transB: true });
    referenceBackend.matmul({ a: a32, b: a32, out: out2, m: 2, k: 3, n: 2, transB: true });
    expect(out).toEqual(out2);
  });

  test("NaN and ±Infinity propagate as in IEEE arithmetic and PyTorch (0·∞ = NaN)", () => {
    // torch.tensor([[0., 1.]]) @ torch.tensor([[inf], [1.]]) is tensor([[nan]]); likewise here.
    for (const F of [Float32Array, Float64Array]) {
      const out = new F(2);
      forced.matmul({ a: F.of(0, 1, 2, 1), b: F.of(Number.POSITIVE_INFINITY, 1), out, m: 2, k: 2, n: 1 });
      expect(out[0]).toBeNaN();
      expect(out[1]).toBe(Number.POSITIVE_INFINITY);
      const nan = new F(1);
      forced.matmul({ a: F.of(Number.NaN, 1), b: F.of(0, 1), out: nan, m: 1, k: 2, n: 1 });
      expect(nan[0]).toBeNaN();
    }
  });

  test("operands too large for the WebAssembly memory fall back to the reference backend", () => {
    const kern = instantiateKernels();
    kern.reserve = () => false; // as if the memory could not grow
    const be = wasmBackendFrom(kern, 0);
    const a = randomF32(40 * 30, 21);
    const b = randomF32(30 * 20, 22);
    const got = new Float32Array(40 * 20);
    const want = new Float32Array(40 * 20);
    be.matmul({ a, b, out: got, m: 40, k: 30, n: 20, transB: true });
    referenceBackend.matmul({ a, b, out: want, m: 40, k: 30, n: 20, transB: true });
    expect(got).toEqual(want);
  });

  test("the arena refuses to grow past 2 GiB (32-bit offsets in the kernels) without growing at all", () => {
    const kern = instantiateKernels();
    const before = kern.exports.memory.buffer.byteLength;
    expect(kern.reserve(MAX_KERNEL_BYTES + 1)).toBe(false);
    expect(kern.exports.memory.buffer.byteLength).toBe(before);
    expect(kern.reserve(1 << 20)).toBe(true);
    expect(kern.exports.memory.buffer.byteLength).toBeGreaterThanOrEqual(1 << 20);
  });

  test("a wrong product is caught by the tolerance (the check can fail)", () => {
    const a = randomF32(9, 11);
    const b = randomF32(9, 12);
    const exact = new Float64Array(9);
    referenceBackend.matmul({
      a: Float64Array.from(a),
      b: Float64Array.from(b),
      out: exact,
      m: 3,
      k: 3,
      n: 3,
    });
    // Dropping one term of a dot product is an error of |a||b| ≫ the bound.
    const wrong = exact[0] - a[2] * b[6];
    const scale = Math.abs(a[0] * b[0]) + Math.abs(a[1] * b[3]) + Math.abs(a[2] * b[6]);
    expect(Math.abs(wrong - exact[0])).toBeGreaterThan(
      (3 + ROUNDING_SLACK_TERMS) * F32_UNIT_ROUNDOFF * scale,
    );
  });
});

import { describe, expect, it } from "vitest";
import { withKernelBackend } from "./kernel-backend.js";
import { multiplyTransposed } from "./matrix.js";
import { type NewtonSchulzSettings, newtonSchulz } from "./newton-schulz.js";
import { wasmSimdSupported } from "./wasm/module.js";

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1);
    expect(d, `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

const random = (n: number, seed: number) => {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
};

describe("the Newton–Schulz iteration", () => {
  it("with the classical quintic (15/8, −10/8, 3/8) it converges to the orthogonal polar factor: O·Oᵀ = I", () => {
    for (const [rows, cols] of [
      [5, 9],
      [9, 5],
      [6, 6],
    ]) {
      const o = newtonSchulz(random(rows * cols, rows * 31 + cols), rows, cols, {
        coefficients: [1.875, -1.25, 0.375],
        steps: 60,
        eps: 1e-7,
        float32: false,
      });
      // The smaller Gram matrix of O is the identity.
      const [m, n, x] = rows <= cols ? [rows, cols, o] : [cols, rows, transpose(o, rows, cols)];
      const gram = new Float64Array(m * m);
      multiplyTransposed(x, x, m, m, n, gram, true);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) expect(Math.abs(gram[i * m + j] - (i === j ? 1 : 0))).toBeLessThan(1e-12);
    }
  });

  it("with Muon's coefficients the singular values land near 1 but not on it (S' in about [0.6, 1.2])", () => {
    const o = newtonSchulz(random(4 * 10, 7), 4, 10, {
      coefficients: [3.4445, -4.775, 2.0315],
      steps: 5,
      eps: 1e-7,
      float32: false,
    });
    const gram = new Float64Array(16);
    multiplyTransposed(o, o, 4, 4, 10, gram, true);
    // Diagonal entries of O·Oᵀ are the squared norms of O's rows: spread around 1.
    const diagonal = [0, 5, 10, 15].map((k) => gram[k]);
    for (const x of diagonal) expect(x).toBeGreaterThan(0.3);
    for (const x of diagonal) expect(x).toBeLessThan(1.5);
    expect(diagonal.some((x) => Math.abs(x - 1) > 1e-3)).toBe(true);
  });

  it("a tall matrix gives the transpose of its transpose's result (up to the norm's summation order)", () => {
    const g = random(7 * 3, 3);
    const s = {
      coefficients: [3.4445, -4.775, 2.0315] as [number, number, number],
      steps: 5,
      eps: 1e-7,
      float32: false,
    };
    const tall = newtonSchulz(g, 7, 3, s);
    const wide = newtonSchulz(transpose(g, 7, 3), 3, 7, s);
    expectClose(tall, [...transpose(wide, 3, 7)], 1e-14);
  });

  it("a zero matrix stays zero (the norm is clamped to ε, no NaN); 0 steps only normalizes", () => {
    const s = {
      coefficients: [3.4445, -4.775, 2.0315] as [number, number, number],
      steps: 5,
      eps: 1e-7,
      float32: false,
    };
    expect([...newtonSchulz(new Float64Array(6), 2, 3, s)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...newtonSchulz(Float64Array.from([3, 0, 0, 4]), 2, 2, { ...s, steps: 0 })]).toEqual([
      0.6, 0, 0, 0.8,
    ]);
  });

  it("float32: every value is a float32, within float32 rounding of the float64 iteration", () => {
    const g = Float32Array.from(random(5 * 8, 11));
    const s = { coefficients: [3.4445, -4.775, 2.0315] as [number, number, number], steps: 5, eps: 1e-7 };
    const o32 = newtonSchulz(g, 5, 8, { ...s, float32: true });
    const o64 = newtonSchulz(g, 5, 8, { ...s, float32: false });
    for (let i = 0; i < o32.length; i++) {
      expect(Math.fround(o32[i])).toBe(o32[i]);
      expect(Math.abs(o32[i] - o64[i])).toBeLessThan(1e-5);
    }
  });
});

function transpose(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
  return out;
}

const MUON: Omit<NewtonSchulzSettings, "float32"> = {
  coefficients: [3.4445, -4.775, 2.0315],
  steps: 5,
  eps: 1e-7,
};

/** Shapes around the kernel's 4×4 blocks and 64-column tiles, wide, tall and square. */
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 7],
  [7, 1],
  [3, 5],
  [4, 4],
  [5, 9],
  [9, 5],
  [8, 67],
  [67, 8],
  [66, 70],
  [70, 66],
];

(wasmSimdSupported() ? describe : describe.skip)(
  "the WASM matrix kernel gives the TypeScript products' bits",
  () => {
    it.each(SHAPES)("%i×%i, float64 and float32", (rows, cols) => {
      const g = random(rows * cols, rows * 100 + cols);
      for (const float32 of [false, true]) {
        const input = float32 ? Float32Array.from(g) : g;
        const s = { ...MUON, float32 };
        const js = withKernelBackend("js", () => newtonSchulz(input, rows, cols, s));
        const wasm = withKernelBackend("wasm", () => newtonSchulz(input, rows, cols, s), 1);
        const i = js.findIndex((x, k) => !Object.is(x, wasm[k]));
        expect(i, `${rows}×${cols} float32=${float32}: element ${i}: ${wasm[i]} vs ${js[i]}`).toBe(-1);
      }
    });

    it("the result is a copy: a second iteration on the kernels' memory does not change the first result", () => {
      const a = withKernelBackend(
        "wasm",
        () => newtonSchulz(random(6 * 9, 1), 6, 9, { ...MUON, float32: false }),
        1,
      );
      const kept = a.slice();
      withKernelBackend("wasm", () => newtonSchulz(random(6 * 9, 2), 6, 9, { ...MUON, float32: false }), 1);
      expect([...a]).toEqual([...kept]);
    });
  },
);

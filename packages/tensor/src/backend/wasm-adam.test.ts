import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type WasmAdamHyperparameters, wasmAdamStep } from "./wasm-adam.js";
import { STREAM_CHUNK } from "./wasm-stream.js";

const f = Math.fround;

/**
 * PyTorch's float32 Adam, one operation at a time with float32 rounding after each
 * (`_single_tensor_adam`: lerp_, mul_/addcmul_, sqrt/div/add_, addcdiv_), written independently
 * of the kernel from torch/optim/adam.py and ATen's CPU kernels.
 */
function torchAdamF32(
  p: Float32Array,
  g0: Float32Array,
  m: Float32Array,
  v: Float32Array,
  t: number,
  h: WasmAdamHyperparameters,
): void {
  const [b1, b2] = h.betas;
  const stepSize = h.lr / (1 - b1 ** t); // Python floats (double)
  const bc2Sqrt = Math.sqrt(1 - b2 ** t);
  const w = f(1 - b1);
  for (let i = 0; i < p.length; i++) {
    let g = h.maximize ? -g0[i] : g0[i];
    if (h.weightDecay !== 0) {
      if (h.decoupled) p[i] = f(p[i] * f(1 - h.lr * h.weightDecay));
      else g = f(g + f(f(h.weightDecay) * p[i]));
    }
    const d = f(g - m[i]);
    m[i] = w < 0.5 ? f(m[i] + f(w * d)) : f(g - f(d * f(1 - w)));
    v[i] = f(f(v[i] * f(b2)) + f(f(f(1 - b2) * g) * g));
    const denom = f(f(f(Math.sqrt(v[i])) / f(bc2Sqrt)) + f(h.eps));
    p[i] = f(p[i] + f(f(-stepSize) * f(m[i] / denom)));
  }
}

function randomF32(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = f(((s / 4294967296) * 2 - 1) * scale);
  }
  return out;
}

const hyperArb = fc.record({
  lr: fc.double({ min: 1e-5, max: 0.5, noNaN: true }),
  betas: fc.tuple(
    fc.double({ min: 0, max: 0.99, noNaN: true }),
    fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
  ),
  eps: fc.constantFrom(1e-8, 1e-6, 1e-3),
  weightDecay: fc.constantFrom(0, 1e-2, 0.3),
  maximize: fc.boolean(),
  decoupled: fc.boolean(),
});

describe("wasmAdamStep", () => {
  test("matches PyTorch's float32 Adam/AdamW bit for bit over several steps (random sizes, hyperparameters)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 1, max: 17 }),
          fc.integer({ min: STREAM_CHUNK - 3, max: 2 * STREAM_CHUNK + 5 }),
        ),
        hyperArb,
        fc.integer({ min: 1, max: 1e6 }),
        (n, h, seed) => {
          const p = randomF32(n, seed, 1);
          const m = new Float32Array(n);
          const v = new Float32Array(n);
          const [pr, mr, vr] = [Float32Array.from(p), new Float32Array(n), new Float32Array(n)];
          for (let t = 1; t <= 3; t++) {
            const g = randomF32(n, seed + t, 0.1);
            wasmAdamStep(p, g, m, v, t, h);
            torchAdamF32(pr, g, mr, vr, t, h);
          }
          expect(p).toEqual(pr);
          expect(m).toEqual(mr);
          expect(v).toEqual(vr);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("first step moves each weight by lr·|g|/(|g| + eps) against the gradient (published Adam property)", () => {
    // With m = v = 0 at t = 1: m̂ = g and v̂ = g², so Δp = −lr·g/(|g| + ε) (Kingma & Ba 2015, §2.1).
    const g = Float32Array.of(0.5, -2, 1e-3, 3, -0.25);
    const p = new Float32Array(5);
    wasmAdamStep(p, g, new Float32Array(5), new Float32Array(5), 1, {
      lr: 0.1,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
    });
    /** float32 rounding through the five float32 operations of one element. */
    const FIRST_STEP_RTOL = 1e-6;
    for (let i = 0; i < 5; i++) {
      const want = (-0.1 * g[i]) / (Math.abs(g[i]) + 1e-8);
      expect(Math.abs(p[i] - want)).toBeLessThanOrEqual(FIRST_STEP_RTOL * Math.abs(want));
    }
  });

  test("rejects mismatched lengths and bad step numbers with clear errors", () => {
    const a = new Float32Array(3);
    const h = { lr: 1e-3, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0, maximize: false };
    expect(() => wasmAdamStep(a, new Float32Array(2), a, a, 1, h)).toThrow(
      /wasmAdamStep: grad has 2 elements, the parameter has 3/,
    );
    expect(() => wasmAdamStep(a, a, a, a, 0, h)).toThrow(/invalid step number 0/);
  });
});

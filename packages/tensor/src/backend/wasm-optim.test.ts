import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type WasmAdagradHyperparameters, wasmAdagradStep } from "./wasm-adagrad.js";
import { type WasmRMSpropHyperparameters, wasmRmspropStep } from "./wasm-rmsprop.js";
import { type WasmSGDHyperparameters, wasmSgdStep } from "./wasm-sgd.js";
import { STREAM_CHUNK } from "./wasm-stream.js";

// Each kernel is checked bit for bit against an independent float32 emulation of PyTorch's
// single-tensor loop (torch/optim/{sgd,adagrad,rmsprop}.py with ATen's float32 CPU kernels: every
// tensor op rounds to float32; Python-float hyperparameters are rounded once to float32 when used).

const f = Math.fround;

function randomF32(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = f(((s / 4294967296) * 2 - 1) * scale);
  }
  return out;
}

/** torch.lerp on float32: `s + w·(e − s)` if w < 0.5, else `e − (e − s)·(1 − w)`. */
const lerpF32 = (s: number, e: number, w: number): number =>
  w < 0.5 ? f(s + f(w * f(e - s))) : f(e - f(f(e - s) * f(1 - w)));

const sizeArb = fc.oneof(
  fc.integer({ min: 1, max: 17 }),
  fc.integer({ min: STREAM_CHUNK - 3, max: 2 * STREAM_CHUNK + 5 }),
);
const STEPS = 3;

function torchSgd(
  p: Float32Array,
  g0: Float32Array,
  buf: Float32Array,
  first: boolean,
  h: WasmSGDHyperparameters,
) {
  for (let i = 0; i < p.length; i++) {
    let d = h.maximize ? -g0[i] : g0[i];
    if (h.weightDecay !== 0) d = f(d + f(f(h.weightDecay) * p[i]));
    if (h.momentum !== 0) {
      buf[i] = first ? d : f(f(buf[i] * f(h.momentum)) + f(f(1 - h.dampening) * d));
      d = h.nesterov ? f(d + f(f(h.momentum) * buf[i])) : buf[i];
    }
    p[i] = f(p[i] + f(f(-h.lr) * d));
  }
}

function torchAdagrad(
  p: Float32Array,
  g0: Float32Array,
  sum: Float32Array,
  t: number,
  h: WasmAdagradHyperparameters,
) {
  const clr = h.lr / (1 + (t - 1) * h.lrDecay);
  for (let i = 0; i < p.length; i++) {
    let g = h.maximize ? -g0[i] : g0[i];
    if (h.weightDecay !== 0) g = f(g + f(f(h.weightDecay) * p[i]));
    sum[i] = f(sum[i] + f(g * g));
    const std = f(f(Math.sqrt(sum[i])) + f(h.eps));
    p[i] = f(p[i] + f(f(-clr) * f(g / std)));
  }
}

function torchRmsprop(
  p: Float32Array,
  g0: Float32Array,
  sq: Float32Array,
  ga: Float32Array,
  buf: Float32Array,
  h: WasmRMSpropHyperparameters,
) {
  const w = f(1 - h.alpha);
  for (let i = 0; i < p.length; i++) {
    let g = h.maximize ? -g0[i] : g0[i];
    if (h.weightDecay !== 0) g = f(g + f(f(h.weightDecay) * p[i]));
    sq[i] = f(f(sq[i] * f(h.alpha)) + f(f(w * g) * g));
    let a: number;
    if (h.centered) {
      ga[i] = lerpF32(ga[i], g, w);
      a = f(f(Math.sqrt(f(sq[i] - f(ga[i] * ga[i])))) + f(h.eps));
    } else {
      a = f(f(Math.sqrt(sq[i])) + f(h.eps));
    }
    if (h.momentum > 0) {
      buf[i] = f(f(buf[i] * f(h.momentum)) + f(g / a));
      p[i] = f(p[i] + f(f(-h.lr) * buf[i]));
    } else {
      p[i] = f(p[i] + f(f(-h.lr) * f(g / a)));
    }
  }
}

describe("WASM SIMD optimizer kernels match PyTorch's float32 arithmetic bit for bit", () => {
  test("SGD (momentum, dampening, Nesterov, weight decay, maximize)", () => {
    const hArb = fc.record({
      lr: fc.double({ min: 1e-4, max: 1, noNaN: true }),
      momentum: fc.constantFrom(0, 0.5, 0.9),
      dampening: fc.constantFrom(0, 0.1, 0.9),
      nesterov: fc.boolean(),
      weightDecay: fc.constantFrom(0, 1e-3, 0.2),
      maximize: fc.boolean(),
    });
    fc.assert(
      fc.property(sizeArb, hArb, fc.integer({ min: 1, max: 1e6 }), (n, h, seed) => {
        const p = randomF32(n, seed, 1);
        const pr = Float32Array.from(p);
        const buf = new Float32Array(n);
        const bufr = new Float32Array(n);
        for (let t = 1; t <= STEPS; t++) {
          const g = randomF32(n, seed + t, 0.1);
          wasmSgdStep(p, g, buf, t === 1, h);
          torchSgd(pr, g, bufr, t === 1, h);
        }
        expect(p).toEqual(pr);
        expect(buf).toEqual(bufr);
      }),
      { numRuns: 40 },
    );
  });

  test("Adagrad (lr decay, weight decay, maximize)", () => {
    const hArb = fc.record({
      lr: fc.double({ min: 1e-4, max: 1, noNaN: true }),
      lrDecay: fc.constantFrom(0, 1e-2),
      weightDecay: fc.constantFrom(0, 1e-3, 0.2),
      eps: fc.constantFrom(1e-10, 1e-6),
      maximize: fc.boolean(),
    });
    fc.assert(
      fc.property(sizeArb, hArb, fc.integer({ min: 1, max: 1e6 }), (n, h, seed) => {
        const p = randomF32(n, seed, 1);
        const pr = Float32Array.from(p);
        const sum = new Float32Array(n).fill(0.1);
        const sumr = Float32Array.from(sum);
        for (let t = 1; t <= STEPS; t++) {
          const g = randomF32(n, seed + t, 0.1);
          wasmAdagradStep(p, g, sum, t, h);
          torchAdagrad(pr, g, sumr, t, h);
        }
        expect(p).toEqual(pr);
        expect(sum).toEqual(sumr);
      }),
      { numRuns: 40 },
    );
  });

  test("RMSprop (centered, momentum, weight decay, maximize, α both sides of 0.5)", () => {
    const hArb = fc.record({
      lr: fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
      alpha: fc.constantFrom(0.99, 0.9, 0.3),
      eps: fc.constantFrom(1e-8, 1e-3),
      weightDecay: fc.constantFrom(0, 1e-3),
      momentum: fc.constantFrom(0, 0.9),
      centered: fc.boolean(),
      maximize: fc.boolean(),
    });
    fc.assert(
      fc.property(sizeArb, hArb, fc.integer({ min: 1, max: 1e6 }), (n, h, seed) => {
        const p = randomF32(n, seed, 1);
        const pr = Float32Array.from(p);
        const [sq, ga, buf] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
        const [sqr, gar, bufr] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
        for (let t = 1; t <= STEPS; t++) {
          const g = randomF32(n, seed + t, 0.1);
          wasmRmspropStep(p, g, sq, ga, buf, h);
          torchRmsprop(pr, g, sqr, gar, bufr, h);
        }
        expect(p).toEqual(pr);
        expect(sq).toEqual(sqr);
        if (h.centered) expect(ga).toEqual(gar);
        if (h.momentum > 0) expect(buf).toEqual(bufr);
      }),
      { numRuns: 40 },
    );
  });

  test("SGD's first step with momentum moves p by exactly −lr·g (buffer = g, PyTorch)", () => {
    const p = Float32Array.of(1, 2, 3, 4, 5);
    const g = Float32Array.of(0.5, -0.25, 1, 2, -4);
    const buf = new Float32Array(5);
    wasmSgdStep(p, g, buf, true, {
      lr: 0.5,
      momentum: 0.9,
      dampening: 0.5,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
    });
    // Powers of two: exact in float32.
    expect(Array.from(p)).toEqual([0.75, 2.125, 2.5, 3, 7]);
    expect(buf).toEqual(g);
  });

  test("bad input gets errors naming the kernel and the array", () => {
    const a = new Float32Array(4);
    const sgd = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };
    expect(() => wasmSgdStep(a, a, null, true, sgd)).toThrow(
      /wasmSgdStep: momentum is not 0 but there is no momentum buffer/,
    );
    expect(() => wasmSgdStep(a, new Float32Array(3), a, true, sgd)).toThrow(
      /wasmSgdStep: grad has 3 elements/,
    );
    const ada = { lr: 0.1, lrDecay: 0, weightDecay: 0, eps: 1e-10, maximize: false };
    expect(() => wasmAdagradStep(a, a, new Float32Array(5), 1, ada)).toThrow(
      /wasmAdagradStep: sum has 5 elements/,
    );
    expect(() => wasmAdagradStep(a, a, a, 0, ada)).toThrow(/invalid step number 0/);
    const rms = {
      lr: 0.1,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: true,
      maximize: false,
    };
    expect(() => wasmRmspropStep(a, a, a, null, null, rms)).toThrow(/centered needs a gradAvg buffer/);
  });
});

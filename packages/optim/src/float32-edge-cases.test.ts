import vm from "node:vm";
import { describe, expect, test } from "vitest";
import { Adam } from "./adam.js";
import { withKernelBackend } from "./kernel-backend.js";
import { type RMSpropHyperparameters, rmspropStep } from "./rmsprop.js";
import { wasmSimdSupported } from "./wasm/module.js";

// Float32 edge cases found in review of the float32 / WASM kernels, each against an independent
// reference: ATen's lerp branch for negative weights, and Float32Arrays from another realm.

const f = Math.fround;

/** ATen's lerp on float32 (`aten/src/ATen/native/Lerp.h`): the branch tests |w| < 0.5. */
function torchLerpF32(start: number, end: number, w: number): number {
  return Math.abs(w) < 0.5 ? f(start + f(w * f(end - start))) : f(end - f(f(end - start) * f(1 - w)));
}

const backends = wasmSimdSupported() ? (["js", "wasm"] as const) : (["js"] as const);

describe("RMSprop centered, alpha > 1.5 (1 − alpha ≤ −0.5: ATen takes lerp's large-weight branch)", () => {
  // PyTorch accepts any alpha >= 0. With alpha = 2, w = 1 − alpha = −1, |w| ≥ 0.5, so
  // grad_avg.lerp_(grad, w) computes end − (end − start)·(1 − w); testing the signed w (w < 0.5)
  // took the other branch, one float32 ulp off.
  const g1 = f(0.2740831673145294);
  const g2 = f(-0.7966036200523376);
  const h: RMSpropHyperparameters = {
    lr: 0.01,
    alpha: 2,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: true,
    maximize: false,
  };
  const w = f(1 - h.alpha);
  const expected = torchLerpF32(torchLerpF32(0, g1, w), g2, w); // 0.24843722581863403

  for (const backend of backends) {
    test(`gradAvg after two steps matches ATen's lerp bit for bit (${backend})`, () => {
      const n = 64;
      const gradAvg = withKernelBackend(
        backend,
        () => {
          const p = new Float32Array(n);
          const sq = new Float32Array(n);
          const ga = new Float32Array(n);
          rmspropStep(p, new Float32Array(n).fill(g1), sq, ga, null, h);
          rmspropStep(p, new Float32Array(n).fill(g2), sq, ga, null, h);
          return ga;
        },
        1,
      );
      // the small-weight branch gives 0.24843725562095642
      expect(gradAvg[0]).toBe(expected);
    });
  }
});

describe("a Float32Array from another realm (iframe, node:vm) is a float32 parameter", () => {
  // `instanceof Float32Array` is false for a cross-realm Float32Array; such a param once went to
  // the float64 loop (with float32 state), giving different bits from the same-realm param.
  const Foreign = vm.runInNewContext("Float32Array") as Float32ArrayConstructor;
  const n = 100;
  const init = (C: Float32ArrayConstructor, seed: number) => {
    const a = new C(n);
    for (let i = 0; i < n; i++) a[i] = Math.sin(seed * 1000 + i * 12.9898) * 0.7;
    return a;
  };
  const run = (C: Float32ArrayConstructor, backend: "js" | "wasm"): Float32Array =>
    withKernelBackend(backend, () => {
      const param = { data: init(C, 1), grad: { data: init(C, 2) } };
      const opt = new Adam([param], { lr: 0.01 });
      for (let t = 0; t < 3; t++) {
        param.grad = { data: init(C, 3 + t) };
        opt.step();
      }
      return Float32Array.from(param.data);
    });

  for (const backend of backends) {
    test(`same bits as a same-realm Float32Array (${backend})`, () => {
      const local = run(Float32Array, "js");
      const foreign = run(Foreign, backend);
      expect(Array.from(new Uint32Array(foreign.buffer))).toEqual(Array.from(new Uint32Array(local.buffer)));
    });
  }
});

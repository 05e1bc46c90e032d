import { describe, expect, it } from "vitest";
import type { FloatArray } from "../dtype.js";
import { binaryOps } from "../ops/binary.js";
import { unaryOps } from "../ops/unary.js";
import { Generator } from "../random.js";
import { type Backend, Reduce } from "./backend.js";

/** Relative tolerance of float64 kernels against the naive float64 loops below. */
const F64 = 1e-12;
/** float32 kernels (float32 storage, any accumulation order) against float64 loops. */
const F32 = 1e-5;

function randomArray(g: Generator, n: number, f32: boolean): FloatArray {
  const a = f32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = g.normal();
  return a;
}

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, scale: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= rtol * scale)) {
      expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]} (rtol ${rtol} × scale ${scale})`);
    }
  }
}

/**
 * The contract every {@link Backend} must meet, checked against naive float64 loops. A faster
 * backend (e.g. WASM SIMD) runs the same suite: `describeBackendConformance(myBackend)`.
 */
export function describeBackendConformance(backend: Backend): void {
  describe(`backend "${backend.name}" conformance`, () => {
    for (const f32 of [false, true]) {
      const tol = f32 ? F32 : F64;
      const dt = f32 ? "float32" : "float64";
      it(`matmul: all transpose forms, offsets and accumulate (${dt})`, () => {
        const g = new Generator(11);
        for (const [m, k, n] of [
          [1, 1, 1],
          [3, 5, 2],
          [7, 4, 9],
          [16, 33, 17],
          [64, 100, 10],
        ]) {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              const aOff = 3;
              const bOff = 5;
              const oOff = 2;
              const a = randomArray(g, aOff + m * k, f32);
              const b = randomArray(g, bOff + k * n, f32);
              const init = randomArray(g, oOff + m * n, f32);
              for (const accumulate of [false, true]) {
                const out = init.slice();
                backend.matmul({ a, aOff, b, bOff, out, oOff, m, k, n, transA, transB, accumulate });
                const ref = Array.from(init);
                for (let i = 0; i < m; i++)
                  for (let j = 0; j < n; j++) {
                    let s = 0;
                    for (let p = 0; p < k; p++) {
                      const av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                      const bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                      s += av * bv;
                    }
                    ref[oOff + i * n + j] = (accumulate ? ref[oOff + i * n + j] : 0) + s;
                  }
                closeTo(out, ref, tol, Math.sqrt(k) * 4);
                expect(Array.from(out.subarray(0, oOff))).toEqual(Array.from(init.subarray(0, oOff)));
              }
            }
          }
        }
      });

      it(`binary with broadcast strides, expand and sumTo (${dt})`, () => {
        const g = new Generator(12);
        const a = randomArray(g, 6, f32); // [2, 1, 3]
        const b = randomArray(g, 4, f32); // [4, 1]
        const shape = [2, 4, 3];
        const out = f32 ? new Float32Array(24) : new Float64Array(24);
        backend.binary(binaryOps.mul.kernel, a, [3, 0, 1], b, [0, 1, 0], out, shape);
        const ref: number[] = [];
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 4; j++) for (let l = 0; l < 3; l++) ref.push(a[i * 3 + l] * b[j]);
        closeTo(out, ref, tol, 10);
        const ex = f32 ? new Float32Array(24) : new Float64Array(24);
        backend.expand(b, [0, 1, 0], ex, shape);
        expect(Array.from(ex)).toEqual(ref.map((_, f) => b[Math.floor(f / 3) % 4]));
        const s = f32 ? new Float32Array(4) : new Float64Array(4);
        backend.sumTo(out, shape, s, [0, 1, 0]);
        const sref = [0, 0, 0, 0];
        for (let f = 0; f < 24; f++) sref[Math.floor(f / 3) % 4] += out[f];
        closeTo(s, sref, tol, 20);
      });

      it(`sumTo and reduce sum accumulate in float64 and round once, past the float32 range too (${dt})`, () => {
        const F = f32 ? Float32Array : Float64Array;
        const big = f32 ? 3e38 : 1.7e308;
        // [3, 2] summed over dim 0: partial sums 2·big overflow in the storage dtype, the totals do not.
        const g = F.of(big, 1, big, 1, -big, 1);
        const viaSumTo = new F(2);
        backend.sumTo(g, [3, 2], viaSumTo, [0, 1]);
        const viaReduce = new F(2);
        backend.reduce(Reduce.sum, g, viaReduce, 1, 3, 2);
        // float64 partial sums overflow past 1.8e308 like any float64 arithmetic.
        expect(Array.from(viaSumTo)).toEqual(f32 ? [Math.fround(big), 3] : [Number.POSITIVE_INFINITY, 3]);
        expect(Array.from(viaReduce)).toEqual(Array.from(viaSumTo));
        // Summed over the last dim and over everything: the same sums.
        const rows = new F(3);
        backend.sumTo(g, [3, 2], rows, [1, 0]);
        expect(Array.from(rows)).toEqual([big + 1, big + 1, -big + 1].map((v) => (f32 ? Math.fround(v) : v)));
        const all = new F(1);
        backend.sumTo(g, [3, 2], all, [0, 0]);
        expect(all[0]).toBe(f32 ? Math.fround(big + 3) : Number.POSITIVE_INFINITY);
      });

      it(`unary, reductions, softmax and permute (${dt})`, () => {
        const g = new Generator(13);
        const x = randomArray(g, 12, f32);
        const y = f32 ? new Float32Array(12) : new Float64Array(12);
        backend.unary(unaryOps.tanh.kernel, x, y, 12, 0, 0);
        closeTo(y, Array.from(x, Math.tanh), tol, 1);
        const r = f32 ? new Float32Array(4) : new Float64Array(4);
        backend.reduce(Reduce.sum, x, r, 2, 3, 2); // [2, 3, 2] over dim 1
        const rref = [0, 1, 2, 3].map((t) => {
          const o = Math.floor(t / 2);
          const i = t % 2;
          return x[o * 6 + i] + x[o * 6 + 2 + i] + x[o * 6 + 4 + i];
        });
        closeTo(r, rref, tol, 5);
        const sm = f32 ? new Float32Array(12) : new Float64Array(12);
        backend.softmax(x, sm, 1, 12, 1, false);
        const m = Math.max(...x);
        const z = Array.from(x).reduce((acc, v) => acc + Math.exp(v - m), 0);
        closeTo(
          sm,
          Array.from(x, (v) => Math.exp(v - m) / z),
          tol,
          1,
        );
        const p = f32 ? new Float32Array(12) : new Float64Array(12);
        backend.permute(x, [3, 4], [1, 0], p);
        for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) expect(p[i * 3 + j]).toBe(x[j * 4 + i]);
      });
    }
  });
}

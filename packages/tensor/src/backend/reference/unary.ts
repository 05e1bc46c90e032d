import type { FloatArray } from "../../dtype.js";
import { erf } from "../../erf.js";
import { Unary, type UnaryCode } from "../backend.js";
import { reluF32, reluGradF32 } from "./relu-bits.js";

const SQRT1_2 = Math.SQRT1_2;
/** 1/√(2π): the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;
/** √(2/π) */
const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_TANH_C = 0.044715;

export function unary(
  code: UnaryCode,
  x: FloatArray,
  out: FloatArray,
  n: number,
  p0: number,
  p1: number,
): void {
  switch (code) {
    case Unary.neg:
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case Unary.exp:
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case Unary.log:
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      return;
    case Unary.sqrt:
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      return;
    case Unary.abs:
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      return;
    case Unary.tanh:
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case Unary.sigmoid:
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
      return;
    case Unary.relu:
      if (x instanceof Float32Array && out instanceof Float32Array) {
        reluF32(x, out, n);
        return;
      }
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : Number.isNaN(v) ? v : 0;
      }
      return;
    case Unary.leakyRelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : v * p0;
      }
      return;
    case Unary.gelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v * 0.5 * (1 + erf(v * SQRT1_2));
      }
      return;
    case Unary.geluTanh:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_TANH_C * v * v * v)));
      }
      return;
    case Unary.clamp:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = Number.isNaN(v) ? v : Math.min(Math.max(v, p0), p1);
      }
      return;
    case Unary.pow:
      for (let i = 0; i < n; i++) out[i] = powScalar(x[i], p0);
      return;
  }
}

/**
 * `xᵖ` as PyTorch's CPU kernel computes it: the exponents 2, 3, −1, −2, ½, −½ by products, reciprocals
 * and square roots; otherwise C `pow`, whose special cases differ from JS `**` (C: 1ᵖ = 1 and
 * (−1)^±∞ = 1 even for NaN/∞ exponents; JS gives NaN).
 */
export function powScalar(x: number, p: number): number {
  switch (p) {
    case 2:
      return x * x;
    case 3:
      return x * x * x;
    case -1:
      return 1 / x;
    case -2:
      return 1 / (x * x);
    case 0.5:
      return Math.sqrt(x);
    case -0.5:
      return 1 / Math.sqrt(x);
  }
  if (x === 1 || p === 0) return 1;
  if (x === -1 && (p === Number.POSITIVE_INFINITY || p === Number.NEGATIVE_INFINITY)) return 1;
  return x ** p;
}

export function unaryGrad(
  code: UnaryCode,
  x: FloatArray,
  y: FloatArray,
  g: FloatArray,
  out: FloatArray,
  n: number,
  p0: number,
  p1: number,
): void {
  switch (code) {
    case Unary.neg:
      for (let i = 0; i < n; i++) out[i] = -g[i];
      return;
    case Unary.exp:
      for (let i = 0; i < n; i++) out[i] = g[i] * y[i];
      return;
    case Unary.log:
      for (let i = 0; i < n; i++) out[i] = g[i] / x[i];
      return;
    case Unary.sqrt:
      for (let i = 0; i < n; i++) out[i] = g[i] / (2 * y[i]);
      return;
    case Unary.abs:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        // grad · sgn(x), and sgn(NaN) = 0 in PyTorch.
        out[i] = v > 0 ? g[i] : v < 0 ? -g[i] : 0;
      }
      return;
    case Unary.tanh:
      for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i] * y[i]);
      return;
    case Unary.sigmoid:
      for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i]) * y[i];
      return;
    case Unary.relu:
      // threshold_backward(grad, result, 0): zero where result ≤ 0, so a NaN result passes grad.
      if (g instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array) {
        reluGradF32(g, y, out, n);
        return;
      }
      for (let i = 0; i < n; i++) out[i] = y[i] <= 0 ? 0 : g[i];
      return;
    case Unary.leakyRelu:
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : g[i] * p0;
      return;
    case Unary.gelu:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const cdf = 0.5 * (1 + erf(v * SQRT1_2));
        const pdf = Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
        out[i] = g[i] * (cdf + v * pdf);
      }
      return;
    case Unary.geluTanh:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const inner = SQRT_2_OVER_PI * (v + GELU_TANH_C * v * v * v);
        const t = Math.tanh(inner);
        const dInner = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * v * v);
        out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner);
      }
      return;
    case Unary.clamp:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v >= p0 && v <= p1 ? g[i] : 0;
      }
      return;
    case Unary.pow:
      if (p0 === 0) {
        out.fill(0, 0, n);
        return;
      }
      // pow_backward: grad · (p · x^(p−1)), zero when p = 0.
      for (let i = 0; i < n; i++) out[i] = g[i] * (p0 * powScalar(x[i], p0 - 1));
      return;
  }
}

import { expect } from "vitest";
import type { FloatArray } from "./dtype.js";
import type { Tensor } from "./tensor.js";

/** Tolerances used across the tests, named. */
export const TOL = {
  /** float64 forward values and gradients vs an independent float64 reference. */
  f64: 1e-12,
  /** float32 results vs a float64 reference (a few float32 ulps, relative). */
  f32: 1e-5,
} as const;

type Nested = number | readonly Nested[];

function flatten(v: Nested | FloatArray | Tensor): number[] {
  if (typeof v === "number") return [v];
  if (v instanceof Float32Array || v instanceof Float64Array) return Array.from(v);
  if (Array.isArray(v)) return (v as Nested[]).flatMap((x) => flatten(x));
  return Array.from((v as Tensor).data);
}

/**
 * Asserts `actual ≈ expected` elementwise: |a − e| ≤ rtol·|e| + atol. NaN only matches NaN when
 * `nanEqual` is set; lengths must agree.
 */
export function expectClose(
  actual: Nested | FloatArray | Tensor,
  expected: Nested | FloatArray | Tensor,
  opts: { rtol: number; atol?: number; nanEqual?: boolean },
): void {
  const a = flatten(actual);
  const e = flatten(expected);
  expect(a.length).toBe(e.length);
  const atol = opts.atol ?? 0;
  for (let i = 0; i < a.length; i++) {
    if (opts.nanEqual && Number.isNaN(e[i]) && Number.isNaN(a[i])) continue;
    if (a[i] === e[i]) continue; // equal infinities
    const ok = Math.abs(a[i] - e[i]) <= opts.rtol * Math.abs(e[i]) + atol;
    if (!ok) expect.fail(`element ${i}: got ${a[i]}, expected ${e[i]} (rtol ${opts.rtol}, atol ${atol})`);
  }
}

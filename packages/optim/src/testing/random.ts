import type { Dtype, Values } from "./engine.js";

/** A seeded generator of uniform numbers in [0, 1) (mulberry32): the same cases on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An empty array of the dtype. */
export function valuesOf(dtype: Dtype, length: number): Values {
  return dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
}

/**
 * `length` values of both signs whose magnitudes span about four decades (1e-3 to 10), with an
 * exact zero now and then: gradients that exercise sign changes (Rprop), tiny and large second
 * moments (Adam's ε), and clamping.
 */
export function spreadValues(random: () => number, dtype: Dtype, length: number): Values {
  const out = valuesOf(dtype, length);
  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.05) continue;
    const magnitude = 10 ** (random() * 4 - 3);
    out[i] = (random() < 0.5 ? -1 : 1) * magnitude;
  }
  return out;
}

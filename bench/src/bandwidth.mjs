/**
 * The machine's memory bandwidth as this process sees it: copying one 40 MB Float32Array into
 * another (`dst.set(src)`, a memcpy: 80 MB read and written, far more than any cache), median of
 * repeated copies. The optimizer rows' bandwidth bound is the bytes one fused pass must move
 * divided by this.
 */
import { time } from "./timing.mjs";

/** @returns {number} GB/s (bytes read + bytes written per second, 1e9). */
export function copyBandwidth(elements = 1e7) {
  const src = new Float32Array(elements).fill(1);
  const dst = new Float32Array(elements);
  const t = time(() => dst.set(src), { warmup: 2, minReps: 15, budgetMs: 500 });
  return (8 * elements) / (t.median * 1e6);
}

import type { Split } from "./datasets/index.js";

/** Number of batches of an epoch over `n` samples (the last one may be smaller, as PyTorch's DataLoader). */
export function batchCount(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/**
 * The rows `idx[start..end)` of a split as a float32 feature matrix and their labels/targets.
 * Fresh arrays each call: the batch tensors wrap them without copying.
 */
export function gatherBatch(
  split: Split,
  inputDim: number,
  idx: ArrayLike<number>,
  start: number,
  end: number,
): { x: Float32Array; y: Float64Array } {
  const m = end - start;
  const dy = split.y.length / split.n;
  const x = new Float32Array(m * inputDim);
  const y = new Float64Array(m * dy);
  for (let r = 0; r < m; r++) {
    const i = idx[start + r];
    x.set(split.x.subarray(i * inputDim, (i + 1) * inputDim), r * inputDim);
    for (let k = 0; k < dy; k++) y[r * dy + k] = split.y[i * dy + k];
  }
  return { x, y };
}

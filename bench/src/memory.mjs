/**
 * Steady-state memory of a training loop: runs `steps` steps of a workload and samples the heap
 * plus ArrayBuffer memory (typed arrays live outside the JS heap) after a full GC, at the first
 * 10 % of the steps and at the end. Needs `node --expose-gc`.
 */
export function memoryGrowth(job, steps) {
  const sample = () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
  };
  const warm = Math.max(1, Math.floor(steps / 10));
  for (let i = 0; i < warm; i++) job.run();
  const start = sample();
  for (let i = warm; i < steps; i++) job.run();
  const end = sample();
  return {
    steps,
    startMiB: start,
    endMiB: end,
    growthMiB: end - start,
    gcAvailable: typeof globalThis.gc === "function",
  };
}

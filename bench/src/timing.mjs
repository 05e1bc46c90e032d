/**
 * Timing: warm-up runs, then repetitions until both a minimum count and a time budget are reached
 * (capped), reporting the median. `fn` is synchronous and must leave no pending work behind.
 */

/** @typedef {{ median: number, min: number, reps: number }} Timing  milliseconds */

/**
 * @param {() => void} fn
 * @param {{ warmup?: number, minReps?: number, maxReps?: number, budgetMs?: number }} [opts]
 * @returns {Timing}
 */
export function time(fn, { warmup = 3, minReps = 5, maxReps = 200, budgetMs = 1500 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  globalThis.gc?.();
  const samples = [];
  const start = performance.now();
  while (samples.length < maxReps && (samples.length < minReps || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/** Deterministic uniform numbers in [-1, 1): mulberry32. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** A Float32Array of `n` deterministic values in [-scale, scale). */
export function randomArray(n, seed, scale = 1) {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r() * scale;
  return a;
}

/**
 * Times several jobs in alternation: each round runs every job once, so a change in the machine's
 * load hits all of them alike and their ratios stay meaningful on a shared machine.
 *
 * @param {{ name: string, run: () => void }[]} jobs
 * @returns {Record<string, Timing>}
 */
export function timeInterleaved(jobs, { warmup = 3, minReps = 5, maxReps = 200, budgetMs = 1500 } = {}) {
  for (const j of jobs) for (let i = 0; i < warmup; i++) j.run();
  globalThis.gc?.();
  const samples = jobs.map(() => []);
  const start = performance.now();
  const budget = budgetMs * jobs.length;
  for (let r = 0; r < maxReps && (r < minReps || performance.now() - start < budget); r++) {
    jobs.forEach((j, i) => {
      const t0 = performance.now();
      j.run();
      samples[i].push(performance.now() - t0);
    });
  }
  return Object.fromEntries(jobs.map((j, i) => [j.name, summarize(samples[i])]));
}

function summarize(samples) {
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  const median = samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
  return { median, min: samples[0], reps: samples.length };
}

/**
 * Steady-state memory of a training loop, measured in a fresh process (src/memory-child.mjs):
 * heap plus ArrayBuffer memory (typed arrays live outside the JS heap) after full GCs, sampled at
 * every tenth of `steps` steps. Growth is counted from the first tenth (after warm-up) to the end;
 * `maxStepMiB` is the largest rise between consecutive samples, so a leak shows as steady growth.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export function memoryGrowth(id, steps) {
  const child = fileURLToPath(new URL("./memory-child.mjs", import.meta.url));
  const out = execFileSync(process.execPath, ["--expose-gc", child, id, String(steps)], { encoding: "utf8" });
  const samples = JSON.parse(out.trim().split("\n").pop());
  const startMiB = samples[1];
  const endMiB = samples[samples.length - 1];
  let maxStepMiB = 0;
  for (let i = 2; i < samples.length; i++) maxStepMiB = Math.max(maxStepMiB, samples[i] - samples[i - 1]);
  return { steps, startMiB, endMiB, growthMiB: endMiB - startMiB, maxStepMiB, gcAvailable: true };
}

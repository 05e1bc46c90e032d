/**
 * Child process of memory.mjs: trains one workload on Descent's WASM backend in a fresh process
 * (so nothing else in the heap moves) and prints the heap + ArrayBuffer size after full GCs at
 * every tenth of the run. Usage: node --expose-gc memory-child.mjs <workload id> <steps>
 */
import { descentEngine } from "./descent.mjs";
import { workloads } from "./workloads.mjs";

const [id, stepsArg] = process.argv.slice(2);
const steps = Number(stepsArg);
const job = (await descentEngine("wasm")).setup(workloads().find((w) => w.id === id));
const sample = () => {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};
const samples = [];
for (let s = 0; s < steps; s++) {
  if (s % (steps / 10) === 0) samples.push(sample());
  job.run();
}
samples.push(sample());
console.log(JSON.stringify(samples));

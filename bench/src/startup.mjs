/**
 * Start-up cost: a fresh Node process imports the library and runs a first op; we report the
 * process's CPU time (user + system) at that point and the wall time since the process started.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPTS = {
  node: "",
  descent: `
    const t = await import("@descent/tensor");
    await import("@descent/optim");
    const a = t.tensor([[1, 2], [3, 4]]);
    a.matmul(a).sum().item();`,
  "descent (WASM backend compiled and selected)": `
    const t = await import("@descent/tensor");
    await import("@descent/optim");
    t.setBackend(t.createWasmBackend());
    const a = t.randn([32, 32]);
    a.matmul(a).sum().item();`,
  tfjs: `
    const tf = await import("@tensorflow/tfjs");
    await tf.setBackend("cpu");
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    tf.matMul(a, a).sum().dataSync();`,
};

/**
 * For each kind, the median over `reps` fresh processes of { cpuMs, wallMs } (null when its script
 * fails). The kinds run in rounds, one process of each per round, so a change of the shared
 * machine's load affects every kind alike instead of the one measured at that moment.
 */
export function startupAll(kinds, reps = 7) {
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const runs = Object.fromEntries(kinds.map((k) => [k, []]));
  const failed = new Set();
  for (let i = 0; i < reps; i++) {
    for (const which of kinds) {
      if (failed.has(which)) continue;
      const body = `${SCRIPTS[which]}
    const u = process.cpuUsage();
    console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, wallMs: performance.now() }));`;
      try {
        const out = execFileSync(process.execPath, ["--input-type=module", "-e", body], {
          cwd,
          encoding: "utf8",
        });
        runs[which].push(JSON.parse(out.trim().split("\n").pop()));
      } catch {
        failed.add(which);
      }
    }
  }
  const med = (list, k) => list.map((r) => r[k]).sort((a, b) => a - b)[list.length >> 1];
  return Object.fromEntries(
    kinds.map((k) => [
      k,
      failed.has(k) ? null : { cpuMs: med(runs[k], "cpuMs"), wallMs: med(runs[k], "wallMs") },
    ]),
  );
}

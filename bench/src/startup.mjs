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

/** Median over `reps` fresh processes of { cpuMs, wallMs }, or null when the script fails. */
export function startup(which, reps = 5) {
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const body = `${SCRIPTS[which]}
    const u = process.cpuUsage();
    console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, wallMs: performance.now() }));`;
  const runs = [];
  for (let i = 0; i < reps; i++) {
    try {
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", body], {
        cwd,
        encoding: "utf8",
      });
      runs.push(JSON.parse(out.trim().split("\n").pop()));
    } catch {
      return null;
    }
  }
  const med = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[reps >> 1];
  return { cpuMs: med("cpuMs"), wallMs: med("wallMs") };
}

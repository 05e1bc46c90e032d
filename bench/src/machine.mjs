import { readFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";

/** A one-paragraph description of the machine the numbers were measured on. */
export function describeMachine() {
  let model = cpus()[0]?.model ?? "unknown CPU";
  let flags = "";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? model;
    const f = /^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? "";
    flags = ["avx2", "avx512f", "fma"].filter((x) => f.split(" ").includes(x)).join(", ");
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    cpu: model,
    simd: flags || "n/a",
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

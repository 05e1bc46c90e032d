import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { readDirRecovered, writeDirAtomic } from "./atomic.js";
import { scratchDirs } from "./scratch.testutil.js";

/*
 * Real processes saving to one directory at once, a reader watching, and kill -9 in the middle.
 * "Losing a result" would be: a reader seeing no copy, or a torn one (files of two saves), after a
 * first save completed; a save failing because another one ran; debris left once all are done.
 */

const fresh = scratchDirs("mlp-demo-concurrent-");
let worker = "";

const WORKER = `
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readDirRecovered, writeDirAtomic, writeFilesAtomic } from "./atomic.ts";
const [role, dir, id, count] = process.argv.slice(2);
if (role === "files") {
  for (let i = 0; i < Number(count); i++) writeFilesAtomic(dir, { "a.txt": id + " " + i, "b.txt": id + " " + i });
} else if (role === "writer") {
  for (let i = 0; i < Number(count); i++) writeDirAtomic(dir, { "a.txt": id + " " + i, "b.txt": id + " " + i });
} else {
  let seen = false;
  let reads = 0;
  while (!existsSync(dir + ".stop")) {
    const r = readDirRecovered(dir, (d) => existsSync(d) ? [readFileSync(join(d, "a.txt"), "utf8"), readFileSync(join(d, "b.txt"), "utf8")] : null).value;
    if (r === null) { if (seen) { console.log("vanished"); process.exit(4); } continue; }
    seen = true;
    reads++;
    if (r[0] !== r[1]) { console.log("torn " + r); process.exit(3); }
  }
  console.log(reads);
}
`;

beforeAll(() => {
  worker = join(fresh(), "worker.mjs");
  buildSync({
    stdin: { contents: WORKER, resolveDir: dirname(fileURLToPath(import.meta.url)), loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: worker,
    logLevel: "error",
  });
});

function start(...args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; out: string }>;
} {
  const child = spawn(process.execPath, [worker, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, out })),
  );
  return { child, done };
}

const debris = (dir: string) =>
  readdirSync(dirname(dir)).filter((e) => e !== basename(dir) && !e.endsWith(".stop"));

describe("concurrent saves to one directory", () => {
  it("three writers and a reader: every save succeeds, the reader never sees a torn or missing copy", async () => {
    const dir = join(fresh(), "ck");
    writeDirAtomic(dir, { "a.txt": "seed 0", "b.txt": "seed 0" });
    const reader = start("reader", dir);
    const writers = ["w1", "w2", "w3"].map((id) => start("writer", dir, id, "25"));
    const results = await Promise.all(writers.map((w) => w.done));
    writeFileSync(`${dir}.stop`, "");
    const r = await reader.done;
    for (const w of results) expect(w).toEqual({ code: 0, out: "" });
    expect(r.code).toBe(0);
    expect(Number(r.out)).toBeGreaterThan(0);
    // The last commit wins, whole: some writer's last save.
    const a = readFileSync(join(dir, "a.txt"), "utf8");
    expect(["w1 24", "w2 24", "w3 24"]).toContain(a);
    expect(readFileSync(join(dir, "b.txt"), "utf8")).toBe(a);
    expect(debris(dir)).toEqual([]);
  }, 30_000);

  it("kill -9 of a writer in the middle: the other finishes, the copy is whole, the next save clears the debris", async () => {
    const dir = join(fresh(), "ck");
    writeDirAtomic(dir, { "a.txt": "seed 0", "b.txt": "seed 0" });
    const victim = start("writer", dir, "v", "100000");
    const survivor = start("writer", dir, "s", "300");
    await new Promise((r) => setTimeout(r, 150));
    victim.child.kill("SIGKILL");
    expect((await victim.done).code).toBeNull();
    expect(await survivor.done).toEqual({ code: 0, out: "" });
    const seen = readDirRecovered(dir, (d) => [
      readFileSync(join(d, "a.txt"), "utf8"),
      readFileSync(join(d, "b.txt"), "utf8"),
    ]);
    expect(seen.value[0]).toBe(seen.value[1]);
    writeDirAtomic(dir, { "a.txt": "final", "b.txt": "final" });
    expect(debris(dir)).toEqual([]);
  }, 30_000);

  it("two reports written into one --out at once: one run's complete set, no mix, no debris", async () => {
    const out = join(fresh(), "out");
    const writers = ["r1", "r2"].map((id) => start("files", out, id, "60"));
    for (const w of await Promise.all(writers.map((x) => x.done))) expect(w).toEqual({ code: 0, out: "" });
    const a = readFileSync(join(out, "a.txt"), "utf8");
    expect(["r1 59", "r2 59"]).toContain(a);
    expect(readFileSync(join(out, "b.txt"), "utf8")).toBe(a);
    expect(readdirSync(out).sort()).toEqual(["a.txt", "b.txt"]);
  }, 30_000);
});

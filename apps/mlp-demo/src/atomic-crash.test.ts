import { cpSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "./args.js";
import { oldPath, readDirRecovered, writeDirAtomic } from "./atomic.js";
import { readCheckpoint, restoreTrainer, saveCheckpoint } from "./checkpoint.js";
import { resolveConfig } from "./config.js";
import { loadDataset } from "./datasets/index.js";
import { Crash, type FaultPlan, faultyProcess } from "./fault-fs.testutil.js";
import { lockPath } from "./lock.js";
import { Random } from "./random.js";
import { scratchDirs } from "./scratch.testutil.js";
import { Trainer } from "./train.js";

/*
 * A save is simulated crashing at every file-system call it makes (the call and all later ones
 * of that process fail, as after kill -9), then a new process reads. Whatever the crash point,
 * the reader must find a complete copy, the newest one whose commit (the rename into place)
 * happened, and the next successful save or read must leave no debris.
 */

const fresh = scratchDirs("mlp-demo-crash-");

/** The files of version `v`: two files that must always be seen together. */
const version = (v: number) => ({ "weights.bin": `weights of ${v}`, "state.json": `{"version":${v}}` });

/** The version a directory holds, or throws if it is not exactly one complete version. */
function versionIn(dir: string): number {
  const names = readdirSync(dir).sort();
  expect(names).toEqual(["state.json", "weights.bin"]);
  const v = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")).version as number;
  expect(readFileSync(join(dir, "weights.bin"), "utf8")).toBe(`weights of ${v}`);
  return v;
}

/** What a fresh process reads (restoring an interrupted save); null: nothing saved yet. */
function readAs(pid: number, live: Set<number>, dir: string): number | null {
  live.add(pid);
  const env = faultyProcess(pid, {}, live);
  try {
    return readDirRecovered(dir, (d) => (existsSync(d) ? versionIn(d) : null), env).value;
  } finally {
    live.delete(pid);
  }
}

/** Runs a save of version `v` by process `pid` with a fault plan; reports whether it committed. */
function saveAs(pid: number, live: Set<number>, dir: string, v: number, plan: FaultPlan) {
  live.add(pid);
  const env = faultyProcess(pid, plan, live);
  let error: unknown = null;
  try {
    writeDirAtomic(dir, version(v), env);
  } catch (e) {
    error = e;
  }
  // The process ends here, crashed or not (the CLI exits after a failed save).
  live.delete(pid);
  const committed = env.calls.some(
    (c) => c.ok && c.name === "renameSync" && c.args[1] === dir && String(c.args[0]).includes(".tmp-"),
  );
  return { error, committed, calls: env.calls.length };
}

/** Hidden leftovers beside `dir`: temporaries, old copies, trash, locks. */
function debris(dir: string): string[] {
  return readdirSync(join(dir, "..")).filter((e) => e !== basename(dir));
}

describe("crash-safe directory replacement", () => {
  it("a crash at any call of a first save leaves nothing or the complete new copy", () => {
    const probe = saveAs(1, new Set(), join(fresh(), "ck"), 1, {});
    expect(probe.error).toBeNull();
    for (let k = 0; k < probe.calls; k++) {
      const dir = join(fresh(), "ck");
      const live = new Set<number>();
      const r = saveAs(10, live, dir, 1, { crashAt: k });
      expect(readAs(11, live, dir)).toBe(r.committed ? 1 : null);
      expect(saveAs(12, live, dir, 2, {}).error).toBeNull();
      expect(readAs(13, live, dir)).toBe(2);
      expect(debris(dir)).toEqual([]);
    }
  });

  it("a crash at any call while replacing a copy leaves the old or the new one, complete, and never none", () => {
    const dir0 = join(fresh(), "ck");
    const live0 = new Set<number>();
    saveAs(1, live0, dir0, 1, {});
    const { calls } = saveAs(2, live0, dir0, 2, {});
    let sawOldOnly = 0;
    for (let k = 0; k < calls; k++) {
      const dir = join(fresh(), "ck");
      const live = new Set<number>();
      expect(saveAs(20, live, dir, 1, {}).error).toBeNull();
      const r = saveAs(21, live, dir, 2, { crashAt: k });
      if (!existsSync(dir) && existsSync(oldPath(dir))) sawOldOnly++;
      // The next process finds the newest committed copy, whole.
      expect(readAs(22, live, dir)).toBe(r.committed ? 2 : 1);
      // ... and restored it under its name, with the debris gone.
      expect(existsSync(dir)).toBe(true);
      expect(debris(dir)).toEqual([]);
    }
    // The window between the two renames was hit (the case that used to lose the checkpoint).
    expect(sawOldOnly).toBeGreaterThan(0);
  });

  it("a save or a read crashing while an interrupted save's copy waits at .NAME.old never loses it", () => {
    // Build the state "killed between the two renames": NAME missing, the copy at .NAME.old.
    let window = 0;
    const between = (): { dir: string; live: Set<number> } => {
      for (let k = window; ; k++) {
        const dir = join(fresh(), "ck");
        const live = new Set<number>();
        saveAs(30, live, dir, 1, {});
        saveAs(31, live, dir, 2, { crashAt: k });
        if (!existsSync(dir) && existsSync(oldPath(dir))) {
          window = k;
          return { dir, live };
        }
      }
    };
    const { calls } = saveAs(2, new Set(), join(fresh(), "x"), 1, {});
    for (let k = 0; k < calls + 10; k++) {
      const a = between();
      const r = saveAs(32, a.live, a.dir, 3, { crashAt: k });
      expect(readAs(33, a.live, a.dir)).toBe(r.committed ? 3 : 1);
      expect(debris(a.dir)).toEqual([]);

      const b = between();
      b.live.add(34);
      const reader = faultyProcess(34, { crashAt: k }, b.live);
      try {
        readDirRecovered(b.dir, (d) => versionIn(d), reader);
      } catch {
        // Crashed or not: the copy is still there for the next reader.
      }
      b.live.delete(34);
      expect(readAs(35, b.live, b.dir)).toBe(1);
    }
  });

  it("a failing call (EIO, ENOSPC, EROFS) fails the save cleanly: the previous copy stays in place", () => {
    const { calls } = (() => {
      const dir = join(fresh(), "ck");
      const live = new Set<number>();
      saveAs(1, live, dir, 1, {});
      return saveAs(2, live, dir, 2, {});
    })();
    for (const code of ["EIO", "ENOSPC", "EROFS"]) {
      for (let k = 0; k < calls; k++) {
        const dir = join(fresh(), "ck");
        const live = new Set<number>();
        saveAs(40, live, dir, 1, {});
        const r = saveAs(41, live, dir, 2, { failAt: k, failCode: code });
        // The process lives on: what is in place, under its own name, is whole.
        expect(versionIn(dir)).toBe(r.committed ? 2 : 1);
        if (r.error !== null) expect((r.error as NodeJS.ErrnoException).code).toBe(code);
        else expect(r.committed).toBe(true);
        expect(readAs(42, live, dir)).toBe(r.committed ? 2 : 1);
        expect(debris(dir)).toEqual([]);
      }
    }
  });

  it("random sequences of saves, reads and crashes: a reader always sees the last committed copy", () => {
    const rng = new Random(7, 1);
    const dir = join(fresh(), "ck");
    const live = new Set<number>();
    let committed: number | null = null;
    let pid = 100;
    for (let i = 1; i <= 150; i++) {
      const plan: FaultPlan =
        rng.uniform() < 0.5
          ? { crashAt: Math.floor(rng.uniform() * 40) }
          : rng.uniform() < 0.2
            ? { failAt: Math.floor(rng.uniform() * 40) }
            : {};
      if (rng.uniform() < 0.75) {
        const r = saveAs(pid++, live, dir, i, plan);
        if (r.committed) committed = i;
      } else {
        live.add(pid);
        const reader = faultyProcess(pid++, plan, live);
        try {
          readDirRecovered(dir, (d) => (existsSync(d) ? versionIn(d) : null), reader);
        } catch {
          // A crashed or failed reader changes nothing a later reader could miss.
        }
        live.delete(reader.pid);
      }
      expect(readAs(pid++, live, dir)).toBe(committed);
    }
    expect(committed).not.toBeNull();
    expect(debris(dir)).toEqual([]);
  });

  it("a lock left by a dead process is broken; one held by a live process is waited for, then named", () => {
    const dir = join(fresh(), "ck");
    const live = new Set([50]);
    writeFileSync(lockPath(dir), `51 ${Date.now()} x\n`); // pid 51 is not running
    expect(saveAs(52, live, dir, 1, {}).error).toBeNull();
    expect(existsSync(lockPath(dir))).toBe(false);

    writeFileSync(lockPath(dir), `50 ${Date.now()} x\n`); // pid 50 is running
    let t = Date.now();
    const env = { ...faultyProcess(53, {}, live), now: () => t, sleep: (ms: number) => void (t += ms) };
    expect(() => writeDirAtomic(dir, version(2), env)).toThrow(
      /another process \(pid 50\) is writing it .* if no such process runs, delete that file/,
    );
    expect(versionIn(dir)).toBe(1);
    expect(debris(dir)).toEqual([basename(lockPath(dir))]);
  });

  it("real checkpoints: killed at any call of a save, --resume restores the newest saved epoch, whole", () => {
    const cfg = resolveConfig(parseArgs(["--dataset", "xor", "--hidden", "4", "--epochs", "3"]));
    const ds = loadDataset("xor", 1);
    const t = new Trainer(ds, cfg, "adam");
    t.runEpoch();
    const first = join(fresh(), "ck");
    saveCheckpoint(t, first);
    t.runEpoch();
    const probe = faultyProcess(1, {}, new Set([1]));
    saveCheckpoint(t, join(fresh(), "ck"), probe);
    for (let k = 0; k < probe.calls.length; k++) {
      const dir = join(fresh(), "ck");
      cpSync(first, dir, { recursive: true });
      const live = new Set([60]);
      const env = faultyProcess(60, { crashAt: k }, live);
      let error: unknown = null;
      try {
        saveCheckpoint(t, dir, env);
      } catch (e) {
        error = e;
      }
      expect(error === null || error instanceof Crash).toBe(true);
      live.delete(60);
      const committed = env.calls.some((c) => c.ok && c.name === "renameSync" && c.args[1] === dir);
      const ck = readCheckpoint(dir, faultyProcess(61, {}, live));
      expect(ck.state.epoch).toBe(committed ? 2 : 1);
      const resumed = new Trainer(ds, cfg, "adam");
      restoreTrainer(resumed, ck);
      expect(resumed.epoch).toBe(ck.state.epoch);
      expect(debris(dir)).toEqual([]);
    }
  });

  it("the hidden names of earlier versions of the demo (.NAME.old-<pid>-<time>-<n>) are recovered too, newest first", () => {
    const root = fresh();
    const dir = join(root, "ck");
    const put = (name: string, v: number) => {
      writeDirAtomic(join(root, "staging"), version(v));
      renameSync(join(root, "staging"), join(root, name));
    };
    put(".ck.old-4242-1700000000000-1", 1);
    put(".ck.old-4242-1700000005000-2", 2);
    put(".ck.tmp-4242-1700000006000-3", 3); // never committed
    const live = new Set<number>();
    expect(readAs(70, live, dir)).toBe(2);
    expect(debris(dir)).toEqual([]);
  });
});

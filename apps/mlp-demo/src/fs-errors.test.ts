import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "./args.js";
import { saveCheckpoint } from "./checkpoint.js";
import { main } from "./cli.js";
import { resolveConfig } from "./config.js";
import { loadDataset } from "./datasets/index.js";
import { RunError } from "./errors.js";
import { fakeIo } from "./fake-io.testutil.js";
import { faultyProcess } from "./fault-fs.testutil.js";
import { describeFsError, errnoWords, fsFailure } from "./fs-errors.js";
import { checkWritableDir } from "./preflight.js";
import { Trainer } from "./train.js";

const fresh = () => mkdtempSync(join(tmpdir(), "mlp-demo-fs-"));
const errno = (code: string, path?: string) =>
  Object.assign(new Error(`${code}: raw, ${path}`), { code, path });

async function run(argv: string[]) {
  const io = fakeIo(false);
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe("file-system errors in words", () => {
  it("maps errno codes to words and names the file in the way of a path", () => {
    expect(errnoWords("EROFS")).toBe("read-only file system");
    expect(errnoWords("EACCES")).toBe("permission denied");
    expect(errnoWords("ENOSPC")).toBe("no space left on device");
    expect(errnoWords("EWHATEVER")).toBe("system error EWHATEVER");
    const root = fresh();
    writeFileSync(join(root, "f"), "x");
    expect(describeFsError(errno("ENOTDIR"), join(root, "f", "a", "b"))).toBe(
      `${join(root, "f")} is a file, not a directory`,
    );
    const e = fsFailure("write checkpoint to", "/x/ck", errno("EROFS", "/x/.ck.tmp-1-a"));
    expect(e).toBeInstanceOf(RunError);
    expect((e as Error).message).toBe("cannot write checkpoint to /x/ck: read-only file system");
    const bug = new TypeError("not a system error");
    expect(fsFailure("write", "/x", bug)).toBe(bug);
  });

  it("checkWritableDir: a path under a file, a file, an unwritable medium; nothing created", () => {
    const root = fresh();
    writeFileSync(join(root, "f"), "x");
    const under = join(root, "f", "out");
    expect(() => checkWritableDir(under, "write report to", under)).toThrow(
      `cannot write report to ${under}: ${join(root, "f")} is a file, not a directory`,
    );
    expect(() => checkWritableDir(join(root, "f"), "write report to", "F")).toThrow(
      `cannot write report to F: ${join(root, "f")} is a file, not a directory`,
    );
    for (const [code, words] of [
      ["EROFS", "read-only file system"],
      ["EACCES", "permission denied"],
      ["ENOSPC", "no space left on device"],
    ]) {
      // Calls 0-2 stat deep, new, root; call 3 creates the probe.
      const env = faultyProcess(1, { failAt: 3, failCode: code }, new Set([1]));
      expect(() => checkWritableDir(join(root, "new", "deep"), "write report to", "OUT", env)).toThrow(
        `cannot write report to OUT: ${words}`,
      );
    }
    checkWritableDir(join(root, "new", "deep"), "write report to", "OUT");
    expect(readdirSync(root)).toEqual(["f"]);
  });

  it("a checkpoint save that fails (read-only, disk full) says so in words, naming the checkpoint", () => {
    const cfg = resolveConfig(parseArgs(["--dataset", "xor", "--hidden", "4", "--epochs", "1"]));
    const t = new Trainer(loadDataset("xor", 1), cfg, "adam");
    t.runEpoch();
    const dir = join(fresh(), "ck");
    for (const [code, words] of [
      ["EROFS", "read-only file system"],
      ["ENOSPC", "no space left on device"],
      ["EACCES", "permission denied"],
    ]) {
      for (const failAt of [1, 3, 8]) {
        const env = faultyProcess(2, { failAt, failCode: code }, new Set([2]));
        expect(() => saveCheckpoint(t, dir, env)).toThrow(`cannot write checkpoint to ${dir}: ${words}`);
      }
    }
    expect(existsSync(dir)).toBe(false);
  });
});

describe("output locations are checked before training", () => {
  it("compare --out under a file or at a file fails at once, in one line, before any output", async () => {
    const root = fresh();
    writeFileSync(join(root, "f"), "x");
    for (const out of [join(root, "f", "report"), join(root, "f")]) {
      const r = await run(["compare", "--dataset", "xor", "--epochs", "50", "--out", out]);
      expect(r.code).toBe(1);
      expect(r.out).toBe("");
      expect(r.err).toBe(
        `error: cannot write report to ${out}: ${join(root, "f")} is a file, not a directory\n`,
      );
    }
  });

  it("train --save under a file fails at once; a save target holding other files is refused", async () => {
    const root = fresh();
    writeFileSync(join(root, "f"), "x");
    const ck = join(root, "f", "ck");
    const r = await run(["--dataset", "xor", "--epochs", "50", "--save", ck]);
    expect([r.code, r.out]).toEqual([1, ""]);
    expect(r.err).toBe(
      `error: cannot write checkpoint to ${ck}: ${join(root, "f")} is a file, not a directory\n`,
    );
    mkdirSync(join(root, "d"));
    writeFileSync(join(root, "d", "notes.txt"), "keep");
    const other = await run(["--dataset", "xor", "--epochs", "1", "--save", join(root, "d")]);
    expect(other.code).toBe(1);
    expect(other.err).toContain("not a checkpoint; not overwriting it");
  });

  it("a system error that reaches the top is printed in words with its path, without a stack", async () => {
    const root = fresh();
    writeFileSync(join(root, "f"), "x");
    // --resume of a path under a file: reading fails with ENOTDIR.
    const r = await run(["--resume", join(root, "f", "ck")]);
    expect(r.code).toBe(1);
    expect(r.err.split("\n")).toHaveLength(2);
    expect(r.err).not.toMatch(/ENOTDIR|at .*\.ts:\d+/);
  });
});

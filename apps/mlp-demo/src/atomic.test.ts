import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeDirAtomic, writeFileAtomic } from "./atomic.js";

const fresh = () => mkdtempSync(join(tmpdir(), "mlp-demo-atomic-"));

describe("atomic writes", () => {
  it("writeFileAtomic creates and replaces a file, leaving no temporary behind", () => {
    const dir = fresh();
    const f = join(dir, "sub", "a.txt");
    writeFileAtomic(f, "one");
    writeFileAtomic(f, Uint8Array.of(116, 119, 111));
    expect(readFileSync(f, "utf8")).toBe("two");
    expect(readdirSync(join(dir, "sub"))).toEqual(["a.txt"]);
  });

  it("writeDirAtomic writes a directory as a whole and replaces an older one", () => {
    const root = fresh();
    const d = join(root, "ckpt");
    writeDirAtomic(d, { "a.json": "{}", "b.bin": Uint8Array.of(1, 2, 3) });
    expect(readdirSync(d).sort()).toEqual(["a.json", "b.bin"]);
    writeDirAtomic(d, { "c.json": "[1]" });
    expect(readdirSync(d)).toEqual(["c.json"]);
    expect(readdirSync(root)).toEqual(["ckpt"]);
  });

  it("a write that fails midway leaves the previous directory untouched and no debris", () => {
    const root = fresh();
    const d = join(root, "ckpt");
    writeDirAtomic(d, { "a.json": "old" });
    // The second file name is rejected after the first was written into the temporary directory.
    expect(() => writeDirAtomic(d, { "a.json": "new", "../evil": "x" })).toThrow(/bad file name/);
    expect(readFileSync(join(d, "a.json"), "utf8")).toBe("old");
    expect(readdirSync(root)).toEqual(["ckpt"]);
  });

  it("a failing file write leaves the old file", () => {
    const root = fresh();
    const f = join(root, "x.txt");
    writeFileSync(f, "keep");
    // A directory where the parent should be makes the write fail before the rename.
    expect(() => writeFileAtomic(join(f, "y.txt"), "z")).toThrow();
    expect(readFileSync(f, "utf8")).toBe("keep");
    expect(existsSync(join(root, "y.txt"))).toBe(false);
  });
});

import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

let counter = 0;
function tempName(target: string, tag: string): string {
  counter++;
  return join(dirname(target), `.${basename(target)}.${tag}-${process.pid}-${Date.now()}-${counter}`);
}

function writeAndSync(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, "wx");
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a directory so a rename inside it is durable; best effort (not every platform allows it). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Directories cannot be opened for fsync on some platforms; the rename is still atomic.
  }
}

/**
 * Writes a file atomically: the bytes go to a temporary file in the same directory, which is
 * fsynced and then renamed over `path`. A reader sees the old file or the new one, never half.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempName(path, "tmp");
  try {
    writeAndSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dirname(path));
}

/**
 * Writes a directory of files as a whole: all files go into a temporary sibling directory (each
 * fsynced), which then replaces `dir` by rename. An interrupted write leaves the previous `dir`
 * intact (plus a stray temporary directory), never a mix of old and new files.
 *
 * Replacing an existing `dir` takes two renames (old out of the way, new in); between them `dir` is
 * briefly absent and the previous version sits at a `.old-*` sibling, still complete.
 */
export function writeDirAtomic(dir: string, files: Readonly<Record<string, Uint8Array | string>>): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = tempName(dir, "tmp");
  mkdirSync(tmp);
  try {
    for (const [name, data] of Object.entries(files)) {
      if (name.includes("/") || name.includes("\\") || name.startsWith(".")) {
        throw new Error(`writeDirAtomic: bad file name "${name}"`);
      }
      writeAndSync(join(tmp, name), data);
    }
    syncDir(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (existsSync(dir)) {
    const old = tempName(dir, "old");
    renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, dir);
  }
  syncDir(parent);
}

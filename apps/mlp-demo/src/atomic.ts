import { basename, dirname, join } from "node:path";
import { errnoCode, exists, type FsEnv, nodeEnv, uniqueSuffix } from "./fs-env.js";
import { escapeRegExp, lockDebrisPid, withLock } from "./lock.js";

/*
 * Crash-safe writes. A directory `NAME` is replaced in this sequence (the siblings are hidden):
 *
 *   1. write every file into `.NAME.tmp-<pid>-<random>`, fsync each, fsync the directory;
 *   2. take the lock `.NAME.lock` (see lock.ts);
 *   3. if `NAME` is missing but `.NAME.old` exists, an earlier save stopped between its two
 *      renames: rename `.NAME.old` back to `NAME` first;
 *   4. move a leftover `.NAME.old` aside (`.NAME.trash-…`), rename `NAME` to `.NAME.old`;
 *   5. rename the temporary directory to `NAME`: the commit point;
 *   6. fsync the parent, remove `.NAME.old`, temporaries of processes that no longer run, and
 *      trash; release the lock.
 *
 * At every instant `NAME`, or when it is missing `.NAME.old`, holds the newest complete copy: a
 * copy is complete once renamed into place, and `.NAME.old` is only ever made by renaming a
 * complete `NAME` (a leftover is moved aside whole, never deleted in place, before a new one is
 * made). Readers call `readDirRecovered`, which performs step 3 under the lock. Two writers of
 * one `NAME` are serialised by the lock: the later commit wins, whole.
 */

/** Hidden sibling `.NAME.<tag>` of `path`. */
function sibling(path: string, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${tag}`);
}

/** Where the previous copy waits during a replacement: `.NAME.old`. */
export function oldPath(dir: string): string {
  return sibling(dir, "old");
}

function writeAndSync(env: FsEnv, path: string, data: Uint8Array | string): void {
  const fd = env.fs.openSync(path, "wx");
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.length) off += env.fs.writeSync(fd, bytes, off, bytes.length - off);
    env.fs.fsyncSync(fd);
  } finally {
    env.fs.closeSync(fd);
  }
}

/** fsync a directory so a rename inside it is durable; best effort (not every platform allows it). */
function syncDir(env: FsEnv, dir: string): void {
  let fd: number;
  try {
    fd = env.fs.openSync(dir, "r");
  } catch {
    return; // Directories cannot be opened for fsync on some platforms; the rename is still atomic.
  }
  try {
    env.fs.fsyncSync(fd);
  } catch {
    // As above.
  } finally {
    env.fs.closeSync(fd);
  }
}

function removeQuietly(env: FsEnv, path: string): void {
  try {
    env.fs.rmSync(path, { recursive: true, force: true });
  } catch {
    // Debris: the next successful write or read removes it.
  }
}

function checkName(name: string): void {
  if (name === "" || name.includes("/") || name.includes("\\") || name.startsWith(".")) {
    throw new Error(`atomic write: bad file name "${name}"`);
  }
}

/**
 * Step 3: if `dir` is missing, puts back the copy an interrupted replacement left at
 * `.NAME.old` (or, from older versions of the demo, at the newest `.NAME.old-<pid>-<time>-<n>`).
 * Call with the lock held. Returns the name restored from, or null.
 */
function restoreLocked(env: FsEnv, dir: string): string | null {
  if (exists(env, dir)) return null;
  const old = oldPath(dir);
  if (exists(env, old)) {
    env.fs.renameSync(old, dir);
    syncDir(env, dirname(dir));
    return old;
  }
  const legacy = legacyOlds(env, dir).sort((a, b) => b.time - a.time || b.n - a.n)[0];
  if (legacy === undefined) return null;
  env.fs.renameSync(legacy.path, dir);
  syncDir(env, dirname(dir));
  return legacy.path;
}

function legacyOlds(env: FsEnv, dir: string): { path: string; time: number; n: number }[] {
  const re = new RegExp(`^\\.${escapeRegExp(basename(dir))}\\.old-\\d+-(\\d+)-(\\d+)$`);
  const out: { path: string; time: number; n: number }[] = [];
  for (const e of listParent(env, dir)) {
    const m = re.exec(e);
    if (m) out.push({ path: join(dirname(dir), e), time: Number(m[1]), n: Number(m[2]) });
  }
  return out;
}

function listParent(env: FsEnv, dir: string): string[] {
  try {
    return env.fs.readdirSync(dirname(dir));
  } catch {
    return [];
  }
}

/**
 * Step 6's clean-up, with the lock held and `dir` in place: the previous copy, temporaries of
 * processes that no longer run (or of this one: it writes one at a time), trash, lock debris.
 * Best effort: what cannot be removed now is removed next time.
 */
function cleanLocked(env: FsEnv, dir: string): void {
  try {
    cleanDebris(env, dir);
  } catch {
    // Best effort, as documented.
  }
}

function cleanDebris(env: FsEnv, dir: string): void {
  if (!exists(env, dir)) return;
  const base = escapeRegExp(basename(dir));
  const tmp = new RegExp(`^\\.${base}\\.tmp-(\\d+)-`);
  const legacyOld = new RegExp(`^\\.${base}\\.old-\\d+-\\d+-\\d+$`);
  const trash = new RegExp(`^\\.${base}\\.trash-\\d+-`);
  const gone = (pid: number) => pid === env.pid || !env.alive(pid);
  for (const e of listParent(env, dir)) {
    const path = join(dirname(dir), e);
    const t = tmp.exec(e);
    const lockPid = lockDebrisPid(basename(dir), e);
    if (e === `.${basename(dir)}.old`) discard(env, path);
    else if (legacyOld.test(e) || trash.test(e)) removeQuietly(env, path);
    else if (t && gone(Number(t[1]))) removeQuietly(env, path);
    else if (lockPid !== undefined && gone(lockPid)) removeQuietly(env, path);
  }
}

/** Moves `path` aside whole (one rename), then deletes it: it never exists half-deleted. */
function discard(env: FsEnv, path: string): void {
  const trash = `${dirname(path)}/.${basename(path)
    .replace(/^\./, "")
    .replace(/\.old$/, "")}.trash-${uniqueSuffix(env)}`;
  env.fs.renameSync(path, trash);
  removeQuietly(env, trash);
}

/**
 * Writes a directory of files as a whole, replacing `dir` (see the sequence above). An
 * interrupted or failed write leaves the previous `dir` intact, or, if it stopped between the
 * two renames, at `.NAME.old`, where the next write or `readDirRecovered` finds and restores it.
 *
 * @throws the file-system error (the previous copy is then in place), or a RunError if another
 *   process holds the lock for longer than `LOCK_WAIT_MS`.
 */
export function writeDirAtomic(
  dir: string,
  files: Readonly<Record<string, Uint8Array | string>>,
  env: FsEnv = nodeEnv,
): void {
  for (const name of Object.keys(files)) checkName(name);
  const parent = dirname(dir);
  env.fs.mkdirSync(parent, { recursive: true });
  const tmp = sibling(dir, `tmp-${uniqueSuffix(env)}`);
  env.fs.mkdirSync(tmp);
  try {
    for (const [name, data] of Object.entries(files)) writeAndSync(env, join(tmp, name), data);
    syncDir(env, tmp);
    withLock(env, dir, () => {
      restoreLocked(env, dir);
      if (exists(env, dir)) {
        const old = oldPath(dir);
        if (exists(env, old)) discard(env, old);
        env.fs.renameSync(dir, old);
        try {
          env.fs.renameSync(tmp, dir);
        } catch (e) {
          try {
            env.fs.renameSync(old, dir);
          } catch {
            // Still at .NAME.old: the next write or read restores it.
          }
          throw e;
        }
      } else {
        env.fs.renameSync(tmp, dir);
      }
      syncDir(env, parent);
      cleanLocked(env, dir);
    });
  } catch (e) {
    removeQuietly(env, tmp);
    throw e;
  }
}

/**
 * Reads `dir` with `read`, after restoring the copy an interrupted write left at `.NAME.old`
 * (under the writers' lock, so a concurrent write is never seen half-way) and clearing debris.
 * Where the lock cannot be taken (a read-only medium), reads without it, from `.NAME.old` if
 * `dir` is missing. Returns what `read` returned and the hidden name restored from, if any.
 */
export function readDirRecovered<T>(
  dir: string,
  read: (path: string) => T,
  env: FsEnv = nodeEnv,
): { value: T; restoredFrom: string | null } {
  let entered = false;
  try {
    return withLock(env, dir, () => {
      entered = true;
      const restoredFrom = restoreLocked(env, dir);
      cleanLocked(env, dir);
      return { value: read(dir), restoredFrom };
    });
  } catch (e) {
    const code = errnoCode(e);
    if (entered || (code !== "EROFS" && code !== "EACCES" && code !== "EPERM" && code !== "ENOENT")) throw e;
  }
  const old = oldPath(dir);
  if (!exists(env, dir) && exists(env, old)) return { value: read(old), restoredFrom: null };
  return { value: read(dir), restoredFrom: null };
}

/**
 * Writes a file atomically: the bytes go to a temporary file in the same directory, which is
 * fsynced and then renamed over `path`. A reader sees the old file or the new one, never half.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, env: FsEnv = nodeEnv): void {
  writeFilesAtomic(dirname(path), { [basename(path)]: data }, env);
}

/**
 * Writes several files into `dir` (created if needed), each atomically, and all renamed into
 * place under one lock (`dir/.files.lock`): two processes writing the same set of files leave
 * one complete set, never a mix. Temporaries of processes that no longer run are removed.
 */
export function writeFilesAtomic(
  dir: string,
  files: Readonly<Record<string, Uint8Array | string>>,
  env: FsEnv = nodeEnv,
): void {
  env.fs.mkdirSync(dir, { recursive: true });
  const temps = new Map<string, string>();
  try {
    for (const [name, data] of Object.entries(files)) {
      checkName(name);
      const tmp = join(dir, `.${name}.tmp-${uniqueSuffix(env)}`);
      temps.set(name, tmp);
      writeAndSync(env, tmp, data);
    }
    withLock(env, join(dir, "files"), () => {
      for (const [name, tmp] of temps) env.fs.renameSync(tmp, join(dir, name));
      syncDir(env, dir);
      for (const name of temps.keys()) {
        const re = new RegExp(`^\\.${escapeRegExp(name)}\\.tmp-(\\d+)-`);
        for (const e of listParent(env, join(dir, name))) {
          const m = re.exec(e);
          if (m && (Number(m[1]) === env.pid || !env.alive(Number(m[1])))) removeQuietly(env, join(dir, e));
        }
      }
    });
  } catch (e) {
    for (const tmp of temps.values()) removeQuietly(env, tmp);
    throw e;
  }
}

import { basename, dirname, join } from "node:path";
import { RunError } from "./errors.js";
import { errnoCode, type FsEnv, uniqueSuffix } from "./fs-env.js";

/** How long to wait for a lock another live process holds. */
export const LOCK_WAIT_MS = 30_000;
/** A lock older than this is stale even if its process id is in use (ids get reused). */
export const LOCK_STALE_MS = 10 * 60_000;
/** A lock file without a readable holder (a crash while creating it) is stale after this long. */
const GARBLED_STALE_MS = 2_000;

/** `.NAME.lock` beside `path`: serialises the renames of every writer of `path`. */
export function lockPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.lock`);
}

interface Holder {
  readonly pid: number;
  readonly time: number;
  readonly text: string;
}

function readHolder(env: FsEnv, lock: string): Holder | null | "gone" {
  let text: string;
  try {
    text = env.fs.readFileSync(lock, "utf8");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return "gone";
    throw e;
  }
  const m = /^(\d+) (\d+) \S+\n$/.exec(text);
  return m ? { pid: Number(m[1]), time: Number(m[2]), text } : null;
}

function isStale(env: FsEnv, lock: string, h: Holder | null): boolean {
  if (h === null) {
    const st = env.fs.lstatSync(lock, { throwIfNoEntry: false });
    return st !== undefined && env.now() - st.mtimeMs > GARBLED_STALE_MS;
  }
  // This process never holds a lock across calls, so one with its own id is left from a failure.
  return h.pid === env.pid || !env.alive(h.pid) || env.now() - h.time > LOCK_STALE_MS;
}

/**
 * Creates the lock file with its content in one step: the content goes to a unique file, which
 * is then hard-linked to the lock name (link fails if the lock exists). Falls back to an
 * exclusive create where hard links are not supported. Returns false if the lock is taken.
 */
function tryCreate(env: FsEnv, lock: string, text: string): boolean {
  const tmp = `${lock}-${uniqueSuffix(env)}`;
  const fd = env.fs.openSync(tmp, "wx");
  try {
    env.fs.writeSync(fd, text);
  } finally {
    env.fs.closeSync(fd);
  }
  try {
    env.fs.linkSync(tmp, lock);
    return true;
  } catch (e) {
    const code = errnoCode(e);
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw e;
  } finally {
    env.fs.rmSync(tmp, { force: true });
  }
  try {
    const fd2 = env.fs.openSync(lock, "wx");
    try {
      env.fs.writeSync(fd2, text);
    } finally {
      env.fs.closeSync(fd2);
    }
    return true;
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return false;
    throw e;
  }
}

/** Moves a stale lock out of the way; puts it back if it turned out not to be the stale one. */
function breakLock(env: FsEnv, lock: string, judged: Holder | null): void {
  const aside = `${lock}-stale-${uniqueSuffix(env)}`;
  try {
    env.fs.renameSync(lock, aside);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return;
    throw e;
  }
  const moved = readHolder(env, aside);
  const same = judged === null ? moved === null : moved !== "gone" && moved?.text === judged.text;
  if (!same) {
    // Another process replaced the stale lock in between: give its lock back.
    try {
      env.fs.linkSync(aside, lock);
    } catch {
      // The name is taken again: that process's lock is lost; its renames are still atomic.
    }
  }
  env.fs.rmSync(aside, { force: true });
}

/**
 * Runs `fn` holding the lock of `path` (`.NAME.lock` beside it). The lock records the holder's
 * process id and time; a lock whose process is gone (or older than `LOCK_STALE_MS`) is broken.
 * A live holder is waited for up to `LOCK_WAIT_MS`.
 *
 * @throws RunError if another process holds the lock that long.
 */
export function withLock<T>(env: FsEnv, path: string, fn: () => T): T {
  const lock = lockPath(path);
  const text = `${env.pid} ${env.now()} ${uniqueSuffix(env)}\n`;
  const deadline = env.now() + LOCK_WAIT_MS;
  for (let wait = 5; !tryCreate(env, lock, text); wait = Math.min(100, wait * 2)) {
    const h = readHolder(env, lock);
    if (h === "gone") continue;
    if (isStale(env, lock, h)) {
      breakLock(env, lock, h);
      continue;
    }
    if (env.now() > deadline) {
      throw new RunError(
        `${path}: another process (pid ${h?.pid ?? "unknown"}) is writing it and has held ${lock} for over ${LOCK_WAIT_MS / 1000}s; if no such process runs, delete that file`,
      );
    }
    env.sleep(wait);
  }
  try {
    return fn();
  } finally {
    try {
      const h = readHolder(env, lock);
      if (h !== "gone" && h?.text === text) env.fs.rmSync(lock, { force: true });
    } catch {
      // Left behind, the lock names this process: the next writer sees it as stale.
    }
  }
}

/** True for the lock's own leftovers (`.NAME.lock-<pid>-<random>`, `.NAME.lock-stale-…`). */
export function lockDebrisPid(base: string, entry: string): number | undefined {
  const m = new RegExp(`^\\.${escapeRegExp(base)}\\.lock-(?:stale-)?(\\d+)-[a-z0-9]+$`).exec(entry);
  return m ? Number(m[1]) : undefined;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

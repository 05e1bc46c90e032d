import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { RunError } from "./errors.js";
import { errnoCode } from "./fs-env.js";

/** System error codes in words, as `strerror` says them. */
const WORDS: ReadonlyMap<string, string> = new Map([
  ["EACCES", "permission denied"],
  ["EBUSY", "device or resource busy"],
  ["EDQUOT", "disk quota exceeded"],
  ["EEXIST", "file already exists"],
  ["EFBIG", "file too large"],
  ["EINVAL", "invalid argument"],
  ["EIO", "input/output error"],
  ["EISDIR", "is a directory"],
  ["ELOOP", "too many levels of symbolic links"],
  ["EMFILE", "too many open files"],
  ["EMLINK", "too many links"],
  ["ENAMETOOLONG", "file name too long"],
  ["ENFILE", "too many open files in system"],
  ["ENODEV", "no such device"],
  ["ENOENT", "no such file or directory"],
  ["ENOMEM", "out of memory"],
  ["ENOSPC", "no space left on device"],
  ["ENOTDIR", "not a directory"],
  ["ENOTEMPTY", "directory not empty"],
  ["ENOTSUP", "operation not supported"],
  ["ENXIO", "no such device or address"],
  ["EOPNOTSUPP", "operation not supported"],
  ["EPERM", "operation not permitted"],
  ["EROFS", "read-only file system"],
  ["ESTALE", "stale file handle"],
  ["ETIMEDOUT", "connection timed out"],
  ["ETXTBSY", "text file busy"],
  ["EXDEV", "cross-device link"],
]);

/** A system error code in words ("read-only file system"); an unknown code as "system error ECODE". */
export function errnoWords(code: string): string {
  return WORDS.get(code) ?? `system error ${code}`;
}

/**
 * The first component of `path` that exists but is not a directory (`/a/file` for `/a/file/b/c`),
 * or undefined: what an ENOTDIR is about.
 */
export function fileInTheWay(path: string): string | undefined {
  const parts: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    parts.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of parts.slice(0, -1)) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (st === undefined) return undefined;
    if (!st.isDirectory()) return p;
  }
  return undefined;
}

/** Why a file-system call on `target` failed, in words: "read-only file system", "/a/f is a file, not a directory". */
export function describeFsError(e: unknown, target: string): string {
  const code = errnoCode(e) ?? "";
  if (code === "ENOTDIR" || code === "EEXIST") {
    const f = fileInTheWay(`${target}/x`);
    if (f !== undefined) return `${f} is a file, not a directory`;
  }
  return code === "" ? (e instanceof Error ? e.message : String(e)) : errnoWords(code);
}

/**
 * A file-system failure as a one-line RunError: `cannot write checkpoint to /x/ck: read-only file
 * system`. `action` is what was being done ("write checkpoint to", "read"). Errors that are not
 * system errors are returned unchanged (they are bugs, not the environment).
 */
export function fsFailure(action: string, target: string, e: unknown): unknown {
  if (e instanceof RunError || errnoCode(e) === undefined) return e;
  return new RunError(`cannot ${action} ${target}: ${describeFsError(e, target)}`);
}

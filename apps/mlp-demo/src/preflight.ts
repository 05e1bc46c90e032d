import { dirname, join, resolve } from "node:path";
import { RunError } from "./errors.js";
import { errnoCode, type FsEnv, nodeEnv, uniqueSuffix } from "./fs-env.js";
import { fsFailure } from "./fs-errors.js";

/**
 * Checks, before any training, that files can be created in `dir` (or in the directory that would
 * be created there): walks up to the nearest existing ancestor, which must be a directory, and
 * creates and removes a probe directory in it. Nothing is left behind, and `dir` is not created.
 *
 * @throws RunError `cannot <action> <target>: <reason>`, e.g. `cannot write report to /x/out:
 *   read-only file system` or `... : /x is a file, not a directory`.
 */
export function checkWritableDir(dir: string, action: string, target: string, env: FsEnv = nodeEnv): void {
  let p = resolve(dir);
  const stat = (q: string) => {
    try {
      return env.fs.statSync(q, { throwIfNoEntry: false });
    } catch (e) {
      if (errnoCode(e) === "ENOTDIR") return undefined; // a parent is a file: found further up
      throw fsFailure(action, target, e);
    }
  };
  for (;;) {
    const st = stat(p);
    if (st !== undefined) {
      if (!st.isDirectory())
        throw new RunError(`cannot ${action} ${target}: ${p} is a file, not a directory`);
      break;
    }
    if (dirname(p) === p) break;
    p = dirname(p);
  }
  const probe = join(p, `.descent-write-check-${uniqueSuffix(env)}`);
  try {
    env.fs.mkdirSync(probe);
    env.fs.rmdirSync(probe);
  } catch (e) {
    throw fsFailure(action, target, e);
  }
}

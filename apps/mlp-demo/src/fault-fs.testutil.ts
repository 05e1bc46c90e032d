import * as fs from "node:fs";
import type { FsEnv, FsOps } from "./fs-env.js";

/** The process "died" here: this call and every later one of the same process fail. */
export class Crash extends Error {
  override name = "Crash";
}

export interface FaultPlan {
  /** Index of the call at which the process dies (the call does not happen). */
  readonly crashAt?: number;
  /** Index of a call that fails with `failCode` (the process lives on). */
  readonly failAt?: number;
  readonly failCode?: string;
}

export interface CallRecord {
  readonly name: string;
  readonly args: readonly unknown[];
  readonly ok: boolean;
}

const NAMES = [
  "closeSync",
  "fsyncSync",
  "linkSync",
  "lstatSync",
  "mkdirSync",
  "openSync",
  "readdirSync",
  "readFileSync",
  "renameSync",
  "rmSync",
  "rmdirSync",
  "statSync",
  "unlinkSync",
  "writeSync",
] as const satisfies readonly (keyof FsOps)[];

/**
 * A process for crash tests: the real file system behind a wrapper that counts every call and
 * dies or fails at the planned one. `live` is the set of running process ids (a crashed
 * process's id should be removed from it, as the kernel would).
 */
export function faultyProcess(
  pid: number,
  plan: FaultPlan,
  live: Set<number>,
): FsEnv & { readonly calls: CallRecord[]; crashed: boolean } {
  const calls: CallRecord[] = [];
  const ops: Record<string, unknown> = {};
  const env = {
    fs: ops as unknown as FsOps,
    pid,
    alive: (p: number) => live.has(p),
    now: () => Date.now(),
    sleep: () => {},
    calls,
    crashed: false,
  };
  for (const name of NAMES) {
    const real = (fs as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    ops[name] = (...args: unknown[]) => {
      const i = calls.length;
      if (env.crashed || i === plan.crashAt) {
        env.crashed = true;
        calls.push({ name, args, ok: false });
        throw new Crash(`crashed at call ${i} (${name})`);
      }
      if (i === plan.failAt) {
        calls.push({ name, args, ok: false });
        const e = new Error(`${plan.failCode ?? "EIO"}: injected failure, ${name}`) as NodeJS.ErrnoException;
        e.code = plan.failCode ?? "EIO";
        throw e;
      }
      try {
        const out = real.apply(fs, args);
        calls.push({ name, args, ok: true });
        return out;
      } catch (e) {
        calls.push({ name, args, ok: false });
        throw e;
      }
    };
  }
  return env;
}

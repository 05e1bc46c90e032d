import * as fs from "node:fs";

/** The file-system calls the demo's writers make; tests pass a wrapper that fails or "crashes" on cue. */
export type FsOps = Pick<
  typeof fs,
  | "closeSync"
  | "fsyncSync"
  | "linkSync"
  | "lstatSync"
  | "mkdirSync"
  | "openSync"
  | "readdirSync"
  | "readFileSync"
  | "renameSync"
  | "rmSync"
  | "rmdirSync"
  | "statSync"
  | "unlinkSync"
  | "writeSync"
>;

/** What the writers need from the process: file system, identity, clock and a way to wait. */
export interface FsEnv {
  readonly fs: FsOps;
  /** This process's id, written into temporary names and lock files. */
  readonly pid: number;
  /** Whether a process with this id is running (used to tell stale temporaries and locks). */
  alive(pid: number): boolean;
  /** Wall-clock milliseconds (lock ages). */
  now(): number;
  /** Blocks for `ms` milliseconds (waiting for a lock). */
  sleep(ms: number): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The real process. */
export const nodeEnv: FsEnv = {
  fs,
  pid: process.pid,
  alive: processAlive,
  now: () => Date.now(),
  sleep: (ms) => void Atomics.wait(sleeper, 0, 0, ms),
};

/** `code` of a Node.js system error, or undefined for anything else. */
export function errnoCode(e: unknown): string | undefined {
  const code = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** Whether `path` exists (without following a final symbolic link); other errors are thrown. */
export function exists(env: FsEnv, path: string): boolean {
  return env.fs.lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** A random suffix for temporary names: unique per call, also across processes. */
export function uniqueSuffix(env: FsEnv): string {
  return `${env.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { helpText, parseArgs } from "./args.js";
import { runCompare } from "./compare.js";
import { resolveConfig } from "./config.js";
import { RunError, UsageError } from "./errors.js";
import { errnoCode } from "./fs-env.js";
import { describeFsError, errnoWords } from "./fs-errors.js";
import type { Io } from "./progress.js";
import { runTrain } from "./train-command.js";

/**
 * The CLI: parses `argv` (without `node` and the script), runs the command, and returns the exit
 * code: 0 done, 1 the run failed (bad checkpoint, non-finite loss), 2 bad command line. Everything
 * is written through `io`, so tests call this in-process.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.out(helpText(args, Math.max(80, io.columns)));
      return 0;
    }
    const cfg = resolveConfig(args);
    if (args.command === "compare") await runCompare(cfg, io);
    else await runTrain(cfg, args, io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}\n(run with --help for usage)\n`);
      return e.exitCode;
    }
    if (e instanceof RunError) {
      io.err(`error: ${e.message}\n`);
      return e.exitCode;
    }
    // System errors (EACCES, ENOTDIR, ENOSPC...) are the user's environment, not a bug: no stack.
    const code = errnoCode(e);
    if (code !== undefined) {
      const path = (e as NodeJS.ErrnoException).path;
      io.err(`error: ${path ? `${path}: ${describeFsError(e, path)}` : errnoWords(code)}\n`);
      return 1;
    }
    io.err(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

/** The real terminal: results on stdout, the live progress bar on stderr. */
export function processIo(): Io {
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    isTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns ?? 100,
    now: () => performance.now(),
  };
}

function isEntryPoint(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A reader that stops early (`descent-demo --json | head -1`) closes the pipe: stop quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  }
  main(process.argv.slice(2), processIo()).then((code) => {
    process.exitCode = code;
  });
}

/**
 * Errors the CLI turns into a message and an exit code instead of a stack trace.
 *
 * - `UsageError` (exit 2): the command line is wrong (unknown command, option or choice, bad number).
 * - `RunError` (exit 1): the run itself failed (missing or corrupt checkpoint, non-finite loss).
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  override name = "UsageError";
}

export class RunError extends Error {
  readonly exitCode = 1;
  override name = "RunError";
}

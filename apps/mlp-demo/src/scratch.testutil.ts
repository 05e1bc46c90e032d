import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * Fresh scratch directories for a test file, on a RAM disk where there is one (crash tests fsync
 * thousands of times), all removed after the file's tests.
 */
export function scratchDirs(prefix: string): () => string {
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(base, prefix));
    made.push(d);
    return d;
  };
}

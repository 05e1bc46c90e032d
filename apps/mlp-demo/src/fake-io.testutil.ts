import type { Io } from "./progress.js";

/** An `Io` that records what is written. `clock: "manual"` starts at 0 and moves only when `t` is set. */
export function fakeIo(
  isTTY = false,
  clock: "manual" | "real" = "manual",
): Io & { stdout: string; stderr: string; t: number } {
  const io = {
    stdout: "",
    stderr: "",
    t: 0,
    isTTY,
    columns: 100,
    out(s: string) {
      io.stdout += s;
    },
    err(s: string) {
      io.stderr += s;
    },
    now() {
      return clock === "real" ? performance.now() : io.t;
    },
  };
  return io;
}

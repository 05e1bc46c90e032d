/**
 * The README's Schedule-Free example runs as written: its code block is extracted, its package
 * import is pointed at the sources, and it must print what its comment promises.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it, vi } from "vitest";

const here = import.meta.dirname;
const dir = mkdtempSync(join(tmpdir(), "descent-optim-schedule-free-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("README Schedule-Free example: after eval() both parameters are within 1e-3 of 0.5", async () => {
  const readme = readFileSync(resolve(here, "../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Schedule-Free and Lookahead"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block).toContain("new ScheduleFreeAdamW(");
  const file = join(dir, "example.ts");
  writeFileSync(file, block!.replace('"@descent/optim"', JSON.stringify(resolve(here, "../index.ts"))));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ file);
    expect(log).toHaveBeenCalledTimes(1);
    const printed = log.mock.calls[0][0] as number[];
    expect(printed).toHaveLength(2);
    for (const x of printed) expect(Math.abs(x - 0.5)).toBeLessThan(1e-3);
  } finally {
    log.mockRestore();
  }
});

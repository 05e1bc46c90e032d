/**
 * The README's weight-averaging example runs as written: its code block is extracted, its package
 * import is pointed at the sources, and it must print what its comment promises.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it, vi } from "vitest";

const here = import.meta.dirname;
const dir = mkdtempSync(join(tmpdir(), "descent-optim-averaging-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("README weight-averaging example: the SWA average beats the last iterate tenfold, live weights restored", async () => {
  const readme = readFileSync(resolve(here, "../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Weight averaging"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block).toContain("new AveragedParams(");
  const file = join(dir, "example.ts");
  writeFileSync(file, block!.replace('"@descent/optim"', JSON.stringify(resolve(here, "../index.ts"))));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ file);
    expect(log.mock.calls).toEqual([[true, true]]);
  } finally {
    log.mockRestore();
  }
});

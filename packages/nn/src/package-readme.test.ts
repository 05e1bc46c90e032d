/**
 * The README's TypeScript example runs as written: its code block is extracted, its package
 * imports are pointed at the sources, and it must reach a low loss and reload its own weights.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it, vi } from "vitest";

const here = import.meta.dirname;
const dir = mkdtempSync(join(tmpdir(), "descent-nn-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("README example trains XOR and round-trips through safetensors", async () => {
  const readme = readFileSync(resolve(here, "../README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const code = block!
    .replace('"@descent/tensor"', JSON.stringify(resolve(here, "../../tensor/src/index.ts")))
    .replace('"@descent/nn"', JSON.stringify(resolve(here, "index.ts")));
  const file = join(dir, "example.ts");
  writeFileSync(file, code);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  await import(/* @vite-ignore */ file);
  const lines = log.mock.calls.map((c) => c.join(" "));
  log.mockRestore();
  const initial = Number(
    lines
      .find((l) => l.startsWith("initial loss"))!
      .split(" ")
      .at(-1),
  );
  const final = Number(
    lines
      .find((l) => l.startsWith("final loss"))!
      .split(" ")
      .at(-1),
  );
  expect(initial).toBeGreaterThan(0.5);
  expect(final).toBeLessThan(0.05);
});

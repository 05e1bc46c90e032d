/**
 * The README's example runs as written (its package imports pointed at the sources) and prints what
 * its comment promises.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import { useBackend } from "./backends.testutil.js";

const here = import.meta.dirname;
const dir = mkdtempSync(join(tmpdir(), "descent-tfjs-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("README example trains a LayersModel with AdamW + OneCycleLR through model.fit", async () => {
  await useBackend("cpu");
  const readme = readFileSync(resolve(here, "../README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  expect(block).toContain('from "@descent/tfjs"');
  const file = join(dir, "example.ts");
  writeFileSync(
    file,
    block
      .replace('"@descent/tfjs"', JSON.stringify(resolve(here, "index.ts")))
      .replace('"@descent/optim"', JSON.stringify(resolve(here, "../../optim/src/index.ts")))
      .replace(
        '"@tensorflow/tfjs"',
        JSON.stringify(createRequire(import.meta.url).resolve("@tensorflow/tfjs")),
      ),
  );
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ file);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toBeGreaterThan(0.9);
  } finally {
    log.mockRestore();
  }
});

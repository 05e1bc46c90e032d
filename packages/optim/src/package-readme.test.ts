/**
 * The README's first example runs as written: its code block is extracted, its package import is
 * pointed at the sources, and the value it prints must be the one its comment promises (≈ 2).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it, vi } from "vitest";

/** How close to the exact least-squares fit w = 2 the example gets in its 200 Adam steps (measured 5.7e-5). */
const FIT_TOL = 1e-4;

const here = import.meta.dirname;
const dir = mkdtempSync(join(tmpdir(), "descent-optim-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("README example fits w·x ≈ y with Adam on a plain object and prints ≈ 2", async () => {
  const readme = readFileSync(resolve(here, "../README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toContain('from "@descent/optim"');
  const file = join(dir, "example.ts");
  writeFileSync(file, block!.replace('"@descent/optim"', JSON.stringify(resolve(here, "index.ts"))));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ file);
    expect(log).toHaveBeenCalledTimes(1);
    const printed = log.mock.calls[0][0] as number;
    expect(Math.abs(printed - 2)).toBeLessThanOrEqual(FIT_TOL);
  } finally {
    log.mockRestore();
  }
});

it("README catalog example prints Adam's hyperparameter keys and the mapped betas", async () => {
  const readme = readFileSync(resolve(here, "../README.md"), "utf8");
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .find((b) => b.includes('optimizerEntry("adam")'));
  expect(block).toBeDefined();
  const file = join(dir, "catalog-example.ts");
  writeFileSync(file, block!.replace('"@descent/optim"', JSON.stringify(resolve(here, "index.ts"))));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ file);
    expect(log.mock.calls).toEqual([
      [["lr", "beta1", "beta2", "eps", "weightDecay", "amsgrad"]],
      [[0.8, 0.999]],
    ]);
  } finally {
    log.mockRestore();
  }
});

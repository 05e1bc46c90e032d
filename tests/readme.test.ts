/**
 * Keeps the top-level README true: every ```ts block in it is run as a module (through vitest, so the
 * workspace packages resolve to their sources), and each `console.log(...); // expected` comment is
 * checked against what the snippet printed.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "..", "README.md"), "utf8");
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const scratch = join(here, ".snippets");

/** `console.log(x); // [[2, 4], [6, 8]]` → the expected text `[[2, 4], [6, 8]]`, in order. */
function expectedOutputs(source: string): string[] {
  return [...source.matchAll(/console\.log\(.*\);\s*\/\/\s*(.+)$/gm)].map((m) => m[1].trim());
}

/** Compares a printed value with the README's comment: exact, or `≈ v` within 1e-3. */
function matches(printed: unknown, expected: string): boolean {
  if (expected.startsWith("≈")) return Math.abs(Number(printed) - Number(expected.slice(1))) < 1e-3;
  return JSON.stringify(printed) === JSON.stringify(JSON.parse(expected));
}

describe("README.md snippets", () => {
  mkdirSync(scratch, { recursive: true });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("has snippets to check", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(3);
  });

  snippets.forEach((source, i) => {
    it(`snippet ${i + 1} runs and prints what the README says`, async () => {
      const file = join(scratch, `snippet-${i + 1}.ts`);
      writeFileSync(file, source);
      const printed: unknown[] = [];
      const spy = vi.spyOn(console, "log").mockImplementation((value: unknown) => {
        printed.push(value);
      });
      try {
        await import(/* @vite-ignore */ file);
      } finally {
        spy.mockRestore();
      }
      const expected = expectedOutputs(source);
      expect(printed).toHaveLength(expected.length);
      expected.forEach((e, k) => {
        expect(matches(printed[k], e), `printed ${JSON.stringify(printed[k])}, README says ${e}`).toBe(true);
      });
    });
  });
});

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

test("the committed wasm/binary.ts matches a fresh compile of asm/*.ts", async () => {
  // @ts-expect-error: a plain-JS build script without type declarations
  const build = await import("../../../../scripts/build-wasm.mjs");
  const fresh: string = await build.freshModuleSource(fileURLToPath(new URL("../..", import.meta.url)));
  const committed = readFileSync(fileURLToPath(new URL("./binary.ts", import.meta.url)), "utf8");
  expect(
    committed === fresh,
    "src/wasm/binary.ts is stale: run `pnpm --filter @descent/optim build:wasm`",
  ).toBe(true);
});

import { defineConfig } from "vitest/config";

/**
 * Checks of the built site (`pnpm --filter @descent/site build` first). Workspace packages are read
 * from their TypeScript sources, as in the rest of the repository.
 */
export default defineConfig({
  resolve: { conditions: ["@descent/source"] },
  ssr: { resolve: { conditions: ["@descent/source"] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});

import { defineConfig } from "vitest/config";

/**
 * One vitest run over every package and app. Tests import workspace packages from their
 * TypeScript sources through the `@descent/source` export condition, so no build is needed first.
 */
export default defineConfig({
  resolve: {
    conditions: ["@descent/source"],
  },
  ssr: {
    resolve: {
      conditions: ["@descent/source"],
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    // One fixed seed for every property test (FC_SEED overrides it).
    setupFiles: ["./tests/fast-check-seed.ts"],
    pool: "threads",
  },
});

import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

/**
 * The lab is a static page. Workspace packages are bundled from their TypeScript sources (the
 * `@descent/source` export condition), so `pnpm dev` needs no build of the packages first. The training
 * worker is inlined into the bundle (`?worker&inline`), so once the page has loaded it needs no network.
 *
 * `LAB_CATALOG=wide` builds the page with a catalog of twenty rules instead of the package's (the
 * browser tests use it to check that nothing in the lab lists rules by hand, and that the views stay
 * readable with many rules).
 */
const wide = process.env["LAB_CATALOG"] === "wide";
const catalogAlias = wide
  ? [
      {
        find: /^\.\/catalog-source\.js$/,
        replacement: fileURLToPath(new URL("./browser-test/wide-catalog.ts", import.meta.url)),
      },
    ]
  : [];

export default defineConfig({
  base: "./",
  resolve: { conditions: ["@descent/source", ...defaultClientConditions], alias: catalogAlias },
  worker: { format: "es" },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, assetsInlineLimit: 0 },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});

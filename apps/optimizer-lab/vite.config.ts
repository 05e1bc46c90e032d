import { defaultClientConditions, defineConfig } from "vite";

/**
 * The lab is a static page. Workspace packages are bundled from their TypeScript sources (the
 * `@descent/source` export condition), so `pnpm dev` needs no build of the packages first. The training
 * worker is inlined into the bundle (`?worker&inline`), so once the page has loaded it needs no network.
 */
export default defineConfig({
  base: "./",
  resolve: { conditions: ["@descent/source", ...defaultClientConditions] },
  worker: { format: "es" },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, assetsInlineLimit: 0 },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});

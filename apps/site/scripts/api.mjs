#!/usr/bin/env node
/**
 * Generates the API reference into `api/` as Markdown pages (typedoc-plugin-markdown, with
 * typedoc-vitepress-theme writing the sidebar to `api/typedoc-sidebar.json`), from the repository's
 * TypeDoc configuration (`typedoc.json`: the TSDoc of tensor, optim and nn). The pages are built
 * output, not sources: they are not committed. Exits non-zero when TypeDoc fails.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const site = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(site, "..", "..");
const out = join(site, "api");
const require = createRequire(import.meta.url);
const typedoc = join(dirname(require.resolve("typedoc/package.json")), "bin", "typedoc");

rmSync(out, { recursive: true, force: true });
const start = Date.now();
const run = spawnSync(
  process.execPath,
  [
    typedoc,
    "--options",
    join(root, "typedoc.json"),
    "--plugin",
    "typedoc-plugin-markdown",
    "--plugin",
    "typedoc-vitepress-theme",
    "--out",
    out,
    "--docsRoot",
    site,
    "--readme",
    "none",
    "--entryFileName",
    "index",
    "--hidePageHeader",
    "--useHTMLAnchors",
    "--outputFileStrategy",
    "modules",
    "--skipErrorChecking",
    "--logLevel",
    "Warn",
  ],
  { cwd: root, stdio: "inherit" },
);
if (run.status !== 0) {
  console.error(`API reference: TypeDoc exited with ${run.status ?? run.signal}`);
  process.exit(1);
}

// typedoc-plugin-markdown 4.14 links a constant such as LARS_CATALOG_LR to `#lars-catalog-lr` but
// names its HTML anchor `lars_catalog_lr`: point such same-page links at the anchor that exists.
function markdownFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? markdownFiles(path) : path.endsWith(".md") ? [path] : [];
  });
}
for (const file of markdownFiles(out)) {
  const text = readFileSync(file, "utf8");
  const ids = new Set([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
  const fixed = text.replace(/\]\(#([a-z0-9-]+)\)/g, (link, slug) => {
    const underscored = slug.replace(/-/g, "_");
    return ids.has(slug) || !ids.has(underscored) ? link : `](#${underscored})`;
  });
  if (fixed !== text) writeFileSync(file, fixed);
}
console.log(`API reference generated in ${((Date.now() - start) / 1000).toFixed(1)} s`);

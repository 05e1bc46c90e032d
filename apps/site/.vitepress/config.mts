import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import katex from "@vscode/markdown-it-katex";
import { type DefaultTheme, defineConfig } from "vitepress";

/**
 * The Descent documentation site. Math is rendered to KaTeX HTML while the site builds (no math
 * script runs in the reader's browser); search is VitePress's local index; the fonts (Inter, KaTeX)
 * are bundled, so a built page requests nothing outside its own origin. Workspace packages are
 * bundled from their TypeScript sources (the `@descent/source` export condition), so the figures run
 * the same `@descent/optim` code as the tests, with no package build first.
 */

/**
 * Heading anchors as GitHub writes them (lower case, punctuation dropped, spaces to hyphens), so
 * that the links between sections of the packages' READMEs, which the API reference includes, work
 * here as they do on GitHub.
 */
function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

const apiSidebarFile = fileURLToPath(new URL("../api/typedoc-sidebar.json", import.meta.url));
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile)
  ? JSON.parse(readFileSync(apiSidebarFile, "utf8"))
  : [];

// @vscode/markdown-it-katex is CommonJS: under Node's ESM loader its function is `default.default`.
const katexPlugin = (katex as unknown as { default?: typeof katex }).default ?? katex;

export default defineConfig({
  title: "Descent",
  description:
    "Gradient-based learning in TypeScript: autograd, PyTorch-exact optimizers, and a guide from SGD to Adam.",
  lang: "en-US",
  base: process.env["SITE_BASE"] ?? "/",
  cleanUrls: false,
  lastUpdated: false,
  // Dead internal links fail the build (VitePress's default; kept on deliberately).
  ignoreDeadLinks: false,
  srcExclude: ["README.md", "test/**", "scripts/**"],
  markdown: {
    anchor: { slugify: githubSlug },
    config(md) {
      md.use(katexPlugin, { throwOnError: true });
    },
  },
  vite: {
    resolve: { conditions: ["@descent/source"] },
    ssr: { noExternal: [/^@descent\//], resolve: { conditions: ["@descent/source"] } },
    server: { host: "127.0.0.1" },
  },
  themeConfig: {
    nav: [
      { text: "Guide", link: "/guide/getting-started" },
      { text: "From SGD to Adam", link: "/guide/sgd-to-adam" },
      { text: "API", link: "/api/" },
      { text: "Performance", link: "/performance" },
      { text: "Lab", link: "/lab" },
    ],
    sidebar: {
      "/guide/": [
        {
          text: "Guides",
          items: [
            { text: "Getting started", link: "/guide/getting-started" },
            { text: "From SGD to Adam, and beyond", link: "/guide/sgd-to-adam" },
            { text: "Every rule in the catalog", link: "/guide/catalog" },
          ],
        },
        {
          text: "More",
          items: [
            { text: "Performance", link: "/performance" },
            { text: "The optimizer lab", link: "/lab" },
          ],
        },
      ],
      "/api/": [{ text: "API reference", link: "/api/", items: apiSidebar }],
    },
    search: { provider: "local" },
    outline: { level: [2, 3] },
    footer: { message: "Released under the MIT License." },
  },
});

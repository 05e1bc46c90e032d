#!/usr/bin/env node
/**
 * Bundles a package's runtime into one ES module, `dist/index.js` (with `dist/index.js.map`, whose
 * sources are the package's `src/*.ts`), so that importing the package loads one module instead of
 * dozens. `tsc -b` writes only the declarations (`emitDeclarationOnly`); this writes all of the
 * JavaScript. Dependencies and peer dependencies stay `import`s (one `Tensor` class per process).
 * Fails if the bundle imports anything else, `node:` built-ins included: the packages run in browsers.
 *
 *   node scripts/bundle.mjs [--quiet] [packageDir ...]   (default: every package under packages/)
 *
 * `--quiet` prints nothing on success (for `pnpm demo` and `pnpm bench`, whose output is theirs).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const quiet = process.argv.includes("--quiet");
const args = process.argv.slice(2).filter((a) => a !== "--quiet");
const dirs = args.length
  ? args.map((d) => resolve(d))
  : readdirSync(join(root, "packages")).map((d) => join(root, "packages", d));

for (const dir of dirs) {
  const entry = join(dir, "src", "index.ts");
  if (!existsSync(entry)) continue;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  const dist = join(dir, "dist");
  // JavaScript left by an older tsc emit would be shipped, unused: the bundle is the only runtime file.
  for (const f of existsSync(dist) ? readdirSync(dist, { recursive: true }) : []) {
    if (/\.js(\.map)?$/.test(f) && !/^index\.js(\.map)?$/.test(f)) rmSync(join(dist, f));
  }
  const result = await build({
    absWorkingDir: dir, // paths in the bundle's comments are relative to the package
    entryPoints: [entry],
    outfile: join(dist, "index.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    tsconfig: join(dir, "tsconfig.json"),
    external,
    sourcemap: "linked",
    sourcesContent: false, // src/ ships in the tarball; the map points at it
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const stray = imports.filter((p) => !external.includes(p));
  if (stray.length) {
    throw new Error(
      `${pkg.name}: the bundle imports ${stray.join(", ")}; allowed: ${external.join(", ") || "none"}`,
    );
  }
  const bytes = statSync(join(dist, "index.js")).size;
  const inputs = Object.keys(result.metafile.inputs).length;
  if (!quiet)
    console.log(
      `${pkg.name}: ${inputs} modules → ${relative(root, join(dist, "index.js"))} (${bytes} bytes)`,
    );
}

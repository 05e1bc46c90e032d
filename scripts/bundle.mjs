#!/usr/bin/env node
/**
 * Bundles a package's runtime into one ES module, `dist/index.js` (with `dist/index.js.map`, whose
 * sources are the package's `src/*.ts`), so that importing the package loads one module instead of
 * dozens. `tsc -b` writes only the declarations (`emitDeclarationOnly`); this writes all of the
 * JavaScript. Dependencies and peer dependencies stay `import`s (one `Tensor` class per process).
 * Fails if the bundle imports anything else, `node:` built-ins included: the packages run in browsers.
 *
 * A package with more entry points in its `exports` (e.g. `@descent/optim/testing`: source
 * `./src/testing/index.ts`, output `./dist/testing.js`) gets one module per entry. A secondary entry
 * reaches the rest of the package only through the main entry (`src/index.ts`), which stays an
 * `import` of `./index.js`: one copy of every class, however many entries are loaded. Fails if a
 * secondary entry's bundle would contain package code from outside its own folder.
 *
 *   node scripts/bundle.mjs [--quiet] [packageDir ...]   (default: every package under packages/)
 *
 * `--quiet` prints nothing on success (for `pnpm demo` and `pnpm bench`, whose output is theirs).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const quiet = process.argv.includes("--quiet");
const args = process.argv.slice(2).filter((a) => a !== "--quiet");
const dirs = args.length
  ? args.map((d) => resolve(d))
  : readdirSync(join(root, "packages")).map((d) => join(root, "packages", d));

/**
 * The package's entry points: `[source, output]` pairs from the `exports` conditions
 * `@descent/source` and `import`, the main one (`.`) first; `src/index.ts` alone if none.
 */
function entries(dir, pkg) {
  const list = [];
  for (const [key, target] of Object.entries(pkg.exports ?? {})) {
    const source = target?.["@descent/source"];
    const output = target?.import;
    if (typeof source !== "string" || typeof output !== "string") continue;
    const pair = [join(dir, source), join(dir, output)];
    if (key === ".") list.unshift(pair);
    else list.push(pair);
  }
  return list.length ? list : [[join(dir, "src", "index.ts"), join(dir, "dist", "index.js")]];
}

/** Makes imports of the main entry's source from a secondary entry an import of the main output. */
function mainEntryExternal(mainSource, mainOutput, output) {
  return {
    name: "main-entry-external",
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
        if (target !== mainSource) return undefined;
        let path = relative(dirname(output), mainOutput).replaceAll("\\", "/");
        if (!path.startsWith(".")) path = `./${path}`;
        return { path, external: true };
      });
    },
  };
}

for (const dir of dirs) {
  if (!existsSync(join(dir, "src", "index.ts"))) continue;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  const dist = join(dir, "dist");
  const points = entries(dir, pkg);
  const outputs = new Set(points.flatMap(([, out]) => [out, `${out}.map`]));
  // JavaScript left by an older tsc emit would be shipped, unused: the bundles are the only runtime files.
  for (const f of existsSync(dist) ? readdirSync(dist, { recursive: true }) : []) {
    if (/\.js(\.map)?$/.test(f) && !outputs.has(join(dist, f))) rmSync(join(dist, f));
  }
  const [mainSource, mainOutput] = points[0];
  for (const [source, output] of points) {
    const secondary = source !== mainSource;
    const result = await build({
      absWorkingDir: dir, // paths in the bundle's comments are relative to the package
      entryPoints: [source],
      outfile: output,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      tsconfig: join(dir, "tsconfig.json"),
      external,
      plugins: secondary ? [mainEntryExternal(mainSource, mainOutput, output)] : [],
      sourcemap: "linked",
      sourcesContent: false, // src/ ships in the tarball; the map points at it
      legalComments: "none",
      metafile: true,
      logLevel: "warning",
    });
    const ownImport = secondary ? relative(dirname(output), mainOutput).replaceAll("\\", "/") : undefined;
    const allowed = (p) =>
      external.includes(p) || (ownImport !== undefined && p.replace(/^\.\//, "") === ownImport);
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    const stray = imports.filter((p) => !allowed(p));
    if (stray.length) {
      throw new Error(
        `${pkg.name}: the bundle ${relative(dir, output)} imports ${stray.join(", ")}; allowed: ${[...external, ...(ownImport ? [ownImport] : [])].join(", ") || "none"}`,
      );
    }
    if (secondary) {
      const folder = relative(dir, dirname(source));
      const outside = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith(`${folder}/`));
      if (outside.length) {
        throw new Error(
          `${pkg.name}: ${relative(dir, source)} bundles ${outside.join(", ")}; a secondary entry must import the rest of the package from ${relative(dir, mainSource)}`,
        );
      }
    }
    const bytes = statSync(output).size;
    const inputs = Object.keys(result.metafile.inputs).length;
    if (!quiet) console.log(`${pkg.name}: ${inputs} modules → ${relative(root, output)} (${bytes} bytes)`);
  }
}

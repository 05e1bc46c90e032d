#!/usr/bin/env node
/**
 * Release test: the whole changesets release flow against a real local registry.
 *
 *  1. copies the repository (tracked and untracked-but-not-ignored files) to a throwaway folder;
 *  2. starts Verdaccio on 127.0.0.1 with throwaway storage and no uplinks;
 *  3. in the copy: adds a changeset, runs `changeset version`, builds, and `changeset publish`es;
 *  4. in fresh folders outside any workspace, as a user would:
 *     - installs `@descent/optim` alone and checks that `@descent/tensor` was not pulled in;
 *     - installs `@descent/tensor @descent/nn @descent/optim` and runs a short training script with
 *       ESM `import` and with CommonJS `require`, and the conformance kit from `@descent/optim/testing`;
 *     - publishes `@tensorflow/tfjs` and its dependencies from this machine's pnpm store (the registry
 *       has no uplinks), installs `@descent/tfjs` next to `@tensorflow/tfjs`, and trains a
 *       `tf.LayersModel` with `model.fit` through `DescentOptimizer`;
 *     - checks that `workspace:` ranges were rewritten to real versions;
 *     - runs `publint` and `attw --profile esm-only` on each published tarball;
 *  5. stops Verdaccio by PID and removes the throwaway folders.
 *
 * The work tree is left as it was: the script checks `git status` before and after.
 * Exit code 0 on success; it prints `N passed, N failed` as its last line.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(repo, "node_modules", ".bin", name);
const publicPackages = ["tensor", "optim", "nn", "tfjs"];
const keep = process.argv.includes("--keep");

let passed = 0;
let failed = 0;
/** Records one named check; a failure is printed and counted, and the run goes on. */
function check(name, ok, detail = "") {
  if (ok) {
    passed++;
    console.log(`  ok   ${name}`);
  } else {
    failed++;
    console.log(`  FAIL ${name}${detail ? `\n       ${detail.replaceAll("\n", "\n       ")}` : ""}`);
  }
}

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
}

/** Runs a command and returns `{ ok, out }` instead of throwing. */
function tryRun(cmd, args, options = {}) {
  try {
    return { ok: true, out: run(cmd, args, options) };
  } catch (error) {
    return { ok: false, out: `${error.stdout ?? ""}${error.stderr ?? ""}`.trim() || error.message };
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForRegistry(url, child, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited early with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/-/ping`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Verdaccio did not answer at ${url} within ${seconds} s`);
}

/** Creates a registry user through the CouchDB-style endpoint npm uses and returns its token. */
async function createUser(url) {
  const name = "descent-release-test";
  const response = await fetch(`${url}/-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "release-test-password", email: "release@test.invalid" }),
  });
  const body = await response.json();
  if (!response.ok || !body.token)
    throw new Error(`could not create a registry user: ${JSON.stringify(body)}`);
  return body.token;
}

const gitStatus = () => run("git", ["status", "--porcelain"], { cwd: repo });

async function main() {
  const statusBefore = gitStatus();
  const root = mkdtempSync(join(tmpdir(), "descent-release-"));
  const copy = join(root, "repo");
  const storage = join(root, "storage");
  const port = await freePort();
  const registry = `http://127.0.0.1:${port}`;
  let verdaccio;
  console.log(`release test in ${root}, registry ${registry}`);

  try {
    // 1. A throwaway copy of the repository as it is in the work tree.
    const files = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repo })
      .split("\0")
      .filter(Boolean);
    for (const file of files) {
      try {
        cpSync(join(repo, file), join(copy, file), { recursive: false });
      } catch (error) {
        if (error.code !== "ENOENT") throw error; // a tracked file deleted in the work tree
      }
    }
    run("git", ["init", "-q"], { cwd: copy });
    run("git", ["add", "-A"], { cwd: copy });
    run(
      "git",
      ["-c", "user.name=release-test", "-c", "user.email=rt@test.invalid", "commit", "-qm", "snapshot"],
      { cwd: copy },
    );

    // 2. Verdaccio with throwaway storage, no uplinks, on loopback.
    mkdirSync(storage, { recursive: true });
    const config = join(root, "verdaccio.yaml");
    writeFileSync(
      config,
      [
        `storage: ${storage}`,
        "auth:",
        "  htpasswd:",
        `    file: ${join(root, "htpasswd")}`,
        "    max_users: 10",
        "uplinks: {}",
        "max_body_size: 1000mb", // @tensorflow/tfjs's tarball is tens of megabytes
        "packages:",
        "  '@descent/*':",
        "    access: $all",
        "    publish: $authenticated",
        "  '**':",
        "    access: $all",
        "    publish: $authenticated",
        "web:",
        "  enable: false",
        "log: { type: stdout, format: pretty, level: warn }",
        "",
      ].join("\n"),
    );
    verdaccio = spawn(bin("verdaccio"), ["--config", config, "--listen", `127.0.0.1:${port}`], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: false,
    });
    let verdaccioLog = "";
    verdaccio.stdout.on("data", (d) => (verdaccioLog += d));
    verdaccio.stderr.on("data", (d) => (verdaccioLog += d));
    await waitForRegistry(registry, verdaccio).catch((error) => {
      throw new Error(`${error.message}\n${verdaccioLog}`);
    });
    const token = await createUser(registry);
    const npmrc = join(root, "npmrc");
    writeFileSync(
      npmrc,
      `registry=${registry}/\n//127.0.0.1:${port}/:_authToken=${token}\naudit=false\nfund=false\nupdate-notifier=false\n`,
    );
    const env = {
      ...process.env,
      npm_config_userconfig: npmrc,
      npm_config_registry: `${registry}/`,
      NPM_CONFIG_USERCONFIG: npmrc,
      NPM_CONFIG_REGISTRY: `${registry}/`,
      CI: "true",
    };

    // 3. Version with changesets, build, publish.
    run(
      "pnpm",
      ["install", "--frozen-lockfile", "--offline", "--config.registry=https://registry.npmjs.org/"],
      {
        cwd: copy,
        env: { ...process.env, CI: "true" },
      },
    );
    writeFileSync(
      join(copy, ".changeset", "release-test.md"),
      `---\n${publicPackages.map((p) => `"@descent/${p}": minor`).join("\n")}\n---\n\nRelease test.\n`,
    );
    run(bin("changeset"), ["version"], { cwd: copy, env });
    const versions = Object.fromEntries(
      publicPackages.map((p) => [
        p,
        JSON.parse(readFileSync(join(copy, "packages", p, "package.json"), "utf8")).version,
      ]),
    );
    check(
      "changeset version bumped every public package",
      Object.values(versions).every((v) => v !== "0.0.0"),
      JSON.stringify(versions),
    );
    // Private workspace packages (the apps, the benchmarks) depend on the public ones but are never
    // versioned or given a changelog (changesets' privatePackages: { version: false }).
    for (const dir of ["apps/mlp-demo", "apps/optimizer-lab", "bench"]) {
      const manifest = JSON.parse(readFileSync(join(copy, dir, "package.json"), "utf8"));
      check(
        `changeset version left the private package ${dir} alone`,
        manifest.version === "0.0.0" && !existsSync(join(copy, dir, "CHANGELOG.md")),
        `version ${manifest.version}`,
      );
    }
    const changelog = tryRun("cat", [join(copy, "packages", "optim", "CHANGELOG.md")]);
    check("changeset version wrote a CHANGELOG", changelog.ok && changelog.out.includes("Release test."));
    run("pnpm", ["turbo", "run", "build", "--filter=./packages/*"], { cwd: copy, env });
    const published = tryRun(bin("changeset"), ["publish"], { cwd: copy, env });
    check("changeset publish succeeded", published.ok, published.out.slice(-3000));
    for (const p of publicPackages) {
      const view = tryRun("npm", ["view", `@descent/${p}`, "version"], { cwd: root, env });
      check(
        `@descent/${p}@${versions[p]} is on the registry`,
        view.ok && view.out.trim() === versions[p],
        view.out,
      );
    }

    // 4a. @descent/optim alone does not pull in @descent/tensor.
    const alone = join(root, "optim-alone");
    mkdirSync(alone);
    writeFileSync(join(alone, "package.json"), JSON.stringify({ name: "optim-alone", private: true }));
    const installAlone = tryRun("npm", ["install", "@descent/optim"], { cwd: alone, env });
    check("npm install @descent/optim (alone)", installAlone.ok, installAlone.out);
    const lsAlone = tryRun("npm", ["ls", "--all", "--parseable"], { cwd: alone, env });
    check(
      "@descent/optim alone did not install @descent/tensor",
      lsAlone.ok && lsAlone.out.includes("@descent/optim") && !lsAlone.out.includes("@descent/tensor"),
      lsAlone.out,
    );

    // 4b. All three, used as a user would, from ESM and from CommonJS.
    const user = join(root, "user");
    mkdirSync(user);
    writeFileSync(join(user, "package.json"), JSON.stringify({ name: "descent-user", private: true }));
    const installAll = tryRun("npm", ["install", "@descent/tensor", "@descent/nn", "@descent/optim"], {
      cwd: user,
      env,
    });
    check("npm install @descent/tensor @descent/nn @descent/optim", installAll.ok, installAll.out);
    const nnManifest = JSON.parse(
      readFileSync(join(user, "node_modules", "@descent", "nn", "package.json"), "utf8"),
    );
    const nnRange = nnManifest.dependencies?.["@descent/tensor"] ?? "";
    check(
      "workspace: ranges were rewritten on publish",
      nnRange !== "" && !nnRange.startsWith("workspace:") && nnRange.includes(versions.tensor),
      `@descent/nn depends on @descent/tensor "${nnRange}"`,
    );
    const published_exports = JSON.stringify(nnManifest.exports);
    check(
      "the source-only export condition is not published",
      !published_exports.includes("@descent/source"),
      published_exports,
    );
    for (const p of publicPackages) {
      const packed = tryRun("npm", ["pack", "--dry-run", "--json", `@descent/${p}`], { cwd: root, env });
      const packedFiles = packed.ok ? JSON.parse(packed.out)[0].files.map((f) => f.path) : [];
      check(
        `@descent/${p}'s tarball ships dist and src but no tests or build info`,
        packedFiles.some((f) => f.startsWith("dist/") && f.endsWith(".js")) &&
          packedFiles.some((f) => f.startsWith("dist/") && f.endsWith(".d.ts")) &&
          !packedFiles.some((f) => /\.test\.|testutil|tsbuildinfo|fixtures\//.test(f)),
        packedFiles.filter((f) => /\.test\.|testutil|tsbuildinfo|fixtures\//.test(f)).join(", ") ||
          packed.out,
      );
    }

    for (const [name, source] of Object.entries(userScripts())) {
      writeFileSync(join(user, name), source);
      const result = tryRun("node", [name], { cwd: user });
      check(
        `a user's training script runs (${name})`,
        result.ok && result.out.includes("loss fell"),
        result.out,
      );
    }

    // 4c. The conformance kit, from the installed @descent/optim's "./testing" entry.
    writeFileSync(join(user, "conformance.mjs"), conformanceScript());
    const kit = tryRun("node", ["conformance.mjs"], { cwd: user });
    check(
      "@descent/optim/testing runs its conformance cases from an installed package",
      kit.ok && /conformance: \d+ cases passed/.test(kit.out),
      kit.out,
    );

    // 4d. @descent/tfjs next to @tensorflow/tfjs, which comes from this machine's pnpm store.
    const closure = tfjsClosure(join(repo, "packages", "tfjs", "node_modules", "@tensorflow", "tfjs"));
    const failures = await publishDirectories(closure, env);
    check(
      `@tensorflow/tfjs and its dependencies (${closure.length} packages) published from the pnpm store`,
      failures.length === 0,
      failures.join("\n").slice(-3000),
    );
    const tfUser = join(root, "tfjs-user");
    mkdirSync(tfUser);
    writeFileSync(join(tfUser, "package.json"), JSON.stringify({ name: "tfjs-user", private: true }));
    const installTf = tryRun("npm", ["install", "@descent/tfjs", "@tensorflow/tfjs"], { cwd: tfUser, env });
    check("npm install @descent/tfjs @tensorflow/tfjs", installTf.ok, installTf.out.slice(-3000));
    const lsTf = tryRun("npm", ["ls", "--all", "--parseable"], { cwd: tfUser, env });
    const cores = lsTf.out.split("\n").filter((l) => /node_modules[\\/]@tensorflow[\\/]tfjs-core$/.test(l));
    check(
      "one @tensorflow/tfjs-core (the peer of @descent/tfjs is TF.js's own), no @descent/tensor",
      lsTf.ok && cores.length === 1 && !lsTf.out.includes("@descent/tensor"),
      lsTf.out.slice(-3000),
    );
    writeFileSync(join(tfUser, "train.mjs"), tfjsScript());
    const fit = tryRun("node", ["train.mjs"], { cwd: tfUser });
    check(
      "a LayersModel trains with model.fit through DescentOptimizer",
      fit.ok && fit.out.includes("accuracy rose"),
      fit.out,
    );

    // 4e. publint and attw on the published tarballs.
    const tarballs = join(root, "tarballs");
    mkdirSync(tarballs);
    for (const p of publicPackages) {
      const pack = tryRun("npm", ["pack", `@descent/${p}`, "--pack-destination", tarballs], {
        cwd: root,
        env,
      });
      const tgz = join(tarballs, pack.out.trim().split("\n").pop());
      const lint = tryRun(bin("publint"), ["run", tgz, "--strict"], { cwd: root });
      check(`publint @descent/${p}`, lint.ok, lint.out);
      const types = tryRun(bin("attw"), [tgz, "--profile", "esm-only", "--format", "ascii"], { cwd: root });
      check(`attw --profile esm-only @descent/${p}`, types.ok, types.out);
    }
  } finally {
    if (verdaccio && verdaccio.exitCode === null) {
      process.kill(verdaccio.pid, "SIGTERM");
      await new Promise((r) => {
        const timer = setTimeout(() => {
          if (verdaccio.exitCode === null) process.kill(verdaccio.pid, "SIGKILL");
          r();
        }, 5000);
        verdaccio.once("exit", () => {
          clearTimeout(timer);
          r();
        });
      });
    }
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
  check("the work tree is unchanged", gitStatus() === statusBefore);
}

/** Short training scripts a user would write: fit y = 3x − 1 with a Linear layer and Adam. */
function userScripts() {
  const body = (load) => `${load}
const x = tensor([[-1], [-0.5], [0], [0.5], [1]], { dtype: "float64" });
const y = x.mul(3).sub(1);
manualSeed(0);
const model = new Linear(1, 1, { dtype: "float64" });
const opt = new Adam(model.parameters(), { lr: 0.1 });
let first = 0;
let last = 0;
for (let i = 0; i < 200; i++) {
  opt.zeroGrad();
  const loss = mseLoss(model.forward(x), y);
  loss.backward();
  opt.step();
  if (i === 0) first = loss.item();
  last = loss.item();
}
if (!(last < first / 100)) throw new Error("loss did not fall: " + first + " -> " + last);
console.log("loss fell from " + first.toFixed(4) + " to " + last.toExponential(2));
`;
  return {
    "train.mjs": body(
      'import { tensor, manualSeed, mseLoss } from "@descent/tensor";\nimport { Linear } from "@descent/nn";\nimport { Adam } from "@descent/optim";',
    ),
    "train.cjs": body(
      'const { tensor, manualSeed, mseLoss } = require("@descent/tensor");\nconst { Linear } = require("@descent/nn");\nconst { Adam } = require("@descent/optim");',
    ),
  };
}

/** Runs the conformance kit of the installed `@descent/optim/testing` on plain objects. */
function conformanceScript() {
  return `import { conformanceCases, paramEngine } from "@descent/optim/testing";
const engine = paramEngine({
  name: "plain objects",
  dtypes: ["float32", "float64"],
  createParam: (values) => ({ data: values.slice(), grad: null }),
  setGrad: (p, grad) => { p.grad = grad === null ? null : { data: grad.slice() }; },
});
const cases = conformanceCases(engine, { rules: ["adam", "sgd"] });
for (const c of cases) c.run();
console.log("conformance: " + cases.length + " cases passed");
`;
}

/** A user's TF.js training script: a small LayersModel, AdamW + OneCycleLR through model.fit. */
function tfjsScript() {
  return `import * as tf from "@tensorflow/tfjs";
import { OneCycleLR } from "@descent/optim";
import { DescentOptimizer, schedulerCallback } from "@descent/tfjs";

await tf.setBackend("cpu");
const xs = tf.randomUniform([256, 2], -1, 1, "float32", 1);
const ys = tf.oneHot(tf.cast(tf.greater(tf.prod(xs, 1), 0), "int32"), 2);
const init = (seed) => tf.initializers.glorotUniform({ seed });
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 16, inputShape: [2], activation: "tanh", kernelInitializer: init(1) }),
    tf.layers.dense({ units: 2, activation: "softmax", kernelInitializer: init(2) }),
  ],
});
const optimizer = new DescentOptimizer("adamw", { lr: 0.01 }, { variables: model, groups: [{ match: /\\/bias/, weightDecay: 0 }] });
const schedule = new OneCycleLR(optimizer, { maxLr: 0.05, totalSteps: 20 * 8 });
model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
const before = tf.memory().numTensors;
const h = await model.fit(xs, ys, { epochs: 20, batchSize: 32, verbose: 0, callbacks: [schedulerCallback(schedule, "batch")] });
const acc = h.history.acc;
if (!(acc.at(-1) > 0.9)) throw new Error("accuracy " + acc.at(-1));
if (tf.memory().numTensors !== before) throw new Error("fit left " + (tf.memory().numTensors - before) + " tensors");
console.log("accuracy rose from " + acc[0].toFixed(3) + " to " + acc.at(-1).toFixed(3));
`;
}

/**
 * The package directories of `dir`'s package and of everything it depends on (dependencies and
 * non-optional peer dependencies), found as Node finds them from each package's real directory.
 */
function tfjsClosure(dir) {
  const found = new Map();
  const locate = (from, name) => {
    for (let at = from; ; at = dirname(at)) {
      const candidate = join(at, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
      if (dirname(at) === at) throw new Error(`release test: cannot find ${name} from ${from}`);
    }
  };
  const visit = (path) => {
    const manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
    const id = `${manifest.name}@${manifest.version}`;
    if (found.has(id)) return;
    found.set(id, { name: manifest.name, version: manifest.version, path });
    const optional = Object.entries(manifest.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional)
      .map(([name]) => name);
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((n) => !optional.includes(n));
    for (const name of [...Object.keys(manifest.dependencies ?? {}), ...peers]) visit(locate(path, name));
  };
  visit(realpathSync(dir));
  return [...found.values()];
}

/**
 * Publishes each package directory as a tarball (`package/` + its files, made with `tar`: `npm pack`
 * of a 100 MB folder such as @tensorflow/tfjs's fails), four at a time, the versions of one package
 * in ascending order (the last is `latest`). Returns the failures.
 */
async function publishDirectories(packages, env) {
  const byName = new Map();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const numeric = (v) => v.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const older = (a, b) => {
    const [x, y] = [numeric(a.version), numeric(b.version)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    }
    return 0;
  };
  const queue = [...byName.values()].map((versions) => versions.sort(older));
  const staging = mkdtempSync(join(tmpdir(), "descent-release-tarballs-"));
  const failures = [];
  let serial = 0;
  const publish = (p) =>
    new Promise((resolvePublish) => {
      const stage = join(staging, String(++serial));
      const tarball = join(staging, `${serial}.tgz`);
      try {
        cpSync(p.path, join(stage, "package"), { recursive: true, dereference: true });
        run("tar", ["-czf", tarball, "-C", stage, "package"]);
      } catch (error) {
        failures.push(`${p.name}@${p.version}: ${error.message}`);
        resolvePublish();
        return;
      }
      execFile(
        "npm",
        ["publish", tarball, "--ignore-scripts", "--access", "public", "--registry", env.npm_config_registry],
        { env, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) failures.push(`${p.name}@${p.version}: ${`${stdout}${stderr}`.trim().slice(-500)}`);
          rmSync(stage, { recursive: true, force: true });
          rmSync(tarball, { force: true });
          resolvePublish();
        },
      );
    });
  const worker = async () => {
    for (let versions = queue.shift(); versions; versions = queue.shift()) {
      for (const p of versions) await publish(p);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  rmSync(staging, { recursive: true, force: true });
  return failures;
}

const started = Date.now();
main()
  .catch((error) => {
    failed++;
    console.error(`release test aborted: ${error.stack ?? error}`);
  })
  .finally(() => {
    console.log(`release test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 ? 0 : 1;
  });

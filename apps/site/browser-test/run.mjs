#!/usr/bin/env node
/**
 * Browser tests of the built documentation site (`.vitepress/dist`, from `pnpm build`), served on
 * 127.0.0.1 and driven in Debian's headless Chromium through playwright-core: every page renders
 * without console errors, no request leaves the page's origin, each figure's readout changes when a
 * slider moves, search finds an API symbol. Screenshots of the guide at desktop and phone widths go
 * to browser-test/screenshots/. Ends with the line `N passed, N failed`; exits non-zero on a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", ".vitepress", "dist");
const shots = join(here, "screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-dev-shm-usage",
];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const PAGES = [
  "/",
  "/guide/getting-started.html",
  "/guide/sgd-to-adam.html",
  "/guide/catalog.html",
  "/performance.html",
  "/lab.html",
  "/api/",
  "/api/@descent/optim.html",
];

for (const [what, path] of [
  ["build", join(dist, "index.html")],
  ["Chromium", CHROMIUM],
]) {
  if (!existsSync(path)) {
    console.error(`no ${what} at ${path}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
}
mkdirSync(shots, { recursive: true });
const server = await serve(dist);
const profile = mkdtempSync(join(tmpdir(), "site-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ARGS,
  viewport: DESKTOP,
});
const foreign = [];
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (url.startsWith(`${server.origin}/`)) return route.continue();
  foreign.push(url);
  return route.abort();
});

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`  ✓ ${name}`);
  } catch (e) {
    failed++;
    console.log(`  ✗ ${name}: ${e instanceof Error ? e.message : e}`);
  }
}
function assert(ok, message) {
  if (!ok) throw new Error(message);
}
async function open(path, viewport = DESKTOP) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  await page.goto(server.origin + path, { waitUntil: "networkidle" });
  return { page, errors };
}

for (const path of PAGES) {
  await check(`${path} renders without console errors or warnings`, async () => {
    const { page, errors } = await open(path);
    assert((await page.locator("h1, .VPHero").count()) > 0, "no heading");
    assert(errors.length === 0, errors.join("; "));
    await page.close();
  });
}

/** Moves a range input to `value` as a user would (input event), then returns the readout's text. */
async function slide(page, figure, name, value, readout) {
  const root = page.locator(`[data-figure="${figure}"]`);
  const before = await root.locator(`[data-readout="${readout}"]`).textContent();
  await root.locator(`input[name="${name}"]`).fill(String(value));
  await page.waitForTimeout(100);
  const after = await root.locator(`[data-readout="${readout}"]`).textContent();
  return { before, after };
}

await check("figures respond to their sliders", async () => {
  const { page, errors } = await open("/guide/sgd-to-adam.html");
  for (const [figure, name, value, readout] of [
    ["momentum", "momentum", 0, "steps"],
    ["momentum", "lr", 0.1, "loss"],
    ["adagrad", "lr", 2, "loss"],
    ["adam-bias", "beta1", 0, "raw1"],
  ]) {
    const { before, after } = await slide(page, figure, name, value, readout);
    assert(before !== after, `${figure}: ${name} = ${value} left ${readout} at ${before}`);
  }
  // Momentum 0 at lr 0.05 does not reach 1e-3 in 60 steps (plain gradient descent).
  await page.locator('[data-figure="momentum"] input[name="lr"]').fill("0.05");
  await page.waitForTimeout(100);
  const steps = await page.locator('[data-figure="momentum"] [data-readout="steps"]').textContent();
  assert(steps === "more than 60", `momentum 0, lr 0.05: steps readout ${steps}`);
  assert(errors.length === 0, errors.join("; "));
  await page.close();
});

await check("local search finds an API symbol", async () => {
  const { page } = await open("/");
  await page.locator(".VPNavBarSearch button").first().click();
  await page.locator("#localsearch-input").fill("rmspropStep");
  // The index is loaded on first use: wait for the first result.
  await page.waitForSelector(".VPLocalSearchBox .result", { timeout: 20_000 });
  const results = await page.locator(".VPLocalSearchBox .result").allTextContents();
  assert(
    results.some((r) => /rmspropStep/i.test(r)),
    `results: ${results.slice(0, 3).join(" | ") || "none"}`,
  );
  await page.close();
});

for (const [label, viewport] of [
  ["desktop", DESKTOP],
  ["phone", PHONE],
]) {
  await check(`guide at ${label} width: screenshot, no horizontal overflow`, async () => {
    const { page } = await open("/guide/sgd-to-adam.html", viewport);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 1, `page is ${overflow}px wider than the window`);
    const file = join(shots, `sgd-to-adam-${label}.png`);
    await page.screenshot({ path: file, fullPage: false });
    console.log(`    ${file}`);
    await page.close();
  });
}

await check("no request left the page's origin", async () => {
  assert(foreign.length === 0, foreign.join(", "));
});

await context.close();
await server.close();
rmSync(profile, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

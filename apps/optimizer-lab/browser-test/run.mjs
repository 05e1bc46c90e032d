#!/usr/bin/env node
/**
 * Browser tests of the optimizer lab: the built page (`dist/`, from `vite build`) served on 127.0.0.1
 * by a tiny static server, driven in Debian's headless Chromium through playwright-core. Every request
 * the page makes is checked to stay on that origin. Screenshots go to browser-test/screenshots/ (their
 * paths are printed). Ends with the line `N passed, N failed` and exits non-zero on any failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const shots = join(here, "screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage", // containers often have a tiny /dev/shm
];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

if (!existsSync(join(dist, "index.html"))) {
  console.error(`no build at ${dist}: run vite build first`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  console.error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
rmSync(shots, { recursive: true, force: true });
mkdirSync(shots, { recursive: true });

const server = await serve(dist);
const profile = mkdtempSync(join(tmpdir(), "lab-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ARGS,
  viewport: DESKTOP,
  serviceWorkers: "block",
});

/** Requests that left the page's origin (data: and blob: URLs never reach the network). */
const foreign = [];
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (url.startsWith(`${server.origin}/`)) return route.continue();
  foreign.push(url);
  return route.abort();
});
const pageErrors = [];

async function newPage(query = "", viewport = DESKTOP) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("dialog", (d) => {
    pageErrors.push(`unexpected dialog: ${d.message()}`);
    return d.dismiss();
  });
  await page.goto(`${server.origin}/${query}`);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

async function shot(page, name, fullPage = true) {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage });
  console.log(`    screenshot: ${path}`);
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function canvasPixels(page, testId) {
  return page.$eval(`[data-testid="${testId}"]`, (c) => c.toDataURL());
}

async function rows(page, prefix) {
  return page.$$eval(`tr[data-testid^="${prefix}"]`, (trs) =>
    trs.map((tr) =>
      Object.fromEntries(
        Object.entries(tr.dataset).map(([k, v]) => [k, k === "testid" || k === "status" ? v : Number(v)]),
      ),
    ),
  );
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test("race: from a clicked start point every optimizer's trail moves downhill", async () => {
  const page = await newPage();
  const canvas = page.getByTestId("race-canvas");
  const box = await canvas.boundingBox();
  // Rosenbrock's view is x ∈ [−2, 2], y ∈ [−1, 3]: (−1.5, 2) is 1/8 from the left, 1/4 from the top.
  await canvas.click({ position: { x: box.width * 0.125, y: box.height * 0.25 } });
  const start = await rows(page, "race-row-");
  assert(start.length === 5, `expected 5 racers, got ${start.length}`);
  for (const r of start) {
    assert(
      Math.abs(r.x + 1.5) < 0.02 && Math.abs(r.y - 2) < 0.02,
      `${r.testid} did not start at the click: (${r.x}, ${r.y})`,
    );
    assert(r.steps === 0, `${r.testid} has ${r.steps} steps before playing`);
  }
  const before = await canvasPixels(page, "race-canvas");
  await page.getByTestId("race-step").click();
  const one = await rows(page, "race-row-");
  assert(
    one.every((r) => r.steps === 1),
    "Step did not take exactly one step",
  );
  await page.getByTestId("race-play").click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="race-row-sgd"]')?.dataset.steps) >= 150,
    null,
    { timeout: 20000 },
  );
  await page.getByTestId("race-play").click(); // pause
  const end = await rows(page, "race-row-");
  for (const r of end) {
    assert(r.status === "running", `${r.testid} diverged`);
    assert(r.loss < r.startLoss, `${r.testid} did not go downhill: f = ${r.loss} vs start ${r.startLoss}`);
    console.log(
      `    ${r.testid}: f ${r.startLoss.toPrecision(4)} → ${r.loss.toPrecision(4)} in ${r.steps} steps`,
    );
  }
  assert((await canvasPixels(page, "race-canvas")) !== before, "the trails were not drawn");
  const paused = end[0].steps;
  await page.waitForTimeout(200);
  assert((await rows(page, "race-row-"))[0].steps === paused, "Pause did not stop the race");
  const insight = await page.getByTestId("race-insight").textContent();
  assert(/first moment/.test(insight) && /adaptive scale/.test(insight), `no arrows readout: ${insight}`);
  await shot(page, "race-desktop");
  await page.getByTestId("race-reset").click();
  assert(
    (await rows(page, "race-row-")).every((r) => r.steps === 0),
    "Reset did not restart the race",
  );
  await page.close();
});

test("race: every surface draws its contour map and its default racers go downhill", async () => {
  const page = await newPage();
  await page.selectOption('[data-testid="race-speed"]', "10");
  for (const surface of ["beale", "quadratic", "saddle"]) {
    await page.selectOption('[data-testid="race-surface"]', surface);
    const blank = await canvasPixels(page, "race-canvas");
    await page.getByTestId("race-play").click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="race-row-sgd"]')?.dataset.steps) >= 300,
      null,
      { timeout: 20000 },
    );
    await page.getByTestId("race-play").click();
    const r = await rows(page, "race-row-");
    assert(r.length === 5, `${surface}: expected 5 racers`);
    for (const x of r)
      assert(
        x.status === "running" && x.loss < x.startLoss,
        `${surface}: ${x.testid} f ${x.startLoss} → ${x.loss} (${x.status})`,
      );
    console.log(
      `    ${surface}: ${r.map((x) => `${x.testid.slice(9)} ${x.loss.toPrecision(3)}`).join(", ")}`,
    );
    assert((await canvasPixels(page, "race-canvas")) !== blank, `${surface}: trails not drawn`);
    await shot(page, `race-${surface}`, false);
  }
  await page.close();
});

test("network: training in the worker lowers the loss, redraws the boundary, takes a new lr without reset", async () => {
  const page = await newPage("?tab=train");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="train-loss"]')?.dataset.value !== "",
  );
  const initialLoss = Number(await page.getByTestId("train-loss").getAttribute("data-value"));
  const before = await canvasPixels(page, "train-boundary");
  await page.getByTestId("train-play").click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="train-epoch"]')?.dataset.value) >= 40,
    null,
    { timeout: 30000 },
  );
  const mid = Number(await page.getByTestId("train-epoch").getAttribute("data-value"));
  // The page must stay responsive while the worker trains: a click on another tab is handled at once.
  const t0 = Date.now();
  await page.getByTestId("tab-race").click();
  await page.getByTestId("tab-train").click();
  assert(Date.now() - t0 < 2000, "the page was unresponsive while training");
  await page.fill('[data-testid="train-lr"]', "0.001");
  await page.dispatchEvent('[data-testid="train-lr"]', "change");
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="train-lr-now"]')?.dataset.value) === 0.001,
    null,
    { timeout: 10000 },
  );
  const after = Number(await page.getByTestId("train-epoch").getAttribute("data-value"));
  assert(after >= mid, `the lr change reset training (epoch ${mid} → ${after})`);
  await page.waitForTimeout(1500);
  await page.getByTestId("train-play").click(); // pause
  await page.waitForTimeout(300);
  const finalLoss = Number(await page.getByTestId("train-loss").getAttribute("data-value"));
  const epochs = Number(await page.getByTestId("train-epoch").getAttribute("data-value"));
  console.log(
    `    train loss ${initialLoss.toPrecision(4)} → ${finalLoss.toPrecision(4)} after ${epochs} epochs`,
  );
  assert(epochs > after, "training did not continue after the lr change");
  assert(finalLoss < 0.5 * initialLoss, `loss did not fall enough: ${initialLoss} → ${finalLoss}`);
  assert((await canvasPixels(page, "train-boundary")) !== before, "the decision boundary was not redrawn");
  assert(new URL(page.url()).searchParams.get("lr") === "0.001", "the URL did not record the new lr");
  await shot(page, "train-desktop");
  await page.close();
});

test("compare: five optimizers from the same weights, overlaid, reproduced exactly by the shared link", async () => {
  const query = "?tab=compare&ds=moons&hidden=8&epochs=25&seed=7";
  const run = async () => {
    const page = await newPage(query);
    await page.getByTestId("compare-run").click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="compare-status"]')?.textContent?.startsWith("done"),
      null,
      { timeout: 60000 },
    );
    const r = await rows(page, "compare-row-");
    return { page, r };
  };
  const a = await run();
  assert(
    a.r.length === 5 && a.r.every((x) => x.epochs === 25 && Number.isFinite(x.trainLoss)),
    "not all five optimizers trained 25 epochs",
  );
  await shot(a.page, "compare-desktop");
  const b = await run();
  for (let i = 0; i < 5; i++) {
    assert(
      a.r[i].trainLoss === b.r[i].trainLoss,
      `${a.r[i].testid}: the same link gave ${a.r[i].trainLoss} then ${b.r[i].trainLoss}`,
    );
  }
  console.log(
    `    final train losses: ${a.r.map((x) => `${x.testid.slice(12)} ${x.trainLoss.toPrecision(4)}`).join(", ")}`,
  );
  await a.page.close();
  await b.page.close();
});

test("a shared URL restores every setting", async () => {
  const query =
    "?tab=train&s=beale&x=-2.5&y=3&sel=rmsprop&on=sgd,adam&adam.lr=0.02&ds=moons&noise=0.2&n=200&hidden=8,4&act=relu&opt=rmsprop&lr=0.005&alpha=0.9&batch=16&seed=42";
  const page = await newPage(query);
  assert(await page.getByTestId("url-notice").isHidden(), "a valid link showed the notice");
  const val = (id) => page.getByTestId(id).inputValue();
  assert((await val("train-dataset")) === "moons", "data set not restored");
  assert((await val("train-hidden")) === "8,4", "hidden layers not restored");
  assert((await val("train-activation")) === "relu", "activation not restored");
  assert((await val("train-optimizer")) === "rmsprop", "optimizer not restored");
  assert(Number(await val("train-lr")) === 0.005, "lr not restored");
  assert(Number(await val("train-alpha")) === 0.9, "alpha not restored");
  assert(
    Number(await val("train-noise")) === 0.2 && Number(await val("train-points")) === 200,
    "data settings not restored",
  );
  assert(
    Number(await val("train-batch")) === 16 && Number(await val("train-seed")) === 42,
    "batch/seed not restored",
  );
  assert(await page.getByTestId("panel-train").isVisible(), "the tab was not restored");
  await page.getByTestId("tab-race").click();
  assert((await val("race-surface")) === "beale", "surface not restored");
  const r = await rows(page, "race-row-");
  assert(
    r.map((x) => x.testid).join() === "race-row-sgd,race-row-adam",
    `racers not restored: ${r.map((x) => x.testid)}`,
  );
  assert(
    r.every((x) => x.x === -2.5 && x.y === 3),
    "start point not restored",
  );
  assert(Number(await val("race-adam-lr")) === 0.02, "racer lr not restored");
  assert(await page.getByTestId("race-select-rmsprop").isChecked(), "selected racer not restored");
  const url = new URL(page.url());
  for (const [k, v] of new URLSearchParams(query.slice(1))) {
    if (k !== "tab")
      assert(url.searchParams.get(k) === v, `URL lost ${k}=${v} (now ${url.searchParams.get(k)})`);
  }
  await page.close();
});

test("a bad link falls back to defaults with a visible notice, and runs no script", async () => {
  const query = `?hidden=1000000&lr=abc&n=1e9&ds=${encodeURIComponent("<img src=x onerror=alert(1)>")}&act=eval(alert(2))&wat=1`;
  const page = await newPage(`${query}&tab=train`);
  const notice = page.getByTestId("url-notice");
  assert(await notice.isVisible(), "no notice for a bad link");
  const text = await notice.textContent();
  for (const want of ["hidden", "lr", "n=", "ds=", "act=", "wat"])
    assert(text.includes(want), `notice does not mention ${want}: ${text}`);
  assert((await page.getByTestId("train-hidden").inputValue()) === "16,16", "hidden layers not defaulted");
  assert((await page.getByTestId("train-dataset").inputValue()) === "spiral", "data set not defaulted");
  assert((await page.locator("img[src=x]").count()) === 0, "markup from the URL was injected");
  await shot(page, "bad-link-notice", false);
  await page.close();
});

test("offline once loaded, and clean at phone width", async () => {
  const page = await newPage("?tab=train", PHONE);
  await context.setOffline(true);
  try {
    await page.getByTestId("train-play").click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="train-epoch"]')?.dataset.value) >= 5,
      null,
      { timeout: 20000 },
    );
    await page.getByTestId("train-play").click();
  } finally {
    await context.setOffline(false);
  }
  for (const tab of ["train", "race", "compare"]) {
    await page.getByTestId(`tab-${tab}`).click();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `${tab} tab overflows the phone width by ${overflow}px`);
    if (tab === "race") await page.getByTestId("race-play").click();
    if (tab === "race") await page.waitForTimeout(800);
    await shot(page, `${tab}-phone`);
  }
  await page.close();
});

let passed = 0;
let failed = 0;
const t0 = Date.now();
for (const t of tests) {
  const start = Date.now();
  try {
    await t.fn();
    passed++;
    console.log(`  ✓ ${t.name} (${Date.now() - start} ms)`);
  } catch (e) {
    failed++;
    console.log(`  ✗ ${t.name} (${Date.now() - start} ms)\n    ${e instanceof Error ? e.message : e}`);
  }
}
// Checks over the whole session.
for (const [name, ok, detail] of [
  ["no request left 127.0.0.1", foreign.length === 0, foreign.join(", ")],
  ["no uncaught page errors", pageErrors.length === 0, pageErrors.join("; ")],
]) {
  if (ok) {
    passed++;
    console.log(`  ✓ ${name}`);
  } else {
    failed++;
    console.log(`  ✗ ${name}\n    ${detail}`);
  }
}
await context.close();
await server.close();
rmSync(profile, { recursive: true, force: true });
console.log(`browser tests took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

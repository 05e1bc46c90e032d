#!/usr/bin/env node
/**
 * Browser tests of the optimizer lab: the built page (`dist/`, from `vite build`) served on 127.0.0.1
 * by a tiny static server, driven in Debian's headless Chromium through playwright-core. Every request
 * the page makes is checked to stay on that origin. A second build with a catalog of twenty rules
 * (`LAB_CATALOG=wide`, built here into browser-test/.dist-wide/) checks that every view reads its
 * rules from the catalog and stays readable with many. Screenshots go to browser-test/screenshots/
 * (their paths are printed). Ends with the line `N passed, N failed` and exits non-zero on any failure.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const distWide = join(here, ".dist-wide");
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
execFileSync("npx", ["vite", "build", "--logLevel", "warn", "--outDir", distWide], {
  cwd: join(here, ".."),
  env: { ...process.env, LAB_CATALOG: "wide" },
  stdio: "inherit",
});

const server = await serve(dist);
const wideServer = await serve(distWide);
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
  if (url.startsWith(`${server.origin}/`) || url.startsWith(`${wideServer.origin}/`)) return route.continue();
  foreign.push(url);
  return route.abort();
});
const pageErrors = [];

async function newPage(query = "", viewport = DESKTOP, origin = server.origin) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("dialog", (d) => {
    pageErrors.push(`unexpected dialog: ${d.message()}`);
    return d.dismiss();
  });
  await page.goto(`${origin}/${query}`);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

/** Types `value` into a text box and commits it (the page applies a value on `change`). */
async function setText(page, testId, value) {
  await page.fill(`[data-testid="${testId}"]`, value);
  await page.dispatchEvent(`[data-testid="${testId}"]`, "change");
}

/** The page's current query parameters. */
function params(page) {
  return new URL(page.url()).searchParams;
}

/** Waits until the race's first row has taken at least `n` steps. */
async function raceSteps(page, n, timeout = 30000) {
  await page.waitForFunction(
    (k) => Number(document.querySelector('tr[data-testid^="race-row-"]')?.dataset.steps) >= k,
    n,
    { timeout },
  );
}

/** Runs the comparison and waits for it to finish. */
async function runCompare(page, timeout = 120000) {
  await page.getByTestId("compare-run").click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="compare-status"]')?.textContent?.startsWith("done"),
    null,
    { timeout },
  );
}

/** The chart's end labels (CSS px) must be at least a line apart: none overlaps another. */
async function checkLabels(page, testId) {
  const labels = JSON.parse(await page.getByTestId(testId).getAttribute("data-labels"));
  const ys = labels.map((l) => l.y).sort((a, b) => a - b);
  for (let i = 1; i < ys.length; i++)
    assert(ys[i] - ys[i - 1] >= 12.9, `chart labels overlap: ${JSON.stringify(labels)}`);
  return labels;
}

/** The page must not scroll sideways. */
async function checkNoOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `${what} overflows the width by ${overflow}px`);
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
  assert(
    /running average of gradients m/.test(insight) && /step Δp/.test(insight) && /expAvgSq/.test(insight),
    `no arrows readout: ${insight}`,
  );
  const card = page.getByTestId("race-rule");
  assert((await card.locator("h3").textContent()) === "Adam", "the explained rule is not Adam");
  assert(/m̂/.test(await card.locator("pre.update").textContent()), "Adam's update rule is not shown");
  assert(
    (await card.locator("a").getAttribute("href")).startsWith("https://"),
    "Adam's reference link is missing",
  );
  // A rule without momentum: its readout says so and no moment arrow is claimed.
  await page.getByTestId("race-row-adagrad").click();
  const adagrad = await page.getByTestId("race-insight").textContent();
  assert(/keeps none, so no arrow/.test(adagrad) && /sum/.test(adagrad), `Adagrad readout: ${adagrad}`);
  assert(params(page).get("sel") === "adagrad", "the explained rule is not in the URL");
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
  assert(params(page).get("opt.lr") === "0.001", "the URL did not record the new lr");
  await shot(page, "train-desktop");
  await page.close();
});

test("network: any catalog rule with every option; an on/off option restarts, the URL records it", async () => {
  const page = await newPage("?tab=train&ds=moons&hidden=8");
  const options = await page.$$eval('[data-testid="train-optimizer"] option', (os) => os.map((o) => o.value));
  // Every rule of the catalog, the classic ones first (the catalog's order), each once.
  assert(
    options.slice(0, 6).join() === "sgd,momentum,adagrad,rmsprop,adam,adamw" &&
      options.length >= 13 &&
      new Set(options).size === options.length &&
      options.includes("lbfgs"),
    `optimizer choices: ${options}`,
  );
  await page.selectOption('[data-testid="train-optimizer"]', "rmsprop");
  for (const key of ["lr", "alpha", "eps", "momentum", "centered", "weightDecay"]) {
    assert((await page.getByTestId(`train-${key}`).count()) === 1, `RMSprop's ${key} is not exposed`);
  }
  await page.getByTestId("train-play").click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="train-epoch"]')?.dataset.value) >= 10,
    null,
    { timeout: 30000 },
  );
  await page.getByTestId("train-play").click(); // pause
  await setText(page, "train-alpha", "0.95");
  const epoch = () => page.getByTestId("train-epoch").getAttribute("data-value").then(Number);
  assert((await epoch()) >= 10, "a new α restarted training");
  await page.getByTestId("train-centered").check();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="train-epoch"]')?.dataset.value) === 0,
    null,
    { timeout: 10000 },
  );
  const p = params(page);
  assert(
    p.get("opt") === "rmsprop" && p.get("opt.centered") === "true" && p.get("opt.alpha") === "0.95",
    `URL: ${page.url()}`,
  );
  assert(
    (await page.getByTestId("train-about").locator("h3").textContent()) === "RMSprop",
    "no explanation of RMSprop",
  );
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

test("a link from before the catalog restores every setting and is rewritten in the new forms", async () => {
  const query =
    "?tab=train&s=beale&x=-2.5&y=3&sel=rmsprop&on=sgd,adam&adam.lr=0.02&adam.b2=0.99&momentum.mu=0.8&ds=moons&noise=0.2&n=200&hidden=8,4&act=relu&opt=rmsprop&lr=0.005&mu=0.9&alpha=0.9&b1=0.9&b2=0.999&wd=0.01&batch=16&seed=42&c.adam=0.003";
  const page = await newPage(query);
  assert(await page.getByTestId("url-notice").isHidden(), "a valid old link showed the notice");
  const val = (id) => page.getByTestId(id).inputValue();
  assert((await val("train-dataset")) === "moons", "data set not restored");
  assert((await val("train-hidden")) === "8,4", "hidden layers not restored");
  assert((await val("train-activation")) === "relu", "activation not restored");
  assert((await val("train-optimizer")) === "rmsprop", "optimizer not restored");
  assert(Number(await val("train-lr")) === 0.005, "lr not restored");
  assert(Number(await val("train-alpha")) === 0.9, "alpha not restored");
  // The old lab gave RMSprop no momentum: the link's mu=0.9 was for SGD with momentum only.
  assert(Number(await val("train-momentum")) === 0, "an old key was applied to a rule that never used it");
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
  assert(Number(await val("race-adam-beta2")) === 0.99, "racer β₂ not restored");
  assert(
    (await page.getByTestId("race-rule").locator("h3").textContent()) === "RMSprop",
    "explained rule not restored",
  );
  assert(/not racing/.test(await page.getByTestId("race-insight").textContent()), "RMSprop is not racing");
  const p = params(page);
  const want = {
    s: "beale",
    x: "-2.5",
    y: "3",
    sel: "rmsprop",
    on: "sgd,adam",
    "adam.lr": "0.02",
    "adam.beta2": "0.99",
    "momentum.momentum": "0.8",
    opt: "rmsprop",
    "opt.lr": "0.005",
    "opt.alpha": "0.9",
    "opt.momentum": "0",
    batch: "16",
    seed: "42",
    "c.adam.lr": "0.003",
  };
  for (const [k, v] of Object.entries(want)) assert(p.get(k) === v, `URL has ${k}=${p.get(k)}, not ${v}`);
  for (const old of ["lr", "mu", "alpha", "b1", "b2", "wd", "adam.b2", "momentum.mu", "c.adam"]) {
    assert(!p.has(old), `the URL still has the old key ${old}`);
  }
  await page.close();
});

test("race: a chosen rule set and non-lr options live in the URL, and the link reruns the race exactly", async () => {
  const page = await newPage("?s=quadratic");
  await page.getByTestId("race-enable-sgd").uncheck();
  await page.getByTestId("race-enable-adamw").check();
  await page.locator('[data-testid="race-adam-more"] summary').click();
  await setText(page, "race-adam-beta2", "0.95");
  await page.locator('[data-testid="race-rmsprop-more"] summary').click();
  await page.getByTestId("race-rmsprop-centered").check();
  // A value outside the catalog's range is refused, with the range, and changes nothing.
  const before = page.url();
  await setText(page, "race-adam-beta1", "1.5");
  assert(
    (await page.getByTestId("race-adam-beta1").getAttribute("aria-invalid")) === "true",
    "1.5 accepted as β₁",
  );
  const problem = (await page.getByTestId("race-card-adam").locator(".field-problem").allTextContents()).join(
    "",
  );
  assert(/beta1 must be in \[0, 1\)/.test(problem), `no range in the message: ${problem}`);
  assert(page.url() === before, "a refused value changed the URL");
  // The slider moves on the catalog's scale: its far end is the top of the typical range.
  await page.getByTestId("race-adamw-lr-slider").fill("1000");
  assert((await page.getByTestId("race-adamw-lr").inputValue()) === "1", "the lr slider's end is not 1");
  const p = params(page);
  assert(p.get("on") === "momentum,adagrad,rmsprop,adam,adamw", `on=${p.get("on")}`);
  assert(p.get("adam.beta2") === "0.95" && p.get("rmsprop.centered") === "true", `URL: ${page.url()}`);
  assert(p.get("adamw.lr") === "1", `adamw.lr=${p.get("adamw.lr")}`);
  await page.getByTestId("race-play").click();
  await raceSteps(page, 40);
  await page.getByTestId("race-play").click();
  await shot(page, "race-chosen-rules");
  const link = page.url();
  const a = await rows(page, "race-row-");
  assert(a.map((x) => x.testid.slice(9)).join() === "momentum,adagrad,rmsprop,adam,adamw", "wrong racers");
  const again = await newPage(new URL(link).search);
  assert(await again.getByTestId("url-notice").isHidden(), "the page's own link showed the notice");
  assert((await again.getByTestId("race-adam-beta2").inputValue()) === "0.95", "β₂ not restored");
  assert(await again.getByTestId("race-rmsprop-centered").isChecked(), "centered not restored");
  const steps = a[0].steps;
  for (let i = 0; i < steps; i++) await again.getByTestId("race-step").click({ delay: 0 });
  const b = await rows(again, "race-row-");
  for (let i = 0; i < a.length; i++) {
    assert(b[i].steps === a[i].steps, `${a[i].testid}: ${b[i].steps} steps vs ${a[i].steps}`);
    assert(b[i].loss === a[i].loss, `${a[i].testid}: the link gave f = ${b[i].loss}, the page ${a[i].loss}`);
  }
  console.log(
    `    ${a.map((x) => `${x.testid.slice(9)} ${x.loss.toPrecision(3)}`).join(", ")} after ${steps} steps, twice`,
  );
  await page.close();
  await again.close();
});

test("compare: a chosen rule set with non-lr options, legend beside the chart, reproduced by the link", async () => {
  const page = await newPage("?tab=compare&ds=moons&hidden=8&epochs=12&seed=3");
  await page.getByTestId("compare-enable-none").click();
  for (const id of ["sgd", "momentum", "rmsprop", "adam", "adamw"]) {
    await page.getByTestId(`compare-enable-${id}`).check();
  }
  await page.locator('[data-testid="compare-adamw-more"] summary').click();
  await setText(page, "compare-adamw-weightDecay", "0.05");
  await page.locator('[data-testid="compare-momentum-more"] summary').click();
  await page.getByTestId("compare-momentum-nesterov").check();
  const p = params(page);
  assert(p.get("cmp") === "sgd,momentum,rmsprop,adam,adamw", `cmp=${p.get("cmp")}`);
  assert(p.get("c.adamw.weightDecay") === "0.05" && p.get("c.momentum.nesterov") === "true", page.url());
  await runCompare(page);
  const a = await rows(page, "compare-row-");
  assert(
    a.length === 5 && a.every((x) => x.epochs === 12 && x.status === "ok"),
    `rows: ${JSON.stringify(a)}`,
  );
  const legend = await page.$$eval('[data-testid="compare-legend"] li', (li) =>
    li.map((x) => x.dataset.rule),
  );
  assert(legend.join() === "sgd,momentum,rmsprop,adam,adamw", `legend: ${legend}`);
  const labels = await checkLabels(page, "compare-chart");
  assert(labels.length === 5, `expected 5 end labels, got ${labels.length}`);
  // The legend sits beside the chart, not on it.
  const chart = await page.getByTestId("compare-chart").boundingBox();
  const box = await page.getByTestId("compare-legend").boundingBox();
  assert(box.x >= chart.x + chart.width, "the legend overlaps the chart");
  await page.getByTestId("compare-legend").locator('li[data-rule="adam"]').hover();
  await shot(page, "compare-chosen-rules");
  const b = await newPage(new URL(page.url()).search);
  await runCompare(b);
  const rb = await rows(b, "compare-row-");
  for (let i = 0; i < a.length; i++) {
    assert(rb[i].trainLoss === a[i].trainLoss, `${a[i].testid}: ${a[i].trainLoss} then ${rb[i].trainLoss}`);
  }
  console.log(`    ${a.map((x) => `${x.testid.slice(12)} ${x.trainLoss.toPrecision(4)}`).join(", ")}`);
  await page.close();
  await b.close();
});

test("a bad link falls back to defaults with a visible notice, and runs no script", async () => {
  const query = `?hidden=1000000&lr=abc&n=1e9&ds=${encodeURIComponent("<img src=x onerror=alert(1)>")}&act=eval(alert(2))&wat=1&on=sgd,adamm&adam.beta1=1.5&opt=lbfgz`;
  const page = await newPage(`${query}&tab=train`);
  const notice = page.getByTestId("url-notice");
  assert(await notice.isVisible(), "no notice for a bad link");
  const text = await notice.textContent();
  for (const want of [
    "hidden",
    "lr",
    "n=",
    "ds=",
    "act=",
    "wat",
    "(did you mean adam?)",
    "beta1 must be in [0, 1)",
  ])
    assert(text.includes(want), `notice does not mention ${want}: ${text}`);
  assert((await page.getByTestId("train-optimizer").inputValue()) === "adam", "unknown rule not defaulted");
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

test("twenty rules (a wider catalog): every view lists them all and stays readable", async () => {
  const page = await newPage("?s=beale", DESKTOP, wideServer.origin);
  const picks = await page.$$eval('[data-testid^="race-enable-"][type=checkbox]', (b) => b.length);
  assert(picks === 20, `the race offers ${picks} rules`);
  await page.getByTestId("race-enable-all").click();
  await page.selectOption('[data-testid="race-speed"]', "10");
  await page.getByTestId("race-play").click();
  await raceSteps(page, 150);
  await page.getByTestId("race-play").click();
  const r = await rows(page, "race-row-");
  assert(r.length === 20, `${r.length} racers`);
  const failed = r.filter((x) => x.status === "failed").map((x) => x.testid);
  assert(failed.length === 0, `failed racers: ${failed}`);
  // Rules that take several evaluations per step show how many.
  const backtrack = r.find((x) => x.testid === "race-row-backtrack");
  assert(backtrack.evals > backtrack.steps, "no evaluation count for the rule that needs a closure");
  await page.getByTestId("race-row-signum").click();
  assert(
    (await page.getByTestId("race-rule").locator("h3").textContent()) === "Signum (test)",
    "no explanation",
  );
  await shot(page, "wide-race", false);
  await shot(page, "wide-race-full");

  await page.getByTestId("tab-compare").click();
  await setText(page, "compare-epochs", "8");
  await page.getByTestId("compare-enable-all").click();
  await runCompare(page);
  const c = await rows(page, "compare-row-");
  assert(c.length === 20, `${c.length} compared rules`);
  const legend = await page.$$eval('[data-testid="compare-legend"] li', (li) => li.length);
  assert(legend === 20, `${legend} legend entries`);
  await checkLabels(page, "compare-chart");
  await shot(page, "wide-compare");
  await page.getByTestId("tab-train").click();
  const options = await page.$$eval('[data-testid="train-optimizer"] option', (os) => os.length);
  assert(options === 20, `${options} optimizers on the network tab`);
  await page.selectOption('[data-testid="train-optimizer"]', "signum");
  assert(
    (await page.getByTestId("train-direction").inputValue()) === "sign",
    "Signum's choice option missing",
  );
  const p = params(page);
  assert(
    p.get("on").split(",").length === 20 && p.get("cmp").split(",").length === 20,
    "sets not in the URL",
  );
  await page.close();

  const phone = await newPage(`?${p.toString()}`, PHONE, wideServer.origin);
  for (const tab of ["race", "compare", "train"]) {
    await phone.getByTestId(`tab-${tab}`).click();
    await checkNoOverflow(phone, `the ${tab} tab with twenty rules`);
  }
  await phone.close();
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
await wideServer.close();
rmSync(profile, { recursive: true, force: true });
console.log(`browser tests took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

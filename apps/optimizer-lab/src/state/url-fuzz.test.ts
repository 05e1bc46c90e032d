import { checkHyperparameter } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { DATASETS } from "../data/datasets.js";
import { type Catalog, findRule, inCatalogOrder, ruleIds } from "../optimizers/rules.js";
import { TEST_CATALOG } from "../optimizers/test-catalog.testutil.js";
import { getSurface, inDomain, SURFACES } from "../surfaces/surfaces.js";
import {
  ACTIVATIONS,
  CURVES,
  checkNumber,
  type LabState,
  MAX_LAYERS,
  TABS,
  TRAIN_SPECS,
} from "./lab-state.js";
import { parseState, serializeState } from "./url-state.js";

/** Queries per run; every one is parsed and its state checked. */
const QUERIES = 50_000;
/** Every this many queries, the state is also written back and parsed again (the costly part). */
const ROUND_TRIP_EVERY = 10;

/** mulberry32: a small seeded generator, so a failure names a query that can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keys a link may hold (each rule's keys in every form, old forms too) and near misses. */
function keyPool(catalog: Catalog): string[] {
  const keys = [
    "s",
    "tab",
    "x",
    "y",
    "sel",
    "on",
    "ds",
    "noise",
    "n",
    "hidden",
    "act",
    "opt",
    "batch",
    "seed",
  ];
  keys.push(
    "cmp",
    "epochs",
    "curves",
    "lr",
    "mu",
    "alpha",
    "b1",
    "b2",
    "wd",
    "",
    "S",
    "x.y",
    "c",
    "c.",
    ".",
    "opt.",
  );
  for (const e of catalog) {
    keys.push(`c.${e.id}`, `${e.id}.mu`, `${e.id}.b1`, `${e.id}.b2`, `${e.id}.`, `${e.id}x.lr`);
    for (const h of e.hyperparameters) keys.push(`${e.id}.${h.key}`, `c.${e.id}.${h.key}`, `opt.${h.key}`);
  }
  return keys;
}

/** Values: valid ones of every kind, edge cases, and garbage. */
function valuePool(catalog: Catalog): string[] {
  const values = [
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "0.9",
    "0.999",
    "1e-8",
    "1e-3",
    "3",
    "32",
    "100",
    "2000",
    "1e999",
  ];
  values.push(
    "1e-400",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    " 1",
    "1 ",
    "1,2",
    "16,16",
    "8,4,2",
    "",
    ",",
    "1.",
  );
  values.push(
    ".5",
    "+2",
    "1e",
    "e1",
    "true",
    "false",
    "none",
    "null",
    "sign",
    "raw",
    "both",
    "test",
    "<b>x</b>",
  );
  values.push(
    "%",
    "\u0000",
    "\u202e",
    "ü",
    "💥",
    "a".repeat(50),
    "9".repeat(40),
    "-1.2",
    "4294967295",
    "4294967296",
  );
  values.push(
    ...SURFACES,
    ...DATASETS,
    ...ACTIVATIONS,
    ...TABS,
    ...ruleIds(catalog),
    "sgd,adam",
    "adam,adam",
    "adamm",
  );
  return values;
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

/** A random query: 0–9 settings from the pools, sometimes mangled or badly escaped. */
function randomQuery(rand: () => number, keys: string[], values: string[]): string {
  const n = Math.floor(rand() * 10);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let key = pick(rand, keys);
    let value = pick(rand, values);
    if (rand() < 0.05) key = key.slice(0, Math.floor(rand() * key.length));
    if (rand() < 0.05) value = `${value}${pick(rand, values)}`;
    const r = rand();
    if (r < 0.05) parts.push(key);
    else if (r < 0.1) parts.push(`${key}=${value}`);
    else if (r < 0.12) parts.push(`${key}=%${value}`);
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  return (rand() < 0.5 ? "?" : "") + parts.join(rand() < 0.05 ? "&&" : "&");
}

/** Every rule setting valid for the catalog and every lab setting inside its bounds, or why not. */
function invalidity(s: LabState, catalog: Catalog): string | null {
  const idsOk = (ids: string[]) =>
    JSON.stringify(ids) === JSON.stringify(inCatalogOrder(catalog, ids)) && new Set(ids).size === ids.length;
  if (!idsOk(s.race.racing) || !idsOk(s.compare.rules)) return "rule sets not in catalog order";
  if (findRule(catalog, s.race.selected) === undefined) return "selected rule unknown";
  const entry = findRule(catalog, s.train.optimizer);
  if (entry === undefined) return "network rule unknown";
  const sets = [
    ...catalog.map((e) => [e, s.race.hyper[e.id]] as const),
    ...catalog.map((e) => [e, s.compare.hyper[e.id]] as const),
    [entry, s.train.hyper] as const,
  ];
  for (const [e, values] of sets) {
    if (Object.keys(values).length !== e.hyperparameters.length) return `${e.id}: not every key`;
    for (const h of e.hyperparameters) {
      const why = checkHyperparameter(h, values[h.key]);
      if (why !== null) return `${e.id}: ${why}`;
    }
  }
  if (!SURFACES.includes(s.race.surface) || !TABS.includes(s.tab)) return "surface or tab";
  if (!inDomain(getSurface(s.race.surface).domain, s.race.start[0], s.race.start[1])) return "start";
  const t = s.train;
  if (!DATASETS.includes(t.dataset) || !ACTIVATIONS.includes(t.activation)) return "data set or activation";
  if (!CURVES.includes(s.compare.curves)) return "curves";
  if (t.hidden.length > MAX_LAYERS || t.hidden.some((u) => checkNumber(TRAIN_SPECS.units, u) !== null))
    return "hidden";
  for (const [spec, v] of [
    [TRAIN_SPECS.noise, t.noise],
    [TRAIN_SPECS.points, t.points],
    [TRAIN_SPECS.batchSize, t.batchSize],
    [TRAIN_SPECS.seed, t.seed],
    [TRAIN_SPECS.epochs, s.compare.epochs],
  ] as const) {
    const why = checkNumber(spec, v);
    if (why !== null) return why;
  }
  return null;
}

describe("URL state under random links (seeded fuzz)", () => {
  it(`${QUERIES} random queries: never throws, always a valid state, which round-trips with no problems`, () => {
    const catalog = TEST_CATALOG;
    const rand = generator(20240611);
    const keys = keyPool(catalog);
    const values = valuePool(catalog);
    let withProblems = 0;
    for (let i = 0; i < QUERIES; i++) {
      const query = randomQuery(rand, keys, values);
      const where = `query ${i}: ${JSON.stringify(query)}`;
      const { state, problems } = parseState(query, catalog);
      if (problems.length > 0) withProblems++;
      const why = invalidity(state, catalog);
      if (why !== null) expect.fail(`${where}: ${why}`);
      for (const p of problems) if (p.length > 400) expect.fail(`${where}: a long message: ${p}`);
      if (i % ROUND_TRIP_EVERY !== 0) continue;
      const again = parseState(serializeState(state, catalog), catalog);
      if (again.problems.length > 0) expect.fail(`${where}: written back, it gave ${again.problems[0]}`);
      expect(again.state, where).toEqual(state);
    }
    // The pools make links of every kind: some clean, most with something to report.
    expect(withProblems).toBeGreaterThan(QUERIES / 2);
    expect(withProblems).toBeLessThan(QUERIES);
  });
});

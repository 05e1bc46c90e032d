import { checkHyperparameter, type NumberHyperparameter } from "@descent/optim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DATASETS } from "../data/datasets.js";
import { makeOptimizer } from "../optimizers/make.js";
import { CATALOG, type Catalog, getRule, ruleIds } from "../optimizers/rules.js";
import { SIGNUM_ENTRY, TEST_CATALOG, wideCatalog } from "../optimizers/test-catalog.testutil.js";
import { SURFACES } from "../surfaces/surfaces.js";
import {
  ACTIVATIONS,
  compareDefaults,
  defaultRace,
  defaultState,
  type LabState,
  raceDefaults,
  trainDefaults,
} from "./lab-state.js";
import { MAX_QUERY_LENGTH, parseState, reservedIds, serializeState } from "./url-state.js";

describe("URL state", () => {
  it("an empty query gives the defaults and no problems", () => {
    expect(parseState("")).toEqual({ state: defaultState(), problems: [] });
    expect(parseState("?")).toEqual({ state: defaultState(), problems: [] });
  });

  it("serialises the defaults to a short readable query that parses back to them", () => {
    const q = serializeState(defaultState());
    expect(q).toBe(
      "s=rosenbrock&tab=race&x=-1.2&y=1&sel=adam&on=sgd,momentum,adagrad,rmsprop,adam&ds=spiral&noise=0.05&n=300&hidden=16,16&act=tanh&opt=adam&opt.lr=0.03&opt.beta1=0.9&opt.beta2=0.999&opt.eps=1e-8&opt.weightDecay=0&opt.amsgrad=false&batch=32&seed=1&cmp=sgd,momentum,adagrad,rmsprop,adam&epochs=150&curves=both",
    );
    expect(parseState(q)).toEqual({ state: defaultState(), problems: [] });
  });

  it("round-trips a changed state exactly, every kind of hyperparameter and float64 values included", () => {
    const s = defaultState();
    s.tab = "compare";
    s.race = defaultRace("beale");
    s.race.start = [0.1 + 0.2, -1 / 3];
    s.race.selected = "adamw";
    s.race.racing = ["momentum", "adamw"];
    s.race.hyper["momentum"]["nesterov"] = true;
    s.race.hyper["momentum"]["dampening"] = 0;
    s.race.hyper["adam"]["beta2"] = 0.98765;
    s.race.hyper["rmsprop"]["centered"] = true;
    s.train = {
      ...s.train,
      dataset: "xor",
      hidden: [],
      activation: "relu",
      optimizer: "adamw",
      hyper: { ...trainDefaults("adamw"), lr: 3e-5, weightDecay: 0.125, amsgrad: true },
      batchSize: 7,
      seed: 4294967295,
      noise: 0.5,
      points: 40,
    };
    s.compare.rules = ["sgd", "adagrad", "adamw"];
    s.compare.hyper["adagrad"]["lrDecay"] = 0.0042;
    s.compare.epochs = 2000;
    s.compare.curves = "test";
    const q = serializeState(s);
    expect(q).toContain("momentum.nesterov=true");
    expect(q).toContain("c.adagrad.lrDecay=0.0042");
    expect(q).toContain("opt.amsgrad=true");
    const parsed = parseState(`?${q}`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.state).toEqual(s);
    expect(parsed.state.race.start[0]).toBe(0.30000000000000004);
  });

  it("round-trips random valid states over every rule and hyperparameter (property)", () => {
    fc.assert(
      fc.property(validState(CATALOG), (s) => {
        const back = parseState(serializeState(s));
        expect(back.problems).toEqual([]);
        expect(back.state).toEqual(s);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it("works with any catalog: the made-up rules race, train and compare through the URL", () => {
    const s = defaultState(TEST_CATALOG);
    s.race.racing = ["sgd", "signum", "backtrack"];
    s.race.selected = "backtrack";
    s.race.hyper["signum"]["direction"] = "raw";
    s.race.hyper["backtrack"]["maxHalvings"] = 3;
    s.train.optimizer = "signum";
    s.train.hyper = { ...trainDefaults("signum", TEST_CATALOG), useGradient: true };
    s.compare.rules = ["signum", "backtrack"];
    const q = serializeState(s, TEST_CATALOG);
    expect(q).toContain("on=sgd,signum,backtrack");
    expect(q).toContain("signum.direction=raw");
    expect(q).toContain("backtrack.maxHalvings=3");
    expect(q).toContain("opt=signum&opt.lr=0.01&opt.beta=0.9&opt.direction=sign&opt.useGradient=true");
    expect(parseState(q, TEST_CATALOG)).toEqual({ state: s, problems: [] });
    // The package's catalog does not know them: each is named, and its setting falls back.
    const { state, problems } = parseState(q);
    expect(state.race.racing).toEqual(["sgd"]);
    expect(state.train.optimizer).toBe("adam");
    expect(problems).toContain(
      'on="sgd,signum,backtrack": unknown rule "signum"; unknown rule "backtrack"; the others were kept',
    );
    expect(problems).toContain('signum.direction="raw": unknown rule "signum"; setting ignored');
  });

  it("switching the surface gives that surface's default start and learning rates", () => {
    const { state, problems } = parseState("s=quadratic");
    expect(problems).toEqual([]);
    expect(state.race).toEqual(defaultRace("quadratic"));
    expect(state.race.hyper["adagrad"]["lr"]).toBe(0.3);
  });

  it("names an unknown rule and the closest known one, and keeps the default", () => {
    const { state, problems } = parseState("opt=adamm&sel=rmsprp&on=sgd,adamm&cmp=sdg");
    expect(state.train.optimizer).toBe("adam");
    expect(state.race.selected).toBe("adam");
    expect(state.race.racing).toEqual(["sgd"]);
    expect(state.compare.rules).toEqual([]);
    expect(problems).toEqual([
      'sel="rmsprp": unknown rule "rmsprp" (did you mean rmsprop?); the default was used',
      'on="sgd,adamm": unknown rule "adamm" (did you mean adam?); the others were kept',
      'opt="adamm": unknown rule "adamm" (did you mean adam?); the default was used',
      'cmp="sdg": unknown rule "sdg" (did you mean sgd?); the others were kept',
    ]);
    expect(parseState("adamm.lr=0.1").problems).toEqual([
      'adamm.lr="0.1": unknown rule "adamm" (did you mean adam?); setting ignored',
    ]);
  });

  it("names the key and its valid range for an invalid hyperparameter, and keeps the default", () => {
    const { state, problems } = parseState(
      "adam.beta1=1&c.rmsprop.alpha=-0.5&opt.eps=abc&momentum.nesterov=yes&adam.betaa=0.5&opt.lr=1e999",
    );
    const d = defaultState();
    expect(state).toEqual(d);
    expect(problems).toEqual([
      'adam.beta1="1": beta1 must be in [0, 1), got 1; the default was used',
      'c.rmsprop.alpha="-0.5": alpha must be in [0, 1], got -0.5; the default was used',
      'opt.eps="abc": eps must be a plain decimal number in [0, ∞); the default was used',
      'momentum.nesterov="yes": nesterov must be true or false; the default was used',
      'adam.betaa="0.5": Adam has no hyperparameter "betaa" (did you mean beta1?); setting ignored',
      'opt.lr="1e999": lr must be a finite number, got Infinity; the default was used',
    ]);
  });

  it("replaces a combination the optimizer rejects by the rule's defaults, with a notice", () => {
    const { state, problems } = parseState("momentum.nesterov=true&momentum.dampening=0.5&momentum.lr=0.002");
    expect(state.race.hyper["momentum"]).toEqual(raceDefaults("rosenbrock")["momentum"]);
    expect(problems).toEqual([
      "race SGD + momentum: Nesterov momentum requires a momentum and zero dampening; its defaults were used",
    ]);
  });

  it("does not blame the values of a rule that cannot be built over a plain one-element parameter at all", () => {
    const picky = {
      ...SIGNUM_ENTRY,
      id: "picky",
      create: () => {
        throw new RangeError("Picky needs a matrix");
      },
    };
    const catalog = [...CATALOG, picky];
    expect(parseState("picky.beta=0.5&on=picky", catalog)).toMatchObject({ problems: [] });
    expect(parseState("picky.beta=0.5", catalog).state.race.hyper["picky"]["beta"]).toBe(0.5);
  });

  it("rejects out-of-bound and malformed lab settings one by one, keeping the defaults", () => {
    const { state, problems } = parseState(
      "hidden=1000000&seed=-1&n=5e9&noise=0x1&act=eval(alert(1))&x=99&curves=all&opt=adam",
    );
    expect(state).toEqual(defaultState());
    expect(problems).toHaveLength(7);
    expect(problems[0]).toMatch(/^x="99": start x must be in \[-2, 2\]/);
    expect(problems.join("\n")).toMatch(/hidden="1000000": each hidden layer needs an integer of 1–32 units/);
    expect(problems.join("\n")).toMatch(
      /act="eval\(alert\(1\)\)": activation must be one of relu, tanh, sigmoid, gelu/,
    );
    expect(problems.join("\n")).toMatch(/curves="all": curves must be one of both, train, test/);
  });

  it("bounds the network: at most 4 layers of at most 32 units", () => {
    expect(parseState("hidden=32,32,32,32").problems).toEqual([]);
    expect(parseState("hidden=8,8,8,8,8").problems[0]).toMatch(/at most 4 hidden layers/);
    expect(parseState("hidden=33").problems[0]).toMatch(/1–32 units/);
    expect(parseState("hidden=1.5").problems[0]).toMatch(/1–32 units/);
    expect(parseState("hidden=").state.train.hidden).toEqual([]);
  });

  it("checks the start against the surface named in the same link", () => {
    // (3.5, −4) is in Beale's square but outside Rosenbrock's.
    expect(parseState("s=beale&x=3.5&y=-4")).toMatchObject({
      state: { race: { start: [3.5, -4] } },
      problems: [],
    });
    expect(parseState("s=rosenbrock&x=3.5&y=-4").problems).toHaveLength(2);
  });

  it("reports unknown and repeated keys, and ignores an overlong query as a whole", () => {
    const r = parseState("foo=1&opt.lr=0.1&opt.lr=0.2&opt.lr=0.3");
    expect(r.problems).toEqual([
      'setting "opt.lr" given more than once; the default was used',
      'unknown setting "foo" ignored',
    ]);
    expect(r.state.train.hyper["lr"]).toBe(defaultState().train.hyper["lr"]);
    const long = parseState(`opt.lr=0.1&x=${"1".repeat(MAX_QUERY_LENGTH)}`);
    expect(long.state).toEqual(defaultState());
    expect(long.problems[0]).toMatch(/longer than 16384 characters/);
  });

  it("quotes hostile values and keys safely in messages (truncated, escaped)", () => {
    const r = parseState(`ds=${encodeURIComponent(`<img src=x onerror=alert(1)>${"a".repeat(100)}`)}`);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].length).toBeLessThan(160);
    expect(r.state.train.dataset).toBe("spiral");
    const k = parseState(`${encodeURIComponent(`<b>.${"x".repeat(100)}\n`)}=1`);
    expect(k.problems).toHaveLength(1);
    expect(k.problems[0]).toMatch(/^"<b>\.x+…"="1": unknown rule "<b>"; setting ignored$/);
  });

  it("accepts the racer list in any subset, including none", () => {
    expect(parseState("on=").state.race.racing).toEqual([]);
    expect(parseState("on=adam,sgd").state.race.racing).toEqual(["sgd", "adam"]);
    expect(parseState("on=adam,adam").problems[0]).toMatch(/listed twice/);
    expect(parseState("on=no-such-rule").problems[0]).toMatch(/unknown rule "no-such-rule"/);
  });

  it("keeps the longest link of a 25-rule catalog, every value changed, within the parse limit", () => {
    const catalog = wideCatalog(25);
    const s = defaultState(catalog);
    s.race.racing = ruleIds(catalog);
    s.compare.rules = ruleIds(catalog);
    for (const hyper of [s.race.hyper, s.compare.hyper]) {
      for (const e of catalog) {
        for (const h of e.hyperparameters) {
          if (h.kind === "number") hyper[e.id][h.key] = longValue(h);
          else if (h.kind === "boolean") hyper[e.id][h.key] = !h.default;
          else hyper[e.id][h.key] = h.choices.find((c) => c !== h.default) ?? h.default;
        }
      }
    }
    const q = serializeState(s, catalog);
    expect(q.length).toBeLessThan(MAX_QUERY_LENGTH);
    const back = parseState(q, catalog);
    // Some of these values make combinations a rule rejects; the rest round-trip.
    for (const p of back.problems) expect(p).toMatch(/its defaults were used$/);
  });

  it("reserves no id of the package's catalog (c and opt would read as other forms)", () => {
    expect(reservedIds()).toEqual([]);
    expect(reservedIds([{ ...getRule(CATALOG, "sgd"), id: "opt" }])).toEqual(["opt"]);
  });
});

/** What the lab wrote for its default state before it read its rules from the catalog. */
const OLD_DEFAULT_LINK =
  "s=rosenbrock&tab=race&x=-1.2&y=1&sel=adam&on=sgd,momentum,adagrad,rmsprop,adam&sgd.lr=0.001&momentum.lr=0.001&momentum.mu=0.9&adagrad.lr=0.2&rmsprop.lr=0.02&rmsprop.alpha=0.99&adam.lr=0.1&adam.b1=0.9&adam.b2=0.999&ds=spiral&noise=0.05&n=300&hidden=16,16&act=tanh&opt=adam&lr=0.03&mu=0.9&alpha=0.99&b1=0.9&b2=0.999&wd=0.01&batch=32&seed=1&c.sgd=0.1&c.momentum=0.05&c.adagrad=0.1&c.rmsprop=0.01&c.adam=0.01&epochs=150";

describe("links from before the catalog", () => {
  it("the old default link is the default state, with no problems", () => {
    expect(parseState(OLD_DEFAULT_LINK)).toEqual({ state: defaultState(), problems: [] });
  });

  it("reads the old short names of race, network and compare settings", () => {
    const { state, problems } = parseState(
      "momentum.mu=0.8&adam.b1=0.85&adam.b2=0.99&c.adam=0.003&c.rmsprop=0.02&opt=momentum&lr=0.2&mu=0.5",
    );
    expect(problems).toEqual([]);
    expect(state.race.hyper["momentum"]["momentum"]).toBe(0.8);
    expect(state.race.hyper["adam"]).toMatchObject({ beta1: 0.85, beta2: 0.99 });
    expect(state.compare.hyper["adam"]["lr"]).toBe(0.003);
    expect(state.compare.hyper["rmsprop"]["lr"]).toBe(0.02);
    expect(state.train.hyper).toMatchObject({ lr: 0.2, momentum: 0.5 });
  });

  it("applies an old network key only to the rules that used it then (old links wrote all six)", () => {
    const all = "lr=0.005&mu=0.7&alpha=0.9&b1=0.8&b2=0.99&wd=0.125";
    expect(parseState(`opt=rmsprop&${all}`).state.train.hyper).toEqual({
      ...trainDefaults("rmsprop"),
      lr: 0.005,
      alpha: 0.9,
    });
    expect(parseState(`opt=adam&${all}`).state.train.hyper).toEqual({
      ...trainDefaults("adam"),
      lr: 0.005,
      beta1: 0.8,
      beta2: 0.99,
    });
    expect(parseState(`opt=adamw&${all}`).state.train.hyper).toEqual({
      ...trainDefaults("adamw"),
      lr: 0.005,
      beta1: 0.8,
      beta2: 0.99,
      weightDecay: 0.125,
    });
    expect(parseState(`opt=sgd&${all}`).state.train.hyper).toEqual({ ...trainDefaults("sgd"), lr: 0.005 });
  });

  it("checks old values with the catalog's ranges, and a newer form in the same link wins", () => {
    expect(parseState("adam.b1=1.5&opt=adam&mu=abc").problems).toEqual([
      'adam.b1="1.5": beta1 must be in [0, 1), got 1.5; the default was used',
      'mu="abc": mu must be a plain decimal number; the default was used',
    ]);
    expect(parseState("opt.lr=0.2&lr=0.1").state.train.hyper["lr"]).toBe(0.2);
    expect(parseState("adam.beta1=0.5&adam.b1=0.6").state.race.hyper["adam"]["beta1"]).toBe(0.5);
  });
});

/** The longest text a valid value of `h` may have: 17 significant digits and an exponent. */
function longValue(h: NumberHyperparameter): number {
  if (h.integer === true) return Math.min(h.max, h.typical[1]);
  const v = h.typical[0] + (h.typical[1] - h.typical[0]) * 0.123456789012345;
  return checkHyperparameter(h, v) === null ? v : h.default;
}

/** Arbitrary valid lab states over `catalog`: any rules, any valid hyperparameter values. */
export function validState(catalog: Catalog): fc.Arbitrary<LabState> {
  const value = (h: Catalog[number]["hyperparameters"][number]): fc.Arbitrary<unknown> => {
    if (h.kind === "boolean") return fc.boolean();
    if (h.kind === "choice") return fc.constantFrom(...h.choices);
    const lo = h.typical[0];
    const hi = h.typical[1];
    if (h.integer === true) return fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) });
    return fc
      .double({ min: lo, max: hi, noNaN: true })
      .filter((v) => checkHyperparameter(h, v) === null && !Object.is(v, -0));
  };
  const ruleValues = (e: Catalog[number]) =>
    fc.record(Object.fromEntries(e.hyperparameters.map((h) => [h.key, value(h)])), {
      requiredKeys: [],
    }) as fc.Arbitrary<Record<string, unknown>>;
  const ids = ruleIds(catalog);
  return fc
    .record({
      surface: fc.constantFrom(...SURFACES),
      sel: fc.constantFrom(...ids),
      on: fc.subarray(ids),
      cmp: fc.subarray(ids),
      race: fc.tuple(...catalog.map(ruleValues)),
      compare: fc.tuple(...catalog.map(ruleValues)),
      opt: fc.integer({ min: 0, max: catalog.length - 1 }),
      train: fc.tuple(...catalog.map(ruleValues)),
      dataset: fc.constantFrom(...DATASETS),
      act: fc.constantFrom(...ACTIVATIONS),
      hidden: fc.array(fc.integer({ min: 1, max: 32 }), { maxLength: 4 }),
      seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    })
    .map((a) => {
      const s = defaultState(catalog);
      s.race = defaultRace(a.surface, catalog);
      s.race.selected = a.sel;
      s.race.racing = a.on;
      s.compare.rules = a.cmp;
      const race = raceDefaults(a.surface, catalog);
      const compare = compareDefaults(catalog);
      catalog.forEach((e, i) => {
        s.race.hyper[e.id] = { ...race[e.id], ...(a.race[i] as object) };
        s.compare.hyper[e.id] = { ...compare[e.id], ...(a.compare[i] as object) };
      });
      const opt = catalog[a.opt];
      s.train = {
        ...s.train,
        dataset: a.dataset,
        activation: a.act,
        hidden: a.hidden,
        seed: a.seed,
        optimizer: opt.id,
        hyper: { ...trainDefaults(opt.id, catalog), ...(a.train[a.opt] as object) },
      };
      return s;
    })
    .filter((s) => buildable(s, catalog));
}

/** True when every rule's values build its optimizer (random values can make rejected combinations). */
function buildable(s: LabState, catalog: Catalog): boolean {
  const sets = [
    ...catalog.map((e) => [e, s.race.hyper[e.id]] as const),
    ...catalog.map((e) => [e, s.compare.hyper[e.id]] as const),
    [getRule(catalog, s.train.optimizer), s.train.hyper] as const,
  ];
  return sets.every(([entry, values]) => {
    try {
      makeOptimizer(entry, [{ data: new Float64Array(1), grad: null }], values);
      return true;
    } catch {
      return false;
    }
  });
}

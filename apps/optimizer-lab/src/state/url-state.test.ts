import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DATASETS } from "../data/datasets.js";
import { OPTIMIZERS, RACERS } from "../optimizers/catalog.js";
import { SURFACES } from "../surfaces/surfaces.js";
import { ACTIVATIONS, defaultRace, defaultState, type LabState } from "./lab-state.js";
import { MAX_QUERY_LENGTH, parseState, serializeState } from "./url-state.js";

describe("URL state", () => {
  it("an empty query gives the defaults and no problems", () => {
    expect(parseState("")).toEqual({ state: defaultState(), problems: [] });
    expect(parseState("?")).toEqual({ state: defaultState(), problems: [] });
  });

  it("serialises the defaults to a readable query that parses back to them", () => {
    const q = serializeState(defaultState());
    expect(q).toContain("s=rosenbrock");
    expect(q).toContain("hidden=16,16");
    expect(q).toContain("on=sgd,momentum,adagrad,rmsprop,adam");
    expect(parseState(q)).toEqual({ state: defaultState(), problems: [] });
  });

  it("round-trips a changed state exactly, including float64 values", () => {
    const s = defaultState();
    s.tab = "compare";
    s.race = defaultRace("beale");
    s.race.start = [0.1 + 0.2, -1 / 3];
    s.race.selected = "rmsprop";
    s.race.racers.adagrad.enabled = false;
    s.race.racers.adam.beta2 = 0.98765;
    s.train = {
      ...s.train,
      dataset: "xor",
      hidden: [],
      activation: "relu",
      optimizer: "adamw",
      lr: 3e-5,
      weightDecay: 0.125,
      batchSize: 7,
      seed: 4294967295,
      noise: 0.5,
      points: 40,
    };
    s.compare.lrs.rmsprop = 0.0042;
    s.compare.epochs = 2000;
    const parsed = parseState(`?${serializeState(s)}`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.state).toEqual(s);
    expect(parsed.state.race.start[0]).toBe(0.30000000000000004);
  });

  it("round-trips random valid states (property)", () => {
    const lr = fc.double({ min: 1e-5, max: 10, noNaN: true });
    const unit = (max: number) => fc.double({ min: 0, max, noNaN: true });
    const arb = fc.record({
      surface: fc.constantFrom(...SURFACES),
      sel: fc.constantFrom(...RACERS),
      on: fc.subarray([...RACERS]),
      lrs: fc.array(lr, { minLength: 5, maxLength: 5 }),
      mu: unit(0.999),
      dataset: fc.constantFrom(...DATASETS),
      act: fc.constantFrom(...ACTIVATIONS),
      opt: fc.constantFrom(...OPTIMIZERS),
      hidden: fc.array(fc.integer({ min: 1, max: 32 }), { maxLength: 4 }),
      seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      trainLr: lr,
      b2: unit(0.99999),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const s: LabState = defaultState();
        s.race = defaultRace(a.surface);
        s.race.selected = a.sel;
        RACERS.forEach((id, i) => {
          s.race.racers[id].enabled = a.on.includes(id);
          s.race.racers[id].lr = a.lrs[i];
        });
        s.race.racers.momentum.momentum = a.mu;
        s.train = {
          ...s.train,
          dataset: a.dataset,
          activation: a.act,
          optimizer: a.opt,
          hidden: a.hidden,
          seed: a.seed,
          lr: a.trainLr,
          beta2: a.b2,
        };
        const back = parseState(serializeState(s));
        expect(back.problems).toEqual([]);
        expect(back.state).toEqual(s);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it("switching the surface gives that surface's default start and learning rates", () => {
    const { state, problems } = parseState("s=quadratic");
    expect(problems).toEqual([]);
    expect(state.race).toEqual(defaultRace("quadratic"));
  });

  it("rejects out-of-bound and malformed values one by one, keeping the defaults and naming each problem", () => {
    const { state, problems } = parseState(
      "hidden=1000000&lr=abc&seed=-1&n=5e9&adam.lr=Infinity&noise=0x1&act=eval(alert(1))&x=99&opt=adam",
    );
    const d = defaultState();
    expect(state.train.hidden).toEqual(d.train.hidden);
    expect(state.train.lr).toBe(d.train.lr);
    expect(state.train.seed).toBe(d.train.seed);
    expect(state.train.points).toBe(d.train.points);
    expect(state.race.racers.adam.lr).toBe(d.race.racers.adam.lr);
    expect(state.train.noise).toBe(d.train.noise);
    expect(state.train.activation).toBe(d.train.activation);
    expect(state.race.start).toEqual(d.race.start);
    expect(problems).toHaveLength(8);
    expect(problems[0]).toMatch(/^x="99": start x must be in \[-2, 2\]/);
    expect(problems.join("\n")).toMatch(
      /adam\.lr="Infinity": adam learning rate must be a plain decimal number/,
    );
    expect(problems.join("\n")).toMatch(/hidden="1000000": each hidden layer needs an integer of 1–32 units/);
    expect(problems.join("\n")).toMatch(
      /act="eval\(alert\(1\)\)": activation must be one of relu, tanh, sigmoid, gelu/,
    );
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
    const r = parseState("foo=1&lr=0.1&lr=0.2");
    expect(r.problems).toEqual([
      'unknown setting "foo" ignored',
      'setting "lr" given more than once; the default was used',
    ]);
    expect(r.state.train.lr).toBe(defaultState().train.lr);
    const long = parseState(`lr=0.1&x=${"1".repeat(MAX_QUERY_LENGTH)}`);
    expect(long.state).toEqual(defaultState());
    expect(long.problems[0]).toMatch(/longer than 2000 characters/);
  });

  it("quotes hostile values safely in messages (truncated, escaped)", () => {
    const r = parseState(`ds=${encodeURIComponent(`<img src=x onerror=alert(1)>${"a".repeat(100)}`)}`);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].length).toBeLessThan(160);
    expect(r.state.train.dataset).toBe("spiral");
  });

  it("accepts the racer list in any subset, including none", () => {
    expect(parseState("on=").state.race.racers.sgd.enabled).toBe(false);
    expect(parseState("on=adam,adam").problems[0]).toMatch(/listed twice/);
    expect(parseState("on=lbfgs").problems[0]).toMatch(/racers must be among/);
  });
});

import type { OptimizerEntry, Param } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { makeOptimizer } from "../optimizers/make.js";
import { CATALOG, getRule, type HyperValues, valuesFor } from "../optimizers/rules.js";
import { BACKTRACK_ENTRY, TEST_CATALOG } from "../optimizers/test-catalog.testutil.js";
import { defaultRace, raceDefaults } from "../state/lab-state.js";
import { getSurface, SURFACES, type Surface } from "../surfaces/surfaces.js";
import { Race, Racer, racerSpecs } from "./race.js";

/** Relative tolerance between the race and the independent float64 reference trajectories. */
const TRAJECTORY_RTOL = 1e-12;

type Grad = (x: number, y: number) => [number, number];

/**
 * An independent float64 implementation of the classic rules, written from PyTorch's documented
 * algorithms (torch.optim.SGD / Adagrad / RMSprop / Adam / AdamW, 2.x, every option the catalog
 * exposes), driven by the hand-derived gradient: the race must follow exactly this trajectory.
 */
function referenceTrajectory(id: string, h: HyperValues, grad: Grad, start: [number, number], steps: number) {
  const n = (k: string) => h[k] as number;
  const on = (k: string) => h[k] === true;
  const p = [start[0], start[1]];
  const buf = [0, 0];
  const m = [0, 0];
  const v = [0, 0];
  const vmax = [0, 0];
  const ga = [0, 0];
  const sum = [n("initialAccumulatorValue") || 0, n("initialAccumulatorValue") || 0];
  const out = [p[0], p[1]];
  for (let t = 1; t <= steps; t++) {
    const g0 = grad(p[0], p[1]);
    for (let i = 0; i < 2; i++) {
      let g = g0[i];
      const wd = n("weightDecay");
      if (id !== "adamw" && wd !== 0) g += wd * p[i];
      switch (id) {
        case "sgd":
        case "momentum": {
          const mu = id === "sgd" ? 0 : n("momentum");
          if (mu !== 0) {
            buf[i] = t === 1 ? g : mu * buf[i] + (1 - n("dampening")) * g;
            g = on("nesterov") ? g + mu * buf[i] : buf[i];
          }
          p[i] -= n("lr") * g;
          break;
        }
        case "adagrad": {
          const clr = n("lr") / (1 + (t - 1) * n("lrDecay"));
          sum[i] += g * g;
          p[i] -= (clr * g) / (Math.sqrt(sum[i]) + n("eps"));
          break;
        }
        case "rmsprop": {
          const a = n("alpha");
          v[i] = a * v[i] + (1 - a) * g * g;
          let avg: number;
          if (on("centered")) {
            ga[i] = a * ga[i] + (1 - a) * g;
            avg = Math.sqrt(v[i] - ga[i] * ga[i]) + n("eps");
          } else avg = Math.sqrt(v[i]) + n("eps");
          if (n("momentum") > 0) {
            buf[i] = n("momentum") * buf[i] + g / avg;
            p[i] -= n("lr") * buf[i];
          } else p[i] -= (n("lr") * g) / avg;
          break;
        }
        case "adam":
        case "adamw": {
          if (id === "adamw") p[i] *= 1 - n("lr") * wd;
          const [b1, b2] = [n("beta1"), n("beta2")];
          m[i] = b1 * m[i] + (1 - b1) * g;
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          const c1 = 1 - b1 ** t;
          const c2 = Math.sqrt(1 - b2 ** t);
          vmax[i] = Math.max(vmax[i], v[i]);
          const denom = Math.sqrt(on("amsgrad") ? vmax[i] : v[i]) / c2 + n("eps");
          p[i] -= ((n("lr") / c1) * m[i]) / denom;
          break;
        }
        default:
          throw new Error(`no reference for ${id}`);
      }
    }
    out.push(p[0], p[1]);
  }
  return out;
}

function expectClose(actual: number, expected: number, rtol: number, what?: string): void {
  expect(Math.abs(actual - expected), what).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(expected)));
}

/** Non-default settings of every option the catalog exposes for the classic rules (and AdamW). */
const SETTINGS: Record<string, HyperValues[]> = {
  sgd: [{}, { weightDecay: 0.05 }],
  momentum: [{ momentum: 0.8 }, { momentum: 0.7, dampening: 0.3, weightDecay: 0.01 }, { nesterov: true }],
  adagrad: [{}, { lrDecay: 0.01, initialAccumulatorValue: 0.1, eps: 1e-6, weightDecay: 0.02 }],
  rmsprop: [{ alpha: 0.9 }, { centered: true, momentum: 0.5, eps: 1e-6 }, { weightDecay: 0.03 }],
  adam: [
    { beta1: 0.85, beta2: 0.99 },
    { amsgrad: true, eps: 1e-6, weightDecay: 0.01 },
  ],
  adamw: [{ lr: 0.05 }, { lr: 0.05, weightDecay: 0.2, amsgrad: true }],
};

describe("Racer", () => {
  for (const surfaceId of SURFACES) {
    for (const [id, settings] of Object.entries(SETTINGS)) {
      settings.forEach((over, k) => {
        it(`${id} ${JSON.stringify(over)} on ${surfaceId} follows PyTorch's update rule exactly for 60 steps`, () => {
          const s = getSurface(surfaceId);
          const entry = getRule(CATALOG, id);
          const values = { ...raceDefaults(surfaceId)[id], ...over };
          const r = new Racer(entry, s, s.defaultStart, values);
          for (let i = 0; i < 60; i++) r.step();
          const ref = referenceTrajectory(id, values, s.gradient, [s.defaultStart[0], s.defaultStart[1]], 60);
          expect(r.status, r.error ?? "").toBe("running");
          expect(r.trail).toHaveLength(ref.length);
          for (let i = 0; i < ref.length; i++) expectClose(r.trail[i], ref[i], TRAJECTORY_RTOL, `${k} ${i}`);
          expectClose(r.loss, s.value(ref[ref.length - 2], ref[ref.length - 1]), TRAJECTORY_RTOL);
          expect(r.evaluations).toBe(60);
        });
      });
    }
  }

  it("runs any catalog rule, made-up ones included, exactly as its optimizer driven by the hand-derived gradient", () => {
    const s = getSurface("quadratic");
    for (const entry of TEST_CATALOG) {
      const values = raceDefaults("quadratic", TEST_CATALOG)[entry.id];
      const r = new Racer(entry, s, [2, 1], values);
      for (let i = 0; i < 30; i++) r.step();
      const ref = driveByHand(entry, values, s, [2, 1], 30);
      expect(r.status, `${entry.id}: ${r.error}`).not.toBe("failed");
      // A rule whose default lr leaves the surface stops there (marked diverged): the trail is
      // the reference's up to that point.
      if (r.status === "diverged") expect(r.trail.length, entry.id).toBeLessThan(ref.length);
      else expect(r.trail.length, entry.id).toBe(ref.length);
      for (let i = 0; i < r.trail.length; i++)
        expectClose(r.trail[i], ref[i], TRAJECTORY_RTOL, `${entry.id} ${i}`);
    }
  });

  it("gives a rule that needs a closure one that evaluates f and ∇f as often as it asks", () => {
    const s = getSurface("quadratic");
    // f = (x² + 50y²)/2 from (2, 1): g = (2, 50), f₀ = 27. The trials t = 1, 1/2, …, 1/16 overshoot
    // in y (f(θ − t·g) > 27); t = 1/32 gives f(1.9375, −0.5625) = 9.787109375: six trials.
    const r = new Racer(BACKTRACK_ENTRY, s, [2, 1], { lr: 1, maxHalvings: 10 });
    r.step();
    const t = 1 / 32;
    expect(r.position).toEqual([2 - t * 2, 1 - t * 50]);
    expect(r.loss).toBe(9.787109375);
    expect(s.value(2 - 4 * t, 1 - 100 * t)).toBeGreaterThanOrEqual(27);
    // One gradient for the arrows, then the rule's closure: f₀ and six trials.
    expect(r.evaluations).toBe(1 + 1 + 6);
    expect(r.insight!.state).toEqual([{ key: "lastStepSize", value: [t, t] }]);
  });

  it("stops a racer whose rule rejects its settings or throws, with the rule's message", () => {
    const s = getSurface("quadratic");
    const momentum = getRule(CATALOG, "momentum");
    const bad = new Racer(momentum, s, [2, 1], { ...valuesFor(momentum), nesterov: true, dampening: 0.5 });
    expect(bad.status).toBe("failed");
    expect(bad.error).toMatch(/Nesterov momentum requires a momentum and zero dampening/);
    bad.step();
    expect(bad.steps).toBe(0);
    const noClosure: OptimizerEntry = { ...BACKTRACK_ENTRY, needsClosure: false };
    const r = new Racer(noClosure, s, [2, 1], valuesFor(noClosure));
    r.step();
    expect(r.status).toBe("failed");
    expect(r.error).toBe("Backtrack.step needs a closure");
  });

  it("stops a racer whose lr makes it diverge, and marks it", () => {
    const s = getSurface("quadratic");
    const sgd = getRule(CATALOG, "sgd");
    const r = new Racer(sgd, s, [2, 1], { ...valuesFor(sgd), lr: 1 }); // lr·50 > 2: |y| grows 49× per step
    for (let i = 0; i < 200; i++) r.step();
    expect(r.status).toBe("diverged");
    const steps = r.steps;
    r.step();
    expect(r.steps).toBe(steps);
  });
});

/**
 * The trajectory of `entry`'s optimizer over two plain parameters, fed the hand-derived gradient
 * (and, for a rule that needs one, a closure computing f and that gradient).
 */
function driveByHand(
  entry: OptimizerEntry,
  values: HyperValues,
  s: Surface,
  start: [number, number],
  steps: number,
): number[] {
  const x: Param = { data: new Float64Array([start[0]]), grad: null };
  const y: Param = { data: new Float64Array([start[1]]), grad: null };
  const opt = makeOptimizer(entry, [x, y], values);
  const evaluate = () => {
    const [gx, gy] = s.gradient(x.data[0], y.data[0]);
    x.grad = { data: new Float64Array([gx]) };
    y.grad = { data: new Float64Array([gy]) };
    return s.value(x.data[0], y.data[0]);
  };
  const out = [start[0], start[1]];
  for (let i = 0; i < steps; i++) {
    evaluate();
    if (entry.needsClosure === true) opt.step(evaluate);
    else opt.step();
    out.push(x.data[0], y.data[0]);
  }
  return out;
}

describe("Race", () => {
  for (const surfaceId of SURFACES) {
    it(`on ${surfaceId}, every default racer goes downhill and none diverges in 300 steps`, () => {
      const state = defaultRace(surfaceId);
      const race = new Race(getSurface(surfaceId), state.start, racerSpecs(state));
      expect(race.racers.map((r) => r.id)).toEqual(["sgd", "momentum", "adagrad", "rmsprop", "adam"]);
      race.step(300);
      for (const r of race.racers) {
        expect(r.status, r.id).toBe("running");
        expect(r.steps).toBe(300);
        expect(r.losses[1], `${r.id} first step`).toBeLessThan(r.losses[0]);
        expect(r.loss, r.id).toBeLessThan(r.losses[0]);
      }
    });

    it(`on ${surfaceId}, every rule of the catalog races 100 steps at its defaults without failing`, () => {
      const state = defaultRace(surfaceId, TEST_CATALOG);
      state.racing = TEST_CATALOG.map((e) => e.id);
      const race = new Race(getSurface(surfaceId), state.start, racerSpecs(state, TEST_CATALOG));
      race.step(100);
      for (const r of race.racers) expect(r.status, `${r.id}: ${r.error}`).not.toBe("failed");
    });
  }

  it("runs only the racing rules, in catalog order", () => {
    const state = defaultRace("beale", TEST_CATALOG);
    state.racing = ["momentum", "rmsprop", "signum"];
    const race = new Race(getSurface("beale"), state.start, racerSpecs(state, TEST_CATALOG));
    expect(race.racers.map((r) => r.id)).toEqual(["momentum", "rmsprop", "signum"]);
    expect(race.racer("signum")?.entry.name).toBe("Signum (test)");
    expect(race.racer("sgd")).toBeUndefined();
  });
});

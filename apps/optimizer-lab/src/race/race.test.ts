import { describe, expect, it } from "vitest";
import { DEFAULT_HYPER, type Hyper, RACERS, type RacerId } from "../optimizers/catalog.js";
import { defaultRace } from "../state/lab-state.js";
import { getSurface, SURFACES } from "../surfaces/surfaces.js";
import { Race, Racer } from "./race.js";

/** Relative tolerance between the race and the independent float64 reference trajectories. */
const TRAJECTORY_RTOL = 1e-12;

/**
 * An independent float64 implementation of each rule's update, written from PyTorch's documented
 * algorithms (torch.optim.SGD / Adagrad / RMSprop / Adam, default eps, no weight decay), driven by the
 * hand-derived gradient: the race must follow exactly this trajectory.
 */
function referenceTrajectory(
  id: RacerId,
  h: Hyper,
  grad: (x: number, y: number) => [number, number],
  start: [number, number],
  steps: number,
): number[] {
  const p = [start[0], start[1]];
  const b = [0, 0];
  const m = [0, 0];
  const v = [0, 0];
  const out = [p[0], p[1]];
  for (let t = 1; t <= steps; t++) {
    const g = grad(p[0], p[1]);
    for (let i = 0; i < 2; i++) {
      switch (id) {
        case "sgd":
          p[i] -= h.lr * g[i];
          break;
        case "momentum":
          b[i] = t === 1 ? g[i] : h.momentum * b[i] + g[i];
          p[i] -= h.lr * b[i];
          break;
        case "adagrad":
          v[i] += g[i] * g[i];
          p[i] -= (h.lr * g[i]) / (Math.sqrt(v[i]) + 1e-10);
          break;
        case "rmsprop":
          v[i] = h.alpha * v[i] + (1 - h.alpha) * g[i] * g[i];
          p[i] -= (h.lr * g[i]) / (Math.sqrt(v[i]) + 1e-8);
          break;
        case "adam": {
          m[i] = h.beta1 * m[i] + (1 - h.beta1) * g[i];
          v[i] = h.beta2 * v[i] + (1 - h.beta2) * g[i] * g[i];
          const mhat = m[i] / (1 - h.beta1 ** t);
          const vhat = v[i] / (1 - h.beta2 ** t);
          p[i] -= (h.lr * mhat) / (Math.sqrt(vhat) + 1e-8);
          break;
        }
      }
    }
    out.push(p[0], p[1]);
  }
  return out;
}

function expectClose(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(expected)));
}

describe("Racer", () => {
  for (const surfaceId of SURFACES) {
    for (const id of RACERS) {
      it(`${id} on ${surfaceId} follows the documented update rule exactly for 60 steps`, () => {
        const s = getSurface(surfaceId);
        const h: Hyper = {
          ...DEFAULT_HYPER,
          lr: defaultRace(surfaceId).racers[id].lr,
          momentum: 0.8,
          alpha: 0.9,
          beta1: 0.85,
          beta2: 0.99,
        };
        const r = new Racer(id, s, s.defaultStart, h);
        for (let i = 0; i < 60; i++) r.step();
        const ref = referenceTrajectory(id, h, s.gradient, [s.defaultStart[0], s.defaultStart[1]], 60);
        expect(r.trail).toHaveLength(ref.length);
        for (let i = 0; i < ref.length; i++) expectClose(r.trail[i], ref[i], TRAJECTORY_RTOL);
        expectClose(r.loss, s.value(ref[ref.length - 2], ref[ref.length - 1]), TRAJECTORY_RTOL);
      });
    }
  }

  it("reports Adam's gradient, bias-corrected moment and adaptive scale after one step", () => {
    const s = getSurface("quadratic");
    const r = new Racer("adam", s, [2, 1], { ...DEFAULT_HYPER, lr: 0.1 });
    r.step();
    // g = (x, 50y) = (2, 50); after one step m̂ = g and v̂ = g², so scale = 1/(|g| + 1e-8) and Δp = −lr·g/(|g| + 1e-8).
    const ins = r.insight!;
    expect(ins.grad).toEqual([2, 50]);
    expectClose(ins.moment![0], 2, TRAJECTORY_RTOL);
    expectClose(ins.moment![1], 50, TRAJECTORY_RTOL);
    expectClose(ins.scale![0], 1 / (2 + 1e-8), TRAJECTORY_RTOL);
    expectClose(ins.scale![1], 1 / (50 + 1e-8), TRAJECTORY_RTOL);
    expectClose(ins.step[0], (-0.1 * 2) / (2 + 1e-8), TRAJECTORY_RTOL);
    expectClose(ins.step[1], (-0.1 * 50) / (50 + 1e-8), TRAJECTORY_RTOL);
  });

  it("reports the momentum buffer and no adaptive scale for SGD with momentum", () => {
    const s = getSurface("quadratic");
    const r = new Racer("momentum", s, [2, 1], { ...DEFAULT_HYPER, lr: 0.01, momentum: 0.9 });
    r.step();
    r.step();
    // b₁ = g₁ = (2, 50); p₁ = (1.98, 0.5); g₂ = (1.98, 25); b₂ = 0.9·b₁ + g₂.
    const ins = r.insight!;
    expectClose(ins.moment![0], 0.9 * 2 + 1.98, TRAJECTORY_RTOL);
    expectClose(ins.moment![1], 0.9 * 50 + 25, TRAJECTORY_RTOL);
    expect(ins.scale).toBeNull();
  });

  it("stops a racer whose lr makes it diverge, and marks it", () => {
    const s = getSurface("quadratic");
    const r = new Racer("sgd", s, [2, 1], { ...DEFAULT_HYPER, lr: 1 }); // lr·50 > 2: |y| grows 49× per step
    for (let i = 0; i < 200; i++) r.step();
    expect(r.status).toBe("diverged");
    const steps = r.steps;
    r.step();
    expect(r.steps).toBe(steps);
  });
});

describe("Race with the default settings", () => {
  for (const surfaceId of SURFACES) {
    it(`on ${surfaceId}, every racer goes downhill and none diverges in 300 steps`, () => {
      const state = defaultRace(surfaceId);
      const race = new Race(getSurface(surfaceId), state.start, state.racers);
      expect(race.racers.map((r) => r.id)).toEqual([...RACERS]);
      race.step(300);
      for (const r of race.racers) {
        expect(r.status, r.id).toBe("running");
        expect(r.steps).toBe(300);
        expect(r.losses[1], `${r.id} first step`).toBeLessThan(r.losses[0]);
        expect(r.loss, r.id).toBeLessThan(r.losses[0]);
      }
    });
  }

  it("runs only the enabled racers", () => {
    const state = defaultRace("beale");
    state.racers.sgd.enabled = false;
    state.racers.adagrad.enabled = false;
    const race = new Race(getSurface("beale"), state.start, state.racers);
    expect(race.racers.map((r) => r.id)).toEqual(["momentum", "rmsprop", "adam"]);
  });
});

/**
 * SWA in a real training loop: SGD with a constant learning rate on a noisy quadratic bounces
 * around the optimum; the average of its iterates lands much nearer (the SWA paper's argument).
 */
import { describe, expect, it } from "vitest";
import { SGD } from "../sgd.js";
import { AveragedParams } from "./averaged-params.js";
import { getEmaMultiAvgFn } from "./avg-fns.js";

/** A seeded uniform generator in [0, 1) (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box–Muller). */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

// f(θ) = ½ (θ − θ*)ᵀ H (θ − θ*), H diagonal with condition number 10; gradients carry N(0, σ²) noise.
const H = [1, 3, 0.3, 2, 0.5, 1.5];
const OPTIMUM = [1, -2, 0.5, 3, -1, 0];
const NOISE = 1;
const LR = 0.1;
const BURN_IN = 200;
const STEPS = 1200;

function distance(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < OPTIMUM.length; i++) s += (x[i] - OPTIMUM[i]) ** 2;
  return Math.sqrt(s);
}

function train(seed: number) {
  const rand = mulberry32(seed);
  const theta = { data: new Float64Array(6), grad: null as { data: Float64Array } | null };
  const opt = new SGD([theta], { lr: LR });
  const swa = new AveragedParams([theta]);
  const ema = new AveragedParams([theta], { multiAvgFn: getEmaMultiAvgFn(0.99) });
  const sum = new Float64Array(6);
  for (let t = 1; t <= STEPS; t++) {
    const g = new Float64Array(6);
    for (let i = 0; i < 6; i++) g[i] = H[i] * (theta.data[i] - OPTIMUM[i]) + NOISE * normal(rand);
    theta.grad = { data: g };
    opt.step();
    if (t > BURN_IN) {
      swa.update();
      ema.update();
      for (let i = 0; i < 6; i++) sum[i] += theta.data[i];
    }
  }
  return { theta, swa, ema, mean: sum.map((s) => s / (STEPS - BURN_IN)) };
}

/** Runs over which the squared distances are averaged (one run is one noisy draw). */
const RUNS = 20;

describe("SWA on a noisy quadratic trained with SGD", () => {
  const { theta, swa, mean } = train(1);

  it("averages the iterates: the SWA average is their mean", () => {
    expect(swa.nAveraged).toBe(STEPS - BURN_IN);
    for (let i = 0; i < 6; i++) expect(Math.abs(swa.averages[0][i] - mean[i])).toBeLessThanOrEqual(1e-12);
  });

  it("lands nearer the optimum than the last iterate (SWA by far, EMA too)", () => {
    let last = 0;
    let averaged = 0;
    let smoothed = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const run = train(seed);
      last += distance(run.theta.data) ** 2 / RUNS;
      averaged += distance(run.swa.averages[0]) ** 2 / RUNS;
      smoothed += distance(run.ema.averages[0]) ** 2 / RUNS;
    }
    console.info(
      `mean squared distance to the optimum over ${RUNS} runs: last iterate ${last.toFixed(4)}, EMA(0.99) ${smoothed.toFixed(4)}, SWA ${averaged.toFixed(4)}`,
    );
    // Constant-lr SGD is a stationary AR(1) process per coordinate: E(θᵢ − θᵢ*)² = lr·σ²/(hᵢ(2 − lr·hᵢ)),
    // 0.41 summed. The mean of N iterates has variance ≈ σ²/(hᵢ²N) (0.017 summed for N = 1000), an
    // EMA with weight 1 − β ≈ (1 − β)σ²/(2hᵢ²) (0.085): expected ratios 0.04 and 0.2.
    expect(averaged).toBeLessThan(0.1 * last);
    expect(smoothed).toBeLessThan(0.4 * last);
    expect(averaged).toBeLessThan(smoothed);
  });

  it("evaluates with the averages and resumes training from the live weights", () => {
    const live = Float64Array.from(theta.data);
    const loss = (x: ArrayLike<number>) => H.reduce((s, h, i) => s + 0.5 * h * (x[i] - OPTIMUM[i]) ** 2, 0);
    const averagedLoss = swa.withAverages(() => loss(theta.data));
    expect(averagedLoss).toBe(loss(swa.averages[0]));
    expect(theta.data).toEqual(live);
  });
});

// The problems of `fixtures/lbfgs_reference.py`, operation for operation in the same order (so the
// loss and the gradients are the same float64 numbers as the reference's), and a loader for the
// fixture file.
import { readFileSync } from "node:fs";

/** Loss and per-parameter gradients (`null`: no gradient) from the parameters' values. */
export type Problem = (values: ArrayLike<number>[]) => [number, (number[] | null)[]];

export interface ProblemData {
  quadratic: { A: number[][]; b: number[] };
  linear: { c: number[] };
  kinked: { a: number[]; c: number[]; q: number };
  logistic: { X: number[][]; y: number[]; lam: number };
}

export interface StepRecord {
  loss: number;
  calls: number;
  exit: string;
  params: number[][];
  funcEvals: number;
  nIter: number;
  t?: number;
  hDiag?: number;
  prevLoss?: number;
  historyLength?: number;
}

export interface FixtureCase {
  name: string;
  problem: "rosenbrock" | "quadratic" | "linear" | "kinked" | "logistic";
  dtype: "float64" | "float32";
  shapes: number[][];
  initialParams: number[][];
  options: Record<string, unknown>;
  steps: StepRecord[];
}

export interface LineSearchCase {
  breakpoints: number[];
  slopes: number[];
  curvature: number;
  t: number;
  trials: number[];
  loss: number;
  grad: number;
  tOut: number;
  evals: number;
}

export interface Fixture {
  torch: string;
  problems: ProblemData;
  cases: FixtureCase[];
  absSum: { dtype: "float64" | "float32"; x: number[]; absSum: number }[];
  absSumLong: { dtype: "float64" | "float32"; n: number; absSum: number }[];
  fusedAdd: { dtype: "float64" | "float32"; alpha: number; x: number[]; y: number[]; result: number[] }[];
  cubicInterpolate: {
    x1: number;
    f1: number;
    g1: number;
    x2: number;
    f2: number;
    g2: number;
    bounds: [number, number] | null;
    tensorX: boolean;
    result: number;
  }[];
  strongWolfe: LineSearchCase[];
}

export function loadFixture(): Fixture {
  return JSON.parse(readFileSync(new URL("../../fixtures/lbfgs.json", import.meta.url), "utf8")) as Fixture;
}

export function rosenbrock(values: ArrayLike<number>[]): [number, number[][]] {
  const x = values[0];
  const n = x.length;
  let loss = 0;
  const g = new Array<number>(n).fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1.0 - x[i];
    loss = loss + (100.0 * a * a + b * b);
    g[i] = g[i] + (-400.0 * x[i] * a - 2.0 * b);
    g[i + 1] = g[i + 1] + 200.0 * a;
  }
  return [loss, [g]];
}

export function quadratic(
  values: ArrayLike<number>[],
  { A, b }: ProblemData["quadratic"],
): [number, number[][]] {
  const x = values[0];
  const n = x.length;
  let loss = 0;
  const g = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let ax = 0;
    for (let j = 0; j < n; j++) ax = ax + A[i][j] * x[j];
    loss = loss + (0.5 * x[i] * ax - b[i] * x[i]);
    g[i] = ax - b[i];
  }
  return [loss, [g]];
}

export function linear(values: ArrayLike<number>[], { c }: ProblemData["linear"]): [number, number[][]] {
  const x = values[0];
  let loss = 0;
  for (let i = 0; i < x.length; i++) loss = loss + c[i] * x[i];
  return [loss, [[...c]]];
}

export function kinked(
  values: ArrayLike<number>[],
  { a, c, q }: ProblemData["kinked"],
): [number, number[][]] {
  const x = values[0];
  let loss = 0;
  const g = new Array<number>(x.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    const r = x[i] - c[i];
    loss = loss + (a[i] * Math.abs(r) + 0.5 * q * x[i] * x[i]);
    const s = r > 0 ? 1.0 : r < 0 ? -1.0 : 0.0;
    g[i] = a[i] * s + q * x[i];
  }
  return [loss, [g]];
}

// exp and log1p from + − × ÷ only, as in the reference, so that both compute the same bits (V8's
// Math.exp/Math.log1p and C's differ in the last bit for about a third of the arguments met here).
const LN2 = Math.LN2; // 0.6931471805599453, the reference's LN2

/** e^u = 2^k·e^r, |r| ≤ ln(2)/2, e^r by its Taylor polynomial of degree 16 (Horner). */
export function exp(u: number): number {
  const k = Math.floor(u / LN2 + 0.5);
  const r = u - k * LN2;
  let s = 1.0;
  for (let i = 16; i > 0; i--) s = 1.0 + (s * r) / i;
  return s * 2.0 ** k;
}

/** log(1 + v) = 2·atanh(v/(2 + v)) for v ≥ 0, by its series to s⁴¹ (Horner in s²). */
export function log1p(v: number): number {
  const s = v / (2.0 + v);
  const s2 = s * s;
  let acc = 1.0 / 41.0;
  for (let k = 19; k >= 0; k--) acc = acc * s2 + 1.0 / (2 * k + 1);
  return 2.0 * s * acc;
}

function softplus(u: number): number {
  return u > 0 ? u + log1p(exp(-u)) : log1p(exp(u));
}

function sigmoid(u: number): number {
  if (u >= 0) return 1.0 / (1.0 + exp(-u));
  const e = exp(u);
  return e / (1.0 + e);
}

/** Parameters w (4), bias (1), M (2×2), frozen (3, never a gradient). */
export function logistic(
  values: ArrayLike<number>[],
  { X, y, lam }: ProblemData["logistic"],
): [number, (number[] | null)[]] {
  const [w, bias, M] = values;
  const m = X.length;
  let loss = 0;
  const gw = [0, 0, 0, 0];
  let gb = 0;
  const gM = [0, 0, 0, 0];
  for (let n = 0; n < m; n++) {
    let z = bias[0];
    for (let j = 0; j < 4; j++) z = z + w[j] * X[n][j];
    for (let a = 0; a < 2; a++) {
      for (let c = 0; c < 2; c++) z = z + M[a * 2 + c] * X[n][a] * X[n][2 + c];
    }
    const u = -y[n] * z;
    loss = loss + softplus(u);
    const dz = (-y[n] * sigmoid(u)) / m;
    gb = gb + dz;
    for (let j = 0; j < 4; j++) gw[j] = gw[j] + dz * X[n][j];
    for (let a = 0; a < 2; a++) {
      for (let c = 0; c < 2; c++) gM[a * 2 + c] = gM[a * 2 + c] + dz * X[n][a] * X[n][2 + c];
    }
  }
  loss = loss / m;
  let r = 0;
  for (let j = 0; j < 4; j++) r = r + w[j] * w[j];
  for (let k = 0; k < 4; k++) r = r + M[k] * M[k];
  loss = loss + 0.5 * lam * r;
  for (let j = 0; j < 4; j++) gw[j] = gw[j] + lam * w[j];
  for (let k = 0; k < 4; k++) gM[k] = gM[k] + lam * M[k];
  return [loss, [gw, [gb], gM, null]];
}

/** The problem of a fixture case, bound to its data. */
export function problemOf(name: FixtureCase["problem"], data: ProblemData): Problem {
  switch (name) {
    case "rosenbrock":
      return rosenbrock;
    case "quadratic":
      return (v) => quadratic(v, data.quadratic);
    case "linear":
      return (v) => linear(v, data.linear);
    case "kinked":
      return (v) => kinked(v, data.kinked);
    case "logistic":
      return (v) => logistic(v, data.logistic);
  }
}

/** The 1-D piecewise function of a line-search case: (value, slope) at t. */
export function piecewise(t: number, spec: Pick<LineSearchCase, "breakpoints" | "slopes" | "curvature">) {
  const { breakpoints: bps, slopes, curvature: curv } = spec;
  let f = 0;
  let prev = 0;
  let k = 0;
  while (k < bps.length && t > bps[k]) {
    f = f + slopes[k] * (bps[k] - prev);
    prev = bps[k];
    k += 1;
  }
  f = f + slopes[k] * (t - prev);
  return [f + 0.5 * curv * t * t, slopes[k] + curv * t] as const;
}

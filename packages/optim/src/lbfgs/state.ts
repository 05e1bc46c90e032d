/**
 * L-BFGS's state (PyTorch's, camelCased), kept like PyTorch on the first parameter, and its saved
 * form.
 */
import { isFloat32 } from "../kernel-check.js";
import type { ParamState } from "../optimizer.js";
import type { FloatArray } from "../param.js";
import { decodeArray, encodeArray, type SavedArray, type SavedParamState } from "../state-dict.js";
import { show } from "../validate.js";
import { zerosOf } from "./vector.js";

/**
 * The state of `LBFGS`, PyTorch's `state[params[0]]`: vectors are flat (all parameters
 * concatenated, in order) and have the parameters' dtype. Everything but the counters is `null`
 * until the first iteration.
 */
export interface LBFGSState extends ParamState {
  /** Completed `step()` calls. */
  step: number;
  /** Closure calls over all `step()` calls (PyTorch's `func_evals`). */
  funcEvals: number;
  /** Iterations over all `step()` calls (`n_iter`); 1 at the first, which takes a gradient step. */
  nIter: number;
  /** The last search direction. */
  d: FloatArray | null;
  /** The last step length along `d`. */
  t: number | null;
  /** Gradient differences yₖ = gₖ₊₁ − gₖ, oldest first (`old_dirs`), at most `historySize`. */
  oldDirs: FloatArray[] | null;
  /** Steps sₖ = tₖ·dₖ, oldest first (`old_stps`). */
  oldStps: FloatArray[] | null;
  /** ρₖ = 1/(yₖᵀsₖ) (`ro`). */
  ro: number[] | null;
  /** The scale γ = yᵀs/yᵀy of the initial inverse Hessian H₀ = γI (`H_diag`); 1 at first. */
  hDiag: number | null;
  /** The gradient at the start of the last iteration (`prev_flat_grad`). */
  prevFlatGrad: FloatArray | null;
  /** The loss at the start of the last iteration (`prev_loss`). */
  prevLoss: number | null;
  /**
   * The two-loop recursion's αᵢ (`al`): `historySize` entries, created at the first iteration that
   * has a history; NaN where PyTorch's list holds `None`.
   */
  al: FloatArray | null;
}

/** A fresh state: nothing but zero counters. */
export function emptyState(): LBFGSState {
  return {
    step: 0,
    funcEvals: 0,
    nIter: 0,
    d: null,
    t: null,
    oldDirs: null,
    oldStps: null,
    ro: null,
    hDiag: null,
    prevFlatGrad: null,
    prevLoss: null,
    al: null,
  };
}

/**
 * A copy that a step can work on without touching `s`: the arrays a step changes in place are
 * copied (`prevFlatGrad`, `al`, the history lists); history vectors and `d` are never changed
 * once made, so they are shared.
 */
export function cloneState(s: LBFGSState): LBFGSState {
  return {
    ...s,
    oldDirs: s.oldDirs && [...s.oldDirs],
    oldStps: s.oldStps && [...s.oldStps],
    ro: s.ro && [...s.ro],
    prevFlatGrad: s.prevFlatGrad?.slice() ?? null,
    al: s.al?.slice() ?? null,
  };
}

/** Saved as one-element float64 arrays. */
const SCALARS = ["t", "hDiag", "prevLoss"] as const;
/** Saved as numbers. */
const COUNTERS = ["step", "funcEvals", "nIter"] as const;
/** Present once an iteration has run (nIter ≥ 1), absent before. */
const ITERATION_FIELDS = ["d", "t", "oldDirs", "oldStps", "ro", "hDiag", "prevFlatGrad", "prevLoss"] as const;
const KNOWN = new Set<string>([...COUNTERS, ...ITERATION_FIELDS, "al"]);

/**
 * The saved form: counters as numbers; `d`, `prevFlatGrad`, `ro` and `al` as arrays; the history
 * lists `oldDirs`/`oldStps` as one array each (the k vectors concatenated, k = length of `ro`);
 * `t`, `hDiag` and `prevLoss` as one-element float64 arrays, so that every value, even NaN or
 * Infinity, survives JSON exactly.
 */
export function encodeState(s: LBFGSState): SavedParamState {
  const saved: SavedParamState = { step: s.step, funcEvals: s.funcEvals, nIter: s.nIter };
  if (s.d === null) return saved;
  const float32 = isFloat32(s.d);
  const n = s.d.length;
  saved.d = encodeArray(s.d);
  for (const key of SCALARS) {
    const value = s[key];
    if (value !== null) saved[key] = encodeArray(new Float64Array([value]));
  }
  if (s.oldDirs !== null) saved.oldDirs = encodeArray(concat(s.oldDirs, n, float32));
  if (s.oldStps !== null) saved.oldStps = encodeArray(concat(s.oldStps, n, float32));
  if (s.ro !== null) saved.ro = encodeArray(fromNumbers(s.ro, float32));
  if (s.prevFlatGrad !== null) saved.prevFlatGrad = encodeArray(s.prevFlatGrad);
  if (s.al !== null) saved.al = encodeArray(s.al);
  return saved;
}

/**
 * Decodes and checks a saved state for parameters of `numel` elements in total (`float32`: their
 * dtype); `where` names it in errors. Vectors take the parameters' dtype.
 */
export function decodeState(saved: unknown, numel: number, float32: boolean, where: string): LBFGSState {
  if (typeof saved !== "object" || saved === null) {
    throw new TypeError(`${where} is ${show(saved)}, expected an object`);
  }
  const entry = saved as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (!KNOWN.has(key)) throw new RangeError(`${where} has an unknown entry ${show(key)}`);
  }
  const state = emptyState();
  for (const key of COUNTERS) {
    const value = entry[key];
    if (!Number.isInteger(value) || (value as number) < 0) {
      throw new RangeError(`${where}: ${key} is ${show(value)}, expected a non-negative integer`);
    }
    state[key] = value as number;
  }
  if (state.nIter === 0) {
    const present = [...ITERATION_FIELDS, "al"].filter((key) => entry[key] !== undefined);
    if (present.length > 0) throw new RangeError(`${where}: nIter is 0, but it has ${present.join(", ")}`);
    return state;
  }
  const missing = ITERATION_FIELDS.filter((key) => entry[key] === undefined);
  if (missing.length > 0) {
    throw new RangeError(`${where}: nIter is ${state.nIter}, but it has no ${missing.join(", ")}`);
  }
  const vector = (key: string, length: number) =>
    decodeArray(entry[key], zerosOf(float32, length), `${where}: ${key}`);
  const scalar = (key: string) => decodeArray(entry[key], new Float64Array(1), `${where}: ${key}`)[0];
  state.d = vector("d", numel);
  state.prevFlatGrad = vector("prevFlatGrad", numel);
  state.t = scalar("t");
  state.hDiag = scalar("hDiag");
  state.prevLoss = scalar("prevLoss");
  const ro = entry.ro as SavedArray | undefined;
  const k = Array.isArray(ro?.values) ? ro.values.length : 0;
  state.ro = Array.from(vector("ro", k));
  state.oldDirs = split(vector("oldDirs", k * numel), k, numel);
  state.oldStps = split(vector("oldStps", k * numel), k, numel);
  if (entry.al !== undefined) {
    const al = entry.al as SavedArray;
    state.al = vector("al", Array.isArray(al?.values) ? al.values.length : 0);
  }
  return state;
}

function concat(vectors: FloatArray[], n: number, float32: boolean): FloatArray {
  const out = zerosOf(float32, vectors.length * n);
  vectors.forEach((v, i) => {
    out.set(v, i * n);
  });
  return out;
}

function fromNumbers(values: number[], float32: boolean): FloatArray {
  const out = zerosOf(float32, values.length);
  out.set(values);
  return out;
}

function split(flat: FloatArray, k: number, n: number): FloatArray[] {
  return Array.from({ length: k }, (_, i) => flat.slice(i * n, (i + 1) * n));
}

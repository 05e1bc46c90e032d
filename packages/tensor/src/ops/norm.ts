import { checkBoolean, checkOptions, checkTensor, describeValue } from "../check.js";
import { allocate, type FloatArray, promote } from "../dtype.js";
import { apply, noGrad } from "../engine.js";
import { fmtShape, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { BatchNormAttrs, LayerNormAttrs, Op, OpTable } from "./op.js";

/** Saved by a normalisation forward: x̂ = (x − μ)·rstd and rstd = 1/√(σ² + ε) per group. */
interface NormSaved {
  xhat: FloatArray;
  rstd: FloatArray;
  /** A copy of the weight, or null. */
  w: FloatArray | null;
}

/** Inputs after x: weight (if any), then bias (if any); their storages. */
function params(inputs: readonly Tensor[], a: { hasWeight: boolean; hasBias: boolean }) {
  const w = a.hasWeight ? inputs[1]._data : null;
  const b = a.hasBias ? inputs[a.hasWeight ? 2 : 1]._data : null;
  return { w, b };
}

/**
 * layerNorm over the last `m` elements of each row (rows = size/m):
 *   μ = mean(x), σ² = mean((x − μ)²) (biased), x̂ = (x − μ)/√(σ² + ε), y = x̂·w + b
 * → with ĝ = g·w:  dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  dw = Σ_rows g·x̂,  db = Σ_rows g.
 */
const layerNormOp: Op<LayerNormAttrs> = {
  name: "layerNorm",
  // Backward uses its saved x̂, rstd and a copy of the weight: it reads no input storage.
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const { w, b } = params(inputs, a);
    const m = a.m;
    const rows = m === 0 ? 0 : x.size / m;
    let dtype = x.dtype;
    for (let i = 1; i < inputs.length; i++) dtype = promote(dtype, inputs[i].dtype);
    const out = allocate(dtype, x.size);
    const xhat = allocate(dtype, x.size);
    const rstd = allocate(dtype, rows);
    const xd = x._data;
    for (let r = 0; r < rows; r++) {
      const o = r * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += xd[o + j];
      const mu = s / m;
      let v = 0;
      for (let j = 0; j < m; j++) {
        const d = xd[o + j] - mu;
        v += d * d;
      }
      const rs = 1 / Math.sqrt(v / m + a.eps);
      rstd[r] = rs;
      for (let j = 0; j < m; j++) {
        const h = (xd[o + j] - mu) * rs;
        xhat[o + j] = h;
        out[o + j] = h * (w ? w[j] : 1) + (b ? b[j] : 0);
      }
    }
    return { data: out, shape: x.shape, saved: { xhat, rstd, w: w ? w.slice() : null } satisfies NormSaved };
  },
  backward(g, ctx, needs) {
    const a = ctx.attrs;
    const { xhat, rstd, w } = ctx.saved as NormSaved;
    const m = a.m;
    const rows = rstd.length;
    const dt = g instanceof Float64Array ? "float64" : "float32";
    const gx = needs[0] ? allocate(dt, g.length) : null;
    const gw = a.hasWeight && needs[1] ? allocate(dt, m) : null;
    const gb = a.hasBias && needs[a.hasWeight ? 2 : 1] ? allocate(dt, m) : null;
    for (let r = 0; r < rows; r++) {
      const o = r * m;
      if (gx) {
        let s1 = 0;
        let s2 = 0;
        for (let j = 0; j < m; j++) {
          const gh = g[o + j] * (w ? w[j] : 1);
          s1 += gh;
          s2 += gh * xhat[o + j];
        }
        s1 /= m;
        s2 /= m;
        for (let j = 0; j < m; j++) {
          const gh = g[o + j] * (w ? w[j] : 1);
          gx[o + j] = rstd[r] * (gh - s1 - xhat[o + j] * s2);
        }
      }
      if (gw) for (let j = 0; j < m; j++) gw[j] += g[o + j] * xhat[o + j];
      if (gb) for (let j = 0; j < m; j++) gb[j] += g[o + j];
    }
    const res: (FloatArray | null)[] = [gx];
    if (a.hasWeight) res.push(gw);
    if (a.hasBias) res.push(gb);
    return res;
  },
};

/**
 * batchNorm over `[N, C, *]`, per channel c over its n = N·(spatial size) values:
 *   training: μ_c, σ²_c (biased) of the batch; eval: the running statistics
 *   x̂ = (x − μ_c)/√(σ²_c + ε), y = x̂·w_c + b_c
 * (μ_c and σ²_c arrive in the attributes, computed by {@link channelStats} or taken from the running ones.)
 * → training: dx = w_c·rstd_c·(g − mean_c(g) − x̂·mean_c(g·x̂)) (μ, σ² depend on x);
 *   eval: dx = w_c·rstd_c·g;  both: dw_c = Σ g·x̂, db_c = Σ g.
 */
const batchNormOp: Op<BatchNormAttrs> = {
  name: "batchNorm",
  backwardReads: [],
  forward(inputs, a) {
    const x = inputs[0];
    const { w, b } = params(inputs, a);
    const [nb, c] = x.shape;
    const sp = nb * c === 0 ? 0 : x.size / (nb * c);
    let dtype = x.dtype;
    for (let i = 1; i < inputs.length; i++) dtype = promote(dtype, inputs[i].dtype);
    const out = allocate(dtype, x.size);
    const xhat = allocate(dtype, x.size);
    const rstd = allocate(dtype, c);
    const xd = x._data;
    for (let ch = 0; ch < c; ch++) {
      const mu = a.mean[ch];
      const v = a.var[ch];
      const rs = 1 / Math.sqrt(v + a.eps);
      rstd[ch] = rs;
      const wc = w ? w[ch] : 1;
      const bc = b ? b[ch] : 0;
      for (let i = 0; i < nb; i++) {
        for (let k = 0, o = (i * c + ch) * sp; k < sp; k++) {
          const h = (xd[o + k] - mu) * rs;
          xhat[o + k] = h;
          out[o + k] = h * wc + bc;
        }
      }
    }
    const saved: NormSaved = { xhat, rstd, w: w ? w.slice() : null };
    return { data: out, shape: x.shape, saved };
  },
  backward(g, ctx, needs) {
    const a = ctx.attrs;
    const { xhat, rstd, w } = ctx.saved as NormSaved;
    const shape = ctx.inputs[0].shape;
    const [nb, c] = shape;
    const sp = nb * c === 0 ? 0 : g.length / (nb * c);
    const n = nb * sp;
    const dt = g instanceof Float64Array ? "float64" : "float32";
    const gx = needs[0] ? allocate(dt, g.length) : null;
    const gw = a.hasWeight && needs[1] ? allocate(dt, c) : null;
    const gb = a.hasBias && needs[a.hasWeight ? 2 : 1] ? allocate(dt, c) : null;
    for (let ch = 0; ch < c; ch++) {
      let sg = 0;
      let sgx = 0;
      for (let i = 0; i < nb; i++) {
        for (let k = 0, o = (i * c + ch) * sp; k < sp; k++) {
          sg += g[o + k];
          sgx += g[o + k] * xhat[o + k];
        }
      }
      if (gw) gw[ch] = sgx;
      if (gb) gb[ch] = sg;
      if (!gx) continue;
      const k0 = (w ? w[ch] : 1) * rstd[ch];
      const mg = sg / n;
      const mgx = sgx / n;
      for (let i = 0; i < nb; i++) {
        for (let k = 0, o = (i * c + ch) * sp; k < sp; k++) {
          gx[o + k] = a.training ? k0 * (g[o + k] - mg - xhat[o + k] * mgx) : k0 * g[o + k];
        }
      }
    }
    const res: (FloatArray | null)[] = [gx];
    if (a.hasWeight) res.push(gw);
    if (a.hasBias) res.push(gb);
    return res;
  },
};

export const normOps = { layerNorm: layerNormOp, batchNorm: batchNormOp } satisfies Partial<OpTable>;

/** Per-channel mean and biased variance of `[N, C, *]` over every dim but 1 (two passes, float64). */
export function channelStats(
  x: FloatArray,
  shape: readonly number[],
): { mean: Float64Array; var: Float64Array } {
  const [nb, c] = shape;
  const sp = nb * c === 0 ? 0 : x.length / (nb * c);
  const n = nb * sp;
  const mean = new Float64Array(c);
  const v = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < nb; i++) for (let k = 0, o = (i * c + ch) * sp; k < sp; k++) s += x[o + k];
    const mu = s / n;
    let q = 0;
    for (let i = 0; i < nb; i++) {
      for (let k = 0, o = (i * c + ch) * sp; k < sp; k++) {
        const d = x[o + k] - mu;
        q += d * d;
      }
    }
    mean[ch] = mu;
    v[ch] = q / n;
  }
  return { mean, var: v };
}

function optionalTensor(op: string, name: string, v: unknown): Tensor | null {
  if (v === undefined || v === null) return null;
  return checkTensor(op, name, v);
}

function checkEps(op: string, eps: unknown): number {
  if (typeof eps !== "number" || !Number.isFinite(eps) || eps < 0) {
    throw new RangeError(
      `${op}: eps must be a non-negative finite number, got ${typeof eps === "number" ? eps : describeValue(eps)}`,
    );
  }
  return eps;
}

/**
 * Layer normalisation over the trailing dims `normalizedShape` (`F.layer_norm`): each slice is
 * shifted by its mean and divided by √(biased variance + eps), then scaled by `weight` and shifted
 * by `bias` (both optional, of shape `normalizedShape`).
 */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  checkTensor("layerNorm", "input", input);
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(ns) || ns.length === 0 || ns.some((d) => typeof d !== "number")) {
    throw new TypeError(
      `layerNorm: normalizedShape must be a non-empty array of sizes or a size, got ${describeValue(normalizedShape)}`,
    );
  }
  const tail = input.shape.slice(input.ndim - ns.length);
  if (ns.length > input.ndim || tail.some((d, i) => d !== ns[i])) {
    throw new RangeError(
      `layerNorm: normalizedShape ${fmtShape(ns)} does not match the trailing dims of input ${fmtShape(input.shape)} ` +
        `(expected input of shape [*, ${ns.join(", ")}])`,
    );
  }
  const w = optionalTensor("layerNorm", "weight", weight);
  const b = optionalTensor("layerNorm", "bias", bias);
  for (const [name, p] of [
    ["weight", w],
    ["bias", b],
  ] as const) {
    if (p && (p.ndim !== ns.length || p.shape.some((d, i) => d !== ns[i]))) {
      throw new RangeError(
        `layerNorm: ${name} of shape ${fmtShape(p.shape)} must have normalizedShape ${fmtShape(ns)}`,
      );
    }
  }
  checkEps("layerNorm", eps);
  const inputs = [input];
  if (w) inputs.push(w);
  if (b) inputs.push(b);
  return apply(layerNormOp, inputs, { m: sizeOf(ns), eps, hasWeight: w !== null, hasBias: b !== null });
}

/** Options of {@link batchNorm}, as `F.batch_norm`. */
export interface BatchNormOptions {
  /** Normalise with the batch statistics and update the running ones (default false: use them). */
  training?: boolean;
  /** Weight of the new batch statistic in the running average (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

const BATCH_NORM_OPTIONS = ["training", "momentum", "eps"] as const;

/**
 * Batch normalisation of `[N, C, *]` per channel (dim 1), as `F.batch_norm`.
 *
 * Training: normalises with the batch mean and biased variance over every dim but 1, and updates
 * `runningMean`/`runningVar` (if given) in place, without recording a graph:
 *   running ← (1 − momentum)·running + momentum·batch, with the UNBIASED variance (n/(n − 1)·σ²).
 * Eval: normalises with `runningMean`/`runningVar` (required). `weight`/`bias` are optional `[C]`.
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null | undefined,
  runningVar: Tensor | null | undefined,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts?: BatchNormOptions,
): Tensor {
  checkTensor("batchNorm", "input", input);
  const {
    training = false,
    momentum = 0.1,
    eps = 1e-5,
  } = checkOptions("batchNorm", opts, BATCH_NORM_OPTIONS);
  checkBoolean("batchNorm", "training", training);
  if (typeof momentum !== "number" || !Number.isFinite(momentum)) {
    throw new RangeError(
      `batchNorm: momentum must be a finite number, got ${typeof momentum === "number" ? momentum : describeValue(momentum)}`,
    );
  }
  checkEps("batchNorm", eps);
  if (input.ndim < 2) {
    throw new RangeError(
      `batchNorm: input must be [N, C, *] (at least 2-D), got shape ${fmtShape(input.shape)}`,
    );
  }
  const c = input.shape[1];
  const rm = optionalTensor("batchNorm", "runningMean", runningMean);
  const rv = optionalTensor("batchNorm", "runningVar", runningVar);
  const w = optionalTensor("batchNorm", "weight", weight);
  const b = optionalTensor("batchNorm", "bias", bias);
  for (const [name, p] of [
    ["runningMean", rm],
    ["runningVar", rv],
    ["weight", w],
    ["bias", b],
  ] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== c)) {
      throw new RangeError(
        `batchNorm: ${name} must have shape [${c}] for input ${fmtShape(input.shape)} (C = ${c}), got ${fmtShape(p.shape)}`,
      );
    }
  }
  const n = c === 0 ? 0 : input.size / c;
  if (training && n <= 1) {
    throw new RangeError(
      `batchNorm: expected more than 1 value per channel when training, got input of shape ${fmtShape(input.shape)}`,
    );
  }
  if (!training && (rm === null || rv === null)) {
    throw new TypeError("batchNorm: runningMean and runningVar are required when not training");
  }
  const inputs = [input];
  if (w) inputs.push(w);
  if (b) inputs.push(b);
  const stats = training
    ? channelStats(input._data, input.shape)
    : { mean: Float64Array.from((rm as Tensor)._data), var: Float64Array.from((rv as Tensor)._data) };
  const attrs: BatchNormAttrs = { training, eps, hasWeight: w !== null, hasBias: b !== null, ...stats };
  const out = apply(batchNormOp, inputs, attrs);
  if (training) {
    noGrad(() => {
      if (rm !== null) {
        const d = rm.data; // a write through .data: bumps its version, like PyTorch's in-place update
        for (let ch = 0; ch < c; ch++) d[ch] = (1 - momentum) * d[ch] + momentum * stats.mean[ch];
      }
      if (rv !== null) {
        const d = rv.data;
        for (let ch = 0; ch < c; ch++)
          d[ch] = (1 - momentum) * d[ch] + momentum * ((stats.var[ch] * n) / (n - 1));
      }
    });
  }
  return out;
}

import type { Tensor } from "./tensor.js";

const MAX_ELEMENTS = 1000;
const EDGE = 3;

function fmtNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(0);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

/** `tensor([[1, 2], [3, 4]], dtype=float32, requiresGrad=true)`; large tensors are summarised. */
export function formatTensor(t: Tensor): string {
  const summarise = t.size > MAX_ELEMENTS;
  const strides: number[] = [];
  let acc = 1;
  for (let i = t.ndim - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= t.shape[i];
  }
  const rec = (dim: number, off: number): string => {
    if (dim === t.ndim) return fmtNumber(t._data[off]);
    const n = t.shape[dim];
    const parts: string[] = [];
    const push = (i: number) => parts.push(rec(dim + 1, off + i * strides[dim]));
    if (summarise && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) push(i);
      parts.push("...");
      for (let i = n - EDGE; i < n; i++) push(i);
    } else for (let i = 0; i < n; i++) push(i);
    const sep = dim === t.ndim - 1 ? ", " : `,\n${" ".repeat(8 + dim)}`;
    return `[${parts.join(sep)}]`;
  };
  const extras = [`dtype=${t.dtype}`];
  if (t.requiresGrad) extras.push("requiresGrad=true");
  if (t.size === 0) extras.unshift(`shape=[${t.shape.join(", ")}]`);
  return `tensor(${rec(0, 0)}, ${extras.join(", ")})`;
}

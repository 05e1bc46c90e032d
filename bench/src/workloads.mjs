/**
 * The benchmark workloads, described once; every engine implements them from these descriptions.
 * Times are medians in milliseconds; `flops` / `bytes` turn them into GFLOP/s and GB/s.
 */

import { OPTIMIZER_CATALOG } from "@descent/optim";

/**
 * The optimizer rules benchmarked: every element-wise rule of `@descent/optim`'s catalog (a rule
 * added to the package gets its rows with no edit here), each at its catalog defaults with
 * `lr = HYPER.lr`. Rules whose `step()` needs a closure (LBFGS) or a parameter's matrix shape
 * (Muon, Adafactor) are not element-wise updates.
 */
export const RULES = OPTIMIZER_CATALOG.filter((e) => e.needsClosure !== true && e.needsShape !== true).map(
  (e) => e.id,
);

/**
 * Bytes one fused optimizer pass must move per fp32 parameter with `buffers` state arrays: read
 * p, g and each buffer, write p and each buffer.
 */
export function bytesPerParam(buffers) {
  return 12 + 8 * buffers;
}

/** @typedef {{ id: string, group: "train" | "matmul" | "optim", label: string, [k: string]: unknown }} Workload */

/** @returns {Workload[]} */
export function workloads({ quick = false } = {}) {
  const list = [
    {
      id: "mlp-mnist",
      group: "train",
      label: "MLP 784-256-128-10, ReLU, cross-entropy, batch 128, Adam: one step",
      sizes: [784, 256, 128, 10],
      act: "relu",
      loss: "ce",
      batch: 128,
    },
    {
      id: "mlp-tiny",
      group: "train",
      label: "MLP 2-16-16-1, tanh, MSE, batch 32, Adam: one step",
      sizes: [2, 16, 16, 1],
      act: "tanh",
      loss: "mse",
      batch: 32,
    },
  ];
  for (const n of quick ? [64, 256] : [64, 128, 256, 512, 1024]) {
    list.push({ id: `matmul-${n}`, group: "matmul", label: `fp32 matmul ${n}×${n}`, n, flops: 2 * n ** 3 });
  }
  for (const size of quick ? [1e6] : [1e6, 1e7]) {
    for (const rule of RULES) {
      list.push({
        id: `optim-${rule}-${size}`,
        group: "optim",
        label: `${rule} step, ${size === 1e6 ? "1e6" : "1e7"} fp32 params`,
        rule,
        size,
      });
    }
  }
  return list;
}

/** Hyper-parameters shared by every engine (PyTorch defaults where the rule has them). */
export const HYPER = { lr: 1e-3, momentum: 0.9, alpha: 0.99, betas: [0.9, 0.999], eps: 1e-8 };

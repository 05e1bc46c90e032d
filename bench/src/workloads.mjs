/**
 * The workloads of issue 7, described once; every engine implements them from these descriptions.
 * Times are medians in milliseconds; `flops` / `bytes` turn them into GFLOP/s and GB/s.
 */

/** The optimizer rules benchmarked, with the hyper-parameters every engine uses. */
export const RULES = ["sgd", "momentum", "adagrad", "rmsprop", "adam"];

/**
 * Bytes one fused optimizer pass must move per fp32 parameter: read p, g and each state array,
 * write p and each state array.
 */
export const BYTES_PER_PARAM = { sgd: 12, momentum: 20, adagrad: 20, rmsprop: 20, adam: 28, adamw: 28 };

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
        bytes: BYTES_PER_PARAM[rule] * size,
      });
    }
  }
  return list;
}

/** Hyper-parameters shared by every engine (PyTorch defaults where the rule has them). */
export const HYPER = { lr: 1e-3, momentum: 0.9, alpha: 0.99, betas: [0.9, 0.999], eps: 1e-8 };

/**
 * Descent implementations of the workloads, on its plain-JS reference backend ("js") or its
 * WASM SIMD backend ("wasm"). Uses the built packages (dist/), so run after `tsc -b`.
 */

import { randomArray } from "./timing.mjs";
import { HYPER } from "./workloads.mjs";

/** @param {"js" | "wasm"} which */
export async function descentEngine(which) {
  const T = await import("@descent/tensor");
  const O = await import("@descent/optim");
  // The WASM backend's module, by file URL until the package index exports it.
  const W = T.createWasmBackend
    ? T
    : {
        ...(await import(new URL("../../packages/tensor/dist/backend/wasm.js", import.meta.url))),
        ...(await import(new URL("../../packages/tensor/dist/backend/wasm-adam.js", import.meta.url))),
      };
  const backend = which === "wasm" ? W.createWasmBackend() : T.referenceBackend;
  if (!backend) throw new Error("descent: WebAssembly SIMD is not available");
  return {
    name: `descent-${which}`,
    note:
      which === "wasm"
        ? `backend "${backend.name}": WASM SIMD matmul, the rest in JS`
        : 'backend "reference": plain TypeScript',
    setup: (w) => {
      T.setBackend(backend);
      if (w.group === "train") return mlp(T, O, w);
      if (w.group === "matmul") return which === "js" && w.n > 512 ? null : matmul(T, w.n);
      if (w.group === "optim") return which === "js" ? optim(O, w) : wasmOptim(W, w);
      return null;
    },
  };
}

function mlp(T, O, { sizes, act, loss, batch }) {
  const params = [];
  const layers = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const bound = 1 / Math.sqrt(sizes[l]);
    const W = new T.Tensor(randomArray(sizes[l] * sizes[l + 1], 10 + l, bound), [sizes[l + 1], sizes[l]], {
      requiresGrad: true,
    });
    const b = new T.Tensor(randomArray(sizes[l + 1], 20 + l, bound), [sizes[l + 1]], { requiresGrad: true });
    params.push(W, b);
    layers.push([W, b]);
  }
  const x = new T.Tensor(randomArray(batch * sizes[0], 1), [batch, sizes[0]]);
  const out = sizes[sizes.length - 1];
  const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7) % out);
  const y = new T.Tensor(randomArray(batch, 2), [batch, 1]);
  const opt = new O.Adam(params, { lr: HYPER.lr, betas: HYPER.betas, eps: HYPER.eps });
  return {
    run: () => {
      opt.zeroGrad();
      let h = x;
      for (let l = 0; l < layers.length; l++) {
        h = h.linear(layers[l][0], layers[l][1]);
        if (l + 1 < layers.length) h = act === "relu" ? h.relu() : h.tanh();
      }
      const L = loss === "ce" ? T.crossEntropy(h, labels) : T.mseLoss(h, y);
      L.backward();
      opt.step();
    },
  };
}

function matmul(T, n) {
  const a = new T.Tensor(randomArray(n * n, 3), [n, n]);
  const b = new T.Tensor(randomArray(n * n, 4), [n, n]);
  return { run: () => a.matmul(b) };
}

function optim(O, { rule, size }) {
  const p = { data: randomArray(size, 5), grad: { data: randomArray(size, 6, 1e-2) } };
  const { lr, momentum, alpha, betas, eps } = HYPER;
  const opt = {
    sgd: () => new O.SGD([p], { lr }),
    momentum: () => new O.SGD([p], { lr, momentum }),
    adagrad: () => new O.Adagrad([p], { lr }),
    rmsprop: () => new O.RMSprop([p], { lr, alpha, eps }),
    adam: () => new O.Adam([p], { lr, betas, eps }),
  }[rule]();
  return { run: () => opt.step() };
}

/** The WASM SIMD optimizer kernels (Adam so far); other rules report n/a. */
function wasmOptim(W, { rule, size }) {
  if (rule !== "adam" || !W.wasmAdamStep) return null;
  const p = randomArray(size, 5);
  const g = randomArray(size, 6, 1e-2);
  const m = new Float32Array(size);
  const v = new Float32Array(size);
  const h = { lr: HYPER.lr, betas: HYPER.betas, eps: HYPER.eps, weightDecay: 0, maximize: false };
  let t = 0;
  return { run: () => W.wasmAdamStep(p, g, m, v, ++t, h) };
}

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
  const W = await wasmApi(T);
  const backend = which === "wasm" ? W.createWasmBackend() : T.referenceBackend;
  if (!backend) throw new Error("descent: WebAssembly SIMD is not available");
  return {
    name: `descent-${which}`,
    note:
      which === "wasm"
        ? `backend "${backend.name}": WASM SIMD matmul (float32 and float64), the rest in JS; optimizer rows: the fused \`wasm*Step\` kernels`
        : 'backend "reference": plain TypeScript; optimizer rows: `@descent/optim`',
    setup: (w) => {
      T.setBackend(backend);
      const job = setup(T, O, W, which, w);
      if (!job) return null;
      // Engines run in alternation and share Descent's one active backend: select ours first.
      const run = job.run;
      return {
        ...job,
        run: () => {
          T.setBackend(backend);
          run();
        },
      };
    },
  };
}

function setup(T, O, W, which, w) {
  if (w.group === "train") return mlp(T, O, w, which === "wasm" && w.fusedAdam ? T : null);
  if (w.group === "matmul") return which === "js" && w.n > 512 ? null : matmul(T, w.n);
  if (w.group === "optim") return which === "js" ? optim(O, w) : wasmOptim(W, w);
  return null;
}

/** One training step; with `fused` (the tensor package), the update is `wasmAdamStep` per parameter. */
function mlp(T, O, { sizes, act, loss, batch }, fused) {
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
  const opt = fused
    ? fusedAdam(fused, params)
    : new O.Adam(params, { lr: HYPER.lr, betas: HYPER.betas, eps: HYPER.eps });
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

/** Adam over tensors with the fused WASM kernel: what `@descent/optim` could call for float32. */
function fusedAdam(T, params) {
  const state = params.map((p) => ({ m: new Float32Array(p.size), v: new Float32Array(p.size) }));
  const h = { lr: HYPER.lr, betas: HYPER.betas, eps: HYPER.eps, weightDecay: 0, maximize: false };
  let t = 0;
  return {
    zeroGrad: () => {
      for (const p of params) p.grad = null;
    },
    step: () => {
      t++;
      for (let i = 0; i < params.length; i++) {
        T.wasmAdamStep(params[i].data, params[i].grad.data, state[i].m, state[i].v, t, h);
      }
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

/** The WASM entry points: from the package index, or from dist/ files until the index exports them. */
async function wasmApi(T) {
  if (T.createWasmBackend && T.wasmAdamStep) return T;
  const api = {};
  for (const f of ["wasm", "wasm-adam", "wasm-sgd", "wasm-adagrad", "wasm-rmsprop"]) {
    Object.assign(api, await import(new URL(`../../packages/tensor/dist/backend/${f}.js`, import.meta.url)));
  }
  return api;
}

/** The fused WASM SIMD optimizer kernels over the same arrays, state kept by the caller. */
function wasmOptim(W, { rule, size }) {
  const p = randomArray(size, 5);
  const g = randomArray(size, 6, 1e-2);
  const s1 = new Float32Array(size);
  const s2 = new Float32Array(size);
  const { lr, momentum, alpha, betas, eps } = HYPER;
  let t = 0;
  const run = {
    sgd: () =>
      W.wasmSgdStep(p, g, null, false, {
        lr,
        momentum: 0,
        dampening: 0,
        nesterov: false,
        weightDecay: 0,
        maximize: false,
      }),
    momentum: () =>
      W.wasmSgdStep(p, g, s1, ++t === 1, {
        lr,
        momentum,
        dampening: 0,
        nesterov: false,
        weightDecay: 0,
        maximize: false,
      }),
    adagrad: () =>
      W.wasmAdagradStep(p, g, s1, ++t, { lr, lrDecay: 0, weightDecay: 0, eps: 1e-10, maximize: false }),
    rmsprop: () =>
      W.wasmRmspropStep(p, g, s1, null, null, {
        lr,
        alpha,
        eps,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
      }),
    adam: () => W.wasmAdamStep(p, g, s1, s2, ++t, { lr, betas, eps, weightDecay: 0, maximize: false }),
  }[rule];
  return { run };
}

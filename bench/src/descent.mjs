/**
 * Descent implementations of the workloads: "js" runs `@descent/tensor`'s plain-TypeScript
 * reference backend and `@descent/optim`'s TypeScript loops, "wasm" the WASM SIMD backend and
 * `@descent/optim`'s WASM kernels (the defaults where WebAssembly SIMD exists). Uses the built
 * packages (dist/), so run after `tsc -b` and the bundle step.
 */

import { randomArray } from "./timing.mjs";
import { bytesPerParam, HYPER } from "./workloads.mjs";

/** @param {"js" | "wasm"} which */
export async function descentEngine(which) {
  const T = await import("@descent/tensor");
  const O = await import("@descent/optim");
  const backend = which === "wasm" ? T.createWasmBackend() : T.referenceBackend;
  if (!backend) throw new Error("descent: WebAssembly SIMD is not available");
  /** Engines run in alternation and share Descent's active backends: select ours first. */
  const select = () => {
    T.setBackend(backend);
    O.setKernelBackend(which);
  };
  return {
    name: `descent-${which}`,
    note:
      which === "wasm"
        ? `tensor backend "${backend.name}" (WASM SIMD matmul, the rest in JS); \`@descent/optim\` kernel backend "wasm" (fused WASM SIMD updates)`
        : 'tensor backend "reference" (plain TypeScript); `@descent/optim` kernel backend "js" (TypeScript loops)',
    setup: (w) => {
      select();
      const job = setup(T, O, which, w);
      if (!job) return null;
      const run = job.run;
      return {
        ...job,
        run: () => {
          select();
          run();
        },
      };
    },
  };
}

function setup(T, O, which, w) {
  if (w.group === "train") return mlp(T, O, w);
  if (w.group === "matmul") return which === "js" && w.n > 512 ? null : matmul(T, w.n);
  if (w.group === "optim") return optim(O, w);
  return null;
}

/** One training step, as a user writes it: forward, loss, backward, `Adam.step()` (default options). */
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

/**
 * One `step()` of an `@descent/optim` optimizer over one float32 parameter, built from the
 * catalog at its defaults with `lr = HYPER.lr`. `nonFinite:
 * "propagate"` is PyTorch's and TF.js's behaviour (no scan of the gradient for NaN/Infinity), so
 * every engine does the same work; the default `"error"` adds one read of the gradient per step.
 */
function optim(O, w) {
  const p = { data: randomArray(w.size, 5), grad: { data: randomArray(w.size, 6, 1e-2) } };
  const opt = O.createOptimizer(w.rule, [p], { lr: HYPER.lr }, { nonFinite: "propagate" });
  // The bandwidth bound counts the state arrays the rule keeps (known after its first step).
  opt.step();
  const state = opt.state.get(p) ?? {};
  const buffers = Object.values(state).filter((v) => ArrayBuffer.isView(v)).length;
  w.bytes ??= bytesPerParam(buffers) * w.size;
  return { run: () => opt.step() };
}

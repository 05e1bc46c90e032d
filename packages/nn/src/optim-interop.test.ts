/**
 * Pluggability: @descent/optim drives @descent/tensor Tensors as they are (a Tensor satisfies the
 * optimizers' `Param` interface), with trajectories identical to plain `{ data, grad }` objects
 * given the same gradients.
 */
import {
  Adafactor,
  Adagrad,
  Adam,
  AdamW,
  Muon,
  type Optimizer,
  type Param,
  type ParamsInput,
  RMSprop,
  SGD,
} from "@descent/optim";
import { type DType, type Tensor, tensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";

/** Steps of each run. */
const STEPS = 50;

type Make = (params: ParamsInput) => Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ["SGD", (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ["Adagrad", (p) => new Adagrad(p, { lr: 0.3, lrDecay: 0.01 })],
  ["RMSprop", (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
  ["Adam", (p) => new Adam(p, { lr: 0.05, amsgrad: true })],
  ["AdamW", (p) => new AdamW(p, { lr: 0.05 })],
];

const X = [
  [1.0, 0.5, -0.3],
  [-0.7, 1.2, 0.8],
  [0.3, -0.9, 1.1],
  [1.5, 0.2, -1.0],
  [-1.1, -0.4, 0.6],
  [0.6, 1.4, 0.1],
];
const Y = [[0.8], [-0.2], [1.3], [0.1], [-1.0], [1.6]];

function mseLoss(w: Tensor, b: Tensor, dtype: DType): Tensor {
  const x = tensor(X, { dtype });
  const y = tensor(Y, { dtype });
  return x.matmul(w).add(b).sub(y).pow(2).mean();
}

describe.each(["float64", "float32"] as const)("@descent/optim on @descent/tensor Tensors (%s)", (dtype) => {
  it.each(OPTIMIZERS)("%s: same trajectory as plain objects, loss falls", (_, make) => {
    const w = tensor([[0.8], [-1.2], [0.5]], { dtype, requiresGrad: true });
    const b = tensor([0.3], { dtype, requiresGrad: true });
    const Arr = dtype === "float64" ? Float64Array : Float32Array;
    const pw: Param = { data: Arr.from(w.data), grad: null };
    const pb: Param = { data: Arr.from(b.data), grad: null };
    const onTensors = make([w, b]);
    const onPlain = make([pw, pb]);
    const initial = mseLoss(w, b, dtype).item();
    for (let t = 0; t < STEPS; t++) {
      onTensors.zeroGrad();
      mseLoss(w, b, dtype).backward();
      pw.grad = { data: Arr.from(w.grad?.data ?? []) };
      pb.grad = { data: Arr.from(b.grad?.data ?? []) };
      onTensors.step();
      onPlain.step();
      expect(w.data).toEqual(pw.data);
      expect(b.data).toEqual(pb.data);
    }
    expect(w.grad).not.toBeNull();
    onTensors.zeroGrad();
    expect(w.grad).toBeNull();
    expect(mseLoss(w, b, dtype).item()).toBeLessThan(initial / 2);
  });
});

describe("optimizer steps and the stale-value check of backward", () => {
  const STALE =
    /^backward: one of the tensors needed for gradient computation has been modified since the forward pass: input \d of '(linear|mul)'/;
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: step() before backward() is an error; after it, training runs`, () => {
      const w = tensor([[0.5, -0.25, 1]], { dtype: "float64", requiresGrad: true });
      const x = tensor(X, { dtype: "float64" });
      const opt = make([w]);
      const loss = () => x.linear(w).pow(2).mean();
      // A first step so that every parameter has a gradient and optimizer state.
      loss().backward();
      opt.step();
      opt.zeroGrad();
      const early = loss();
      w.grad = tensor([[1, 1, 1]], { dtype: "float64" });
      opt.step(); // too early: the graph of `early` saved w
      expect(() => early.backward()).toThrow(STALE);
      for (let s = 0; s < 5; s++) {
        opt.zeroGrad();
        loss().backward();
        opt.step();
      }
      // retainGraph + step + second backward: an error, as in PyTorch.
      opt.zeroGrad();
      const kept = loss();
      kept.backward(undefined, { retainGraph: true });
      opt.step();
      expect(() => kept.backward()).toThrow(STALE);
    });
  }
});

// The matrix rules read each parameter's `shape`: a Tensor has it, a plain object adds it. A hidden
// layer 3→4 (tanh) and an output layer 4→1: Muon takes the two weight matrices and AdamW the
// biases (the usual pairing); Adafactor takes everything (factored matrices, unfactored biases).
const H = [
  [0.5, -0.3, 0.8, 0.1],
  [-0.6, 0.4, 0.2, -0.9],
  [0.7, 0.3, -0.5, 0.6],
];
const V = [[0.4], [-0.7], [0.2], [0.9]];

function mlpLoss(w1: Tensor, b1: Tensor, w2: Tensor, dtype: DType): Tensor {
  const x = tensor(X, { dtype });
  const y = tensor(Y, { dtype });
  return x.matmul(w1).add(b1).tanh().matmul(w2).sub(y).pow(2).mean();
}

type MakeMatrix = (matrices: Param[], vectors: Param[]) => Optimizer[];
const MATRIX_RULES: [string, MakeMatrix][] = [
  ["Muon + AdamW", (m, v) => [new Muon(m, { lr: 0.05 }), new AdamW(v, { lr: 0.05 })]],
  ["Adafactor", (m, v) => [new Adafactor([...m, ...v], { lr: 0.1 })]],
];

describe.each(["float64", "float32"] as const)("matrix rules on @descent/tensor Tensors (%s)", (dtype) => {
  it.each(MATRIX_RULES)(
    "%s: tensors' shapes are used, same trajectory as shaped plain objects, loss falls",
    (_, make) => {
      const w1 = tensor(H, { dtype, requiresGrad: true });
      const b1 = tensor([0.1, -0.1, 0.05, 0], { dtype, requiresGrad: true });
      const w2 = tensor(V, { dtype, requiresGrad: true });
      const Arr = dtype === "float64" ? Float64Array : Float32Array;
      const plain = [w1, b1, w2].map(
        (t): Param => ({ data: Arr.from(t.data), grad: null, shape: [...t.shape] }),
      );
      const onTensors = make([w1, w2], [b1]);
      const onPlain = make([plain[0], plain[2]], [plain[1]]);
      const initial = mlpLoss(w1, b1, w2, dtype).item();
      for (let t = 0; t < STEPS; t++) {
        for (const opt of onTensors) opt.zeroGrad();
        mlpLoss(w1, b1, w2, dtype).backward();
        [w1, b1, w2].forEach((tensorParam, k) => {
          plain[k].grad = { data: Arr.from(tensorParam.grad?.data ?? []) };
        });
        for (const opt of [...onTensors, ...onPlain]) opt.step();
        [w1, b1, w2].forEach((tensorParam, k) => {
          expect(tensorParam.data).toEqual(plain[k].data);
        });
      }
      expect(mlpLoss(w1, b1, w2, dtype).item()).toBeLessThan(initial / 2);
    },
  );

  it("Muon refuses a bias tensor, naming its shape and pointing to another rule", () => {
    const b = tensor([0.1, -0.1], { dtype, requiresGrad: true });
    expect(() => new Muon([b])).toThrow(
      "Muon only supports 2D parameters whereas we found a parameter with size: [2] (parameter 0 of param group 0); optimize vectors, biases, embeddings and other non-matrix parameters with another rule, such as AdamW, in a second optimizer",
    );
  });
});

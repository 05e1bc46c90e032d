import { describe, expect, it } from "vitest";
import { Adagrad } from "./adagrad.js";
import { Adam } from "./adam.js";
import { AdamW } from "./adamw.js";
import type { Optimizer, ParamsInput } from "./optimizer.js";
import type { Param } from "./param.js";
import { RMSprop } from "./rmsprop.js";
import { SGD } from "./sgd.js";

// A second autograd engine, micrograd-style: one node per scalar, each op's derivative next to its
// forward as a closure, gradients accumulated with +=, an iterative topological order.
class Value {
  grad = 0;
  backwardStep: () => void = () => {};
  constructor(
    public data: number,
    readonly children: readonly Value[] = [],
  ) {}

  add(other: Value): Value {
    const out = new Value(this.data + other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += out.grad;
      other.grad += out.grad;
    };
    return out;
  }

  sub(other: Value): Value {
    const out = new Value(this.data - other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += out.grad;
      other.grad -= out.grad;
    };
    return out;
  }

  mul(other: Value): Value {
    const out = new Value(this.data * other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += other.data * out.grad;
      other.grad += this.data * out.grad;
    };
    return out;
  }

  backward(): void {
    const order: Value[] = [];
    const seen = new Set<Value>();
    const stack: [Value, boolean][] = [[this, false]];
    while (stack.length > 0) {
      const [node, expanded] = stack.pop() as [Value, boolean];
      if (expanded) {
        order.push(node);
        continue;
      }
      if (seen.has(node)) continue;
      seen.add(node);
      stack.push([node, true]);
      for (const child of node.children) if (!seen.has(child)) stack.push([child, false]);
    }
    this.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) order[i].backwardStep();
  }
}

/** Wraps a list of the engine's scalars as one optimizer parameter; copies in and out around step(). */
class ScalarsParam implements Param {
  readonly data: Float64Array;
  grad: { data: Float64Array } | null = null;
  constructor(readonly nodes: Value[]) {
    this.data = Float64Array.from(nodes, (n) => n.data);
  }
  /** Engine → optimizer, after backward(). */
  pull(): void {
    this.nodes.forEach((n, i) => {
      this.data[i] = n.data;
    });
    this.grad = { data: Float64Array.from(this.nodes, (n) => n.grad) };
  }
  /** Optimizer → engine, after step(). */
  push(): void {
    this.nodes.forEach((n, i) => {
      n.data = this.data[i];
    });
  }
}

// The objective: Σᵢ cᵢ·(wᵢ − tᵢ)² + 0.3·w₀·w₁, with ∂/∂wᵢ written out for the plain-object path in the
// same operation order as the engine's backward pass, so the gradients agree bit for bit.
const C = [0.5, 1.5, 0.8, 2.0, 1.1];
const T = [1.0, -0.5, 0.25, 2.0, -1.5];
const W0 = [0.3, 0.9, -0.4, 1.2, 0.1];
const STEPS = 40;

function engineLoss(w: Value[]): Value {
  let loss = new Value(0);
  w.forEach((wi, i) => {
    const d = wi.sub(new Value(T[i]));
    loss = loss.add(new Value(C[i]).mul(d.mul(d)));
  });
  return loss.add(new Value(0.3).mul(w[0].mul(w[1])));
}

function handGradient(w: ArrayLike<number>): Float64Array {
  const g = new Float64Array(5);
  for (let i = 0; i < 5; i++) {
    const d = w[i] - T[i];
    const dd = C[i] * 1; // ∂loss/∂(d·d)
    g[i] = d * dd + d * dd;
  }
  const p = 0.3 * 1; // ∂loss/∂(w₀·w₁)
  g[0] += w[1] * p;
  g[1] += w[0] * p;
  return g;
}

type Make = (params: ParamsInput) => Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ["SGD", (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ["SGD (dampening = momentum)", (p) => new SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.9 })],
  ["Adagrad", (p) => new Adagrad(p, { lr: 0.2, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ["RMSprop", (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 0.01 })],
  ["Adam", (p) => new Adam(p, { lr: 0.05, amsgrad: true, weightDecay: 0.01 })],
  ["AdamW", (p) => new AdamW(p, { lr: 0.05, amsgrad: true, maximize: false })],
];

function plainTrajectory(make: Make): number[][] {
  // Two plain parameters (3 + 2 scalars) in two groups.
  const a: Param = { data: Float64Array.from(W0.slice(0, 3)), grad: null };
  const b: Param = { data: Float64Array.from(W0.slice(3)), grad: null };
  const opt = make([{ params: [a] }, { params: [b] }] as ParamsInput);
  const out: number[][] = [];
  for (let t = 0; t < STEPS; t++) {
    const g = handGradient([...a.data, ...b.data]);
    a.grad = { data: g.slice(0, 3) };
    b.grad = { data: g.slice(3) };
    opt.step();
    opt.zeroGrad();
    out.push([...a.data, ...b.data]);
  }
  return out;
}

function engineTrajectory(make: Make): number[][] {
  const w = W0.map((x) => new Value(x));
  const a = new ScalarsParam(w.slice(0, 3));
  const b = new ScalarsParam(w.slice(3));
  const opt = make([{ params: [a] }, { params: [b] }] as ParamsInput);
  const out: number[][] = [];
  for (let t = 0; t < STEPS; t++) {
    for (const v of w) v.grad = 0;
    engineLoss(w).backward();
    a.pull();
    b.pull();
    opt.step();
    a.push();
    b.push();
    opt.zeroGrad();
    out.push(w.map((v) => v.data));
  }
  return out;
}

describe("pluggability: the same optimizer on plain objects and on a per-scalar engine", () => {
  it("the engine's gradients equal the hand-written ones bit for bit", () => {
    const w = W0.map((x) => new Value(x));
    engineLoss(w).backward();
    expect(w.map((v) => v.grad)).toEqual([...handGradient(W0)]);
  });

  it.each(OPTIMIZERS)("%s: identical trajectories", (_, make) => {
    const plain = plainTrajectory(make);
    const engine = engineTrajectory(make);
    expect(engine).toEqual(plain);
    // And the run did something.
    expect(plain[STEPS - 1]).not.toEqual(W0);
  });
});

import type { Param } from "../index.js";

/**
 * A second autograd engine, micrograd-style: one node per scalar, each op's derivative next to its
 * forward as a closure, gradients accumulated with +=, an iterative topological order.
 */
export class Value {
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

/** The engine's scalars as one optimizer parameter: copied in after backward, out after the step. */
export class ScalarsParam implements Param {
  readonly data: Float64Array;
  grad: { data: Float64Array } | null = null;
  constructor(readonly nodes: Value[]) {
    this.data = Float64Array.from(nodes, (n) => n.data);
  }
  /** Engine → optimizer, after backward(). */
  pull(withGrad: boolean): void {
    this.nodes.forEach((n, i) => {
      this.data[i] = n.data;
    });
    this.grad = withGrad ? { data: Float64Array.from(this.nodes, (n) => n.grad) } : null;
  }
  /** Optimizer → engine, after step(). */
  push(): void {
    this.nodes.forEach((n, i) => {
      n.data = this.data[i];
    });
  }
}

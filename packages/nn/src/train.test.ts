/**
 * End to end: an MLP learns a small synthetic classification problem with a hand-written SGD
 * update, p ← p − lr·∇p, and the loss falls a lot. Everything is seeded, so the numbers are fixed.
 */
import { crossEntropy, Generator, noGrad, tensor } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import { MLP } from "./modules/mlp.js";

/** Two interleaved spirals in 2-D, `n` points per class, labels 0/1. */
function spirals(n: number, g: Generator) {
  const x: number[][] = [];
  const y: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) {
      const r = (i / n) * 2 + 0.2;
      const t = (i / n) * 3 + c * Math.PI + 0.1 * g.normal();
      x.push([r * Math.cos(t), r * Math.sin(t)]);
      y.push(c);
    }
  }
  return { x: tensor(x), y };
}

describe("training end to end", () => {
  it("SGD on a 2-16-16-2 tanh MLP: cross-entropy falls by > 20x, accuracy > 95%", () => {
    const g = new Generator(0);
    const { x, y } = spirals(100, g);
    const model = new MLP([2, 16, 16, 2], { activation: "tanh", generator: g });
    const lr = 0.5;
    const losses: number[] = [];
    for (let step = 0; step < 400; step++) {
      model.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      losses.push(loss.item());
      noGrad(() => {
        for (const p of model.parameters()) {
          const d = p.data;
          const gd = p.grad!.data;
          for (let i = 0; i < d.length; i++) d[i] -= lr * gd[i];
        }
      });
    }
    const first = losses[0];
    const last = losses[losses.length - 1];
    expect(first).toBeGreaterThan(0.6); // ≈ ln 2 at random init
    expect(last).toBeLessThan(first / 20); // measured: 0.811 → 0.0017 with this seed
    const logits = model.eval().forward(x);
    let correct = 0;
    for (let i = 0; i < y.length; i++) {
      const pred = logits.data[2 * i + 1] > logits.data[2 * i] ? 1 : 0;
      if (pred === y[i]) correct++;
    }
    expect(correct / y.length).toBeGreaterThan(0.95);
  });
});

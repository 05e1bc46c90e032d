import { expect, it } from "vitest";
import { crossEntropy, Generator, noGrad, randn, tensor } from "./index.js";

it("the README example runs and lowers the loss", () => {
  // --- README example (keep in sync) ---
  const g = new Generator(0);
  const x = randn([8, 4], { generator: g });
  const w = randn([3, 4], { generator: g, requiresGrad: true }); // [out, in] like nn.Linear
  const b = tensor([0, 0, 0], { requiresGrad: true });
  const targets = [0, 1, 2, 0, 1, 2, 0, 1];
  const losses: number[] = [];
  for (let step = 0; step < 50; step++) {
    const loss = crossEntropy(x.linear(w, b), targets); // x·wᵀ + b
    loss.backward(); // fills w.grad and b.grad (they accumulate!)
    noGrad(() => {
      for (const p of [w, b]) {
        const [d, g] = [p.data, p.grad!.data]; // take each array once, outside the loop
        for (let i = 0; i < d.length; i++) d[i] -= 0.5 * g[i];
        p.grad = null;
      }
    });
    losses.push(loss.item());
  }
  // --- end ---
  expect(losses[49]).toBeLessThan(0.8 * losses[0]);
});

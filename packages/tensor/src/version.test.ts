/**
 * Stale gradients: a value the forward pass saved and backward reads must not change in between.
 * Backward throws (before any `.grad` changes) when it did, and never when the bytes are the same;
 * writes after backward (an optimizer step) stay legal. The property test builds random graphs
 * over every kind of op, overwrites a random tensor and checks the invariant that matters: backward
 * either throws the stale-value error or returns exactly the gradients of an untouched run.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randn, tensor, zeros } from "./creation.js";
import { noGrad } from "./engine.js";
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss } from "./losses.js";
import { maximum, minimum, where } from "./ops/binary.js";
import { concat, gather, indexSelect } from "./ops/indexing.js";
import { Generator } from "./random.js";
import type { Tensor } from "./tensor.js";

const STALE =
  /^backward: one of the tensors needed for gradient computation has been modified since the forward pass: (input \d+|the output) of '(\w+)' \(an? .*tensor of shape \[[\d, ]*\]\) is at version (\d+); expected version (\d+) instead\./;

function thrown(fn: () => unknown): Error | null {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return null;
}

describe("a value overwritten between forward and backward", () => {
  it("throws naming the op, the input and both versions; no .grad changes", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const x = tensor([3, 4], { requiresGrad: true });
    const y = w.mul(x).sum();
    w.data[0] = 100;
    const e = thrown(() => y.backward());
    expect(e).toBeInstanceOf(TypeError);
    expect(e?.message).toBe(
      "backward: one of the tensors needed for gradient computation has been modified since the forward pass: " +
        "input 0 of 'mul' (a leaf float32 tensor of shape [2]) is at version 1; expected version 0 instead. " +
        "Write into .data only after backward() has run (as an optimizer step does), or run the forward pass again " +
        "after changing values.",
    );
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
  });

  it("an optimizer-style step before backward() is caught; after backward() it is legal", () => {
    const w = tensor([1, -2, 3], { dtype: "float64", requiresGrad: true });
    const x = tensor([0.5, 0.25, 2], { dtype: "float64" });
    const sgd = () =>
      noGrad(() => {
        const p = w.data;
        const g = w.grad?.data;
        for (let i = 0; i < p.length; i++) p[i] -= 0.1 * (g ? g[i] : 1);
      });
    const loss = w.mul(x).tanh().sum();
    sgd(); // the step comes too early
    expect(thrown(() => loss.backward())?.message).toMatch(STALE);
    expect(w.grad).toBeNull();
    // The usual order: forward, backward, step — for several steps.
    const ref = Array.from(w.data);
    expect(ref).toEqual([0.9, -2.1, 2.9]);
    for (let step = 0; step < 3; step++) {
      w.grad = null;
      w.mul(x).tanh().sum().backward();
      // d/dw Σ tanh(w·x) = x·(1 − tanh²(w·x)), from the values before the step.
      for (let i = 0; i < 3; i++) {
        const t = Math.tanh(ref[i] * x.data[i]);
        expect(w.grad!.data[i]).toBeCloseTo(x.data[i] * (1 - t * t), 15);
      }
      sgd();
      for (let i = 0; i < 3; i++) ref[i] -= 0.1 * w.grad!.data[i];
      expect(Array.from(w.data)).toEqual(ref);
    }
  });

  it("a second backward through a retained graph after an update throws; after reads only it works", () => {
    const w = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const y = w.mul(w).sum();
    y.backward(undefined, { retainGraph: true });
    expect(Array.from(w.grad!.data)).toEqual([2, 4]);
    const seen = w.data[0] + w.data[1]; // reads bump the version, the bytes stay
    expect(seen).toBe(3);
    y.backward(undefined, { retainGraph: true });
    expect(Array.from(w.grad!.data)).toEqual([4, 8]);
    noGrad(() => {
      w.data[1] -= 0.5; // an optimizer step
    });
    const e = thrown(() => y.backward());
    expect(e?.message).toMatch(STALE);
    expect(e?.message).toContain("of 'mul' (a leaf float64 tensor of shape [2])");
    expect(Array.from(w.grad!.data)).toEqual([4, 8]); // unchanged by the failed call
  });

  it("writing the same bytes back is not a modification", () => {
    const w = tensor([0.1, 0.2], { requiresGrad: true });
    const y = w.exp().sum();
    const v = w.data[0];
    w.data[0] = v;
    w.data[1] = Math.fround(0.2);
    y.backward();
    expect(w.grad!.data[0]).toBe(Math.fround(Math.exp(Math.fround(0.1))));
  });

  it("an overwritten output (which backward reads) is caught, through the tensor or its views", () => {
    for (const write of [
      (t: Tensor) => {
        t.data[0] = 5;
      },
      (t: Tensor) => {
        t.reshape([-1]).data[1] = 5;
      },
      (t: Tensor) => {
        t.detach().data[0] = 5;
      },
      (t: Tensor) => {
        t.unsqueeze(0).squeeze(0).flatten().data.fill(1);
      },
    ]) {
      const x = tensor([[1, 2]], { requiresGrad: true });
      const y = x.exp();
      write(y);
      const e = thrown(() => y.sum().backward());
      expect(e?.message).toMatch(STALE);
      expect(e?.message).toContain("the output of 'exp' (a float32 tensor of shape [1, 2])");
      expect(x.grad).toBeNull();
    }
  });

  it("an overwritten intermediate is named as such", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    const z = h.mul(h).sum();
    h.data[0] = 0;
    expect(thrown(() => z.backward())?.message).toContain(
      "input 0 of 'mul' (an intermediate float32 tensor of shape [2])",
    );
  });

  it("values backward does not read may change (as in PyTorch)", () => {
    // sum, mean, reshape, permute, indexSelect, concat and cast read only shapes.
    const cases: ((w: Tensor) => Tensor)[] = [
      (w) => w.sum(),
      (w) => w.mean(0).sum(),
      (w) => w.reshape([-1]).sum(),
      (w) => w.permute([1, 0]).sum(),
      (w) => w.indexSelect(0, [1, 1]).sum(),
      (w) => concat([w, w], 0).sum(),
      (w) => w.to("float32").sum(),
    ];
    for (const f of cases) {
      const w = tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: "float64", requiresGrad: true },
      );
      const y = f(w);
      w.data[0] = 42;
      y.backward();
      expect(w.grad).not.toBeNull();
    }
    // matmul reads both factors: caught.
    const a = tensor([[1, 2]], { requiresGrad: true });
    const b = tensor([[3], [4]], { requiresGrad: true });
    const y = a.matmul(b).sum();
    b.data[1] = 0;
    expect(thrown(() => y.backward())?.message).toContain("input 1 of 'matmul'");
  });

  it("version counts hand-outs of data and in-place gradient accumulation, not reads through item/toArray", () => {
    const w = zeros([2], { requiresGrad: true });
    expect(w.version).toBe(0);
    void w.data;
    void w.data;
    expect(w.version).toBe(2);
    w.toArray();
    w.toString();
    w.item === undefined || w.sum().item();
    expect(w.version).toBe(2);
    expect(w.reshape([2]).version).toBe(2); // a view shares the counter
    w.mul(2).sum().backward();
    const g = w.grad!;
    expect(g.version).toBe(0);
    w.mul(2).sum().backward(); // accumulates into .grad in place
    expect(g.version).toBe(1);
    expect(Array.from(g.data)).toEqual([4, 4]);
  });

  it("a .grad read by a graph and then accumulated into is caught", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.mul(w).sum().backward();
    const uses = w.mul(w.grad!).sum(); // saves the grad tensor (mul reads both inputs)
    w.mul(3).sum().backward(); // accumulates into w.grad in place
    expect(thrown(() => uses.backward())?.message).toContain("input 1 of 'mul' (a constant float32 tensor");
  });
});

/** A random graph built from `seed`: the same seed builds the same graph with the same values. */
function buildGraph(seed: number): { leaves: Tensor[]; pool: Tensor[]; root: Tensor | null } {
  const g = new Generator(seed);
  const pick = <T>(xs: readonly T[]): T => xs[g.randint(0, xs.length)];
  const ndim = g.randint(1, 4);
  const base = Array.from({ length: ndim }, () => g.randint(0, 4));
  const leafShape = () => base.map((d) => (g.random() < 0.3 ? 1 : d)).slice(g.randint(0, 2));
  const leaves = [0, 1, 2].map((i) =>
    randn(leafShape(), { dtype: "float64", generator: g, requiresGrad: i < 2 }),
  );
  const pool: Tensor[] = [...leaves];
  const steps = g.randint(2, 8);
  for (let s = 0; s < steps; s++) {
    const x = pick(pool);
    const y = pick(pool);
    const dim = x.ndim === 0 ? 0 : g.randint(0, x.ndim);
    const ops: (() => Tensor)[] = [
      () => x.exp(),
      () => x.tanh(),
      () => x.sigmoid(),
      () => x.relu(),
      () => x.neg(),
      () => x.abs(),
      () => x.mul(x).add(1).sqrt(),
      () => x.pow(3),
      () => x.clamp(-0.5, 0.5),
      () => x.leakyRelu(0.1),
      () => x.gelu(),
      () => x.softmax(dim),
      () => x.logSoftmax(dim),
      () => x.add(y),
      () => x.sub(y),
      () => x.mul(y),
      () => x.div(y.mul(y).add(1)),
      () => maximum(x, y),
      () => minimum(x, y),
      () => where(x.gt(0), x, y),
      () => x.sum(dim),
      () => x.mean(),
      () => x.logsumexp(dim, true),
      () => (x.ndim > 0 && x.shape[dim] > 0 ? x.max(dim) : x.sum()),
      () => (x.size > 0 ? x.max() : x.sum()),
      () => x.reshape([-1]),
      () => x.transpose(0, -1),
      () => x.unsqueeze(0),
      () => x.to("float32"),
      () => (x.ndim > 0 ? concat([x, x], 0) : x.mul(2)),
      () => (x.ndim > 0 && x.shape[0] > 0 ? indexSelect(x, 0, [0, x.shape[0] - 1, 0]) : x.mul(2)),
      () => (x.ndim > 0 && x.shape[0] > 0 ? gather(x, 0, zeros(x.shape)) : x.mul(2)),
      () => (x.ndim === 2 ? x.matmul(x.transpose()) : x.mul(x)),
      () => (x.ndim === 2 ? x.linear(y.ndim === 2 && y.shape[1] === x.shape[1] ? y : x) : x.mul(x)),
      () => mseLoss(x, y.ndim === x.ndim && y.size === x.size ? y.reshape(x.shape) : x.tanh()),
      () => binaryCrossEntropyWithLogits(x, x.sigmoid()),
      () =>
        x.ndim === 2 && x.shape[1] > 0
          ? crossEntropy(
              x,
              Array.from({ length: x.shape[0] }, (_, i) => i % x.shape[1]),
            )
          : x.sum(),
    ];
    try {
      pool.push(pick(ops)());
    } catch (e) {
      if (!(e instanceof RangeError)) throw e; // shapes that do not broadcast: skip the step
    }
  }
  // Every tensor of the pool reaches the root through `sum`, which reads no values.
  let root = pool[0].sum();
  for (let k = 1; k < pool.length; k++) root = root.add(pool[k].sum().to("float64"));
  return { leaves, pool, root: root.requiresGrad ? root : null };
}

describe("property: backward never returns gradients computed from overwritten values", () => {
  it("random graphs, random tensor overwritten, read, or rewritten with the same bytes", () => {
    const counts = { stale: 0, unaffected: 0, harmless: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom("read", "same", "change", "changeView", "changeDetached"),
        fc.integer({ min: 0, max: 1000 }),
        (seed, action, where_) => {
          const run = buildGraph(seed);
          if (run.root === null) return;
          const target = run.pool[where_ % run.pool.length];
          const i = target.size === 0 ? -1 : where_ % target.size;
          if (action === "read") void target.data.length;
          else if (action === "same" && i >= 0) {
            const same = target.data[i];
            target.data[i] = same;
          } else if (i >= 0 && action !== "same") {
            const view =
              action === "changeView"
                ? target.reshape([-1])
                : action === "changeDetached"
                  ? target.detach()
                  : target;
            const old = view.data[i];
            view.data[i] = Number.isFinite(old) ? old + 1 : 0;
          }
          const e = thrown(() => run.root!.backward());
          const ref = buildGraph(seed);
          ref.root!.backward();
          if (e !== null) {
            expect(e.message).toMatch(STALE);
            expect(action === "change" || action === "changeView" || action === "changeDetached").toBe(true);
            for (const l of run.leaves) expect(l.grad).toBeNull();
            counts.stale++;
            return;
          }
          counts[action === "read" || action === "same" || i < 0 ? "harmless" : "unaffected"]++;
          for (let k = 0; k < run.leaves.length; k++) {
            const [a, b] = [run.leaves[k].grad, ref.leaves[k].grad];
            expect(a === null).toBe(b === null);
            if (a !== null && b !== null) {
              for (let j = 0; j < a.size; j++) expect(Object.is(a.data[j], b.data[j])).toBe(true);
            }
          }
        },
      ),
      { seed: 0x5eed1, numRuns: 600 },
    );
    // The property is only meaningful if both outcomes happen often.
    expect(counts.stale).toBeGreaterThan(100); // 156 with this seed
    expect(counts.harmless).toBeGreaterThan(200); // 311
    expect(counts.unaffected).toBeGreaterThan(50); // 133
  });
});

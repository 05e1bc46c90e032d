import { describe, expect, it } from "vitest";
import { tensor } from "../creation.js";
import { embedding } from "./embedding.js";

describe("embedding", () => {
  const w = () =>
    tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { requiresGrad: true },
    );
  it("gathers rows into [...indices.shape, D] and scatter-adds the gradient", () => {
    const weight = w();
    const y = embedding(
      [
        [2, 0],
        [2, 2],
      ],
      weight,
    );
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.toArray()).toEqual([
      [
        [5, 6],
        [1, 2],
      ],
      [
        [5, 6],
        [5, 6],
      ],
    ]);
    y.sum().backward();
    expect(weight.grad?.toArray()).toEqual([
      [1, 1],
      [0, 0],
      [3, 3],
    ]);
  });
  it("accepts integer typed arrays and tensors of integer values", () => {
    expect(embedding(Int32Array.from([1]), w()).toArray()).toEqual([[3, 4]]);
    expect(embedding(tensor([0, 1]), w()).shape).toEqual([2, 2]);
    expect(embedding(tensor(1), w()).toArray()).toEqual([3, 4]); // 0-d indices: one row
  });
  it("errors name the index, the range and the weight shape", () => {
    expect(() => embedding([0, 3], w())).toThrow(
      "embedding: index 3 at position 1 is out of range for size 3 (expected an integer in [0, 2]; embedding does not accept negative indices)",
    );
    expect(() => embedding([-1], w())).toThrow(/index -1 at position 0 is out of range/);
    expect(() => embedding([0.5], w())).toThrow(/index 0.5 at position 0 is not an integer/);
    expect(() => embedding([0], tensor([1, 2]))).toThrow(
      "embedding: weight must be 2-D [numEmbeddings, embeddingDim], got shape [2]",
    );
  });
});

import { describe, expect, it } from "vitest";
import { arange, tensor } from "../creation.js";
import { concat, gather, indexSelect, stack } from "./indexing.js";
import { permute, reshape, transpose } from "./view.js";

describe("shape ops", () => {
  it("reshape with -1 shares storage; errors name both shapes", () => {
    const x = arange(6);
    const y = x.reshape([2, -1]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.data).toBe(x.data);
    expect(x.view([3, 2]).toArray()).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(() => reshape(x, [4, -1])).toThrow(
      "reshape: shape [4, -1] is invalid for input of shape [6] (size 6)",
    );
    expect(() => reshape(x, [4, 2])).toThrow(
      "reshape: shape [4, 2] is invalid for input of shape [6] (size 6)",
    );
    expect(() => reshape(x, [-1, -1])).toThrow(/only one dimension can be -1/);
    expect(() => reshape(x, [2.5, 2])).toThrow(/invalid size 2.5/);
  });

  it("transpose / permute / T move elements like PyTorch", () => {
    const x = arange(24).reshape([2, 3, 4]);
    const t = transpose(x, 0, 2);
    expect(t.shape).toEqual([4, 3, 2]);
    // t[i][j][k] = x[k][j][i]
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 2; k++) expect(t.data[i * 6 + j * 2 + k]).toBe(k * 12 + j * 4 + i);
    const p = permute(x, [1, 2, 0]);
    expect(p.shape).toEqual([3, 4, 2]);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 4; j++)
        for (let k = 0; k < 2; k++) expect(p.data[i * 8 + j * 2 + k]).toBe(k * 12 + i * 4 + j);
    expect(arange(6).reshape([2, 3]).T.toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(() => permute(x, [0, 1])).toThrow(/permutation \[0, 1\] does not match a 3-D tensor \[2, 3, 4\]/);
    expect(() => permute(x, [0, 1, 1])).toThrow(/repeated dim/);
    expect(() => transpose(x, 0, 3)).toThrow(/transpose: dim 3 out of range for a 3-D tensor/);
  });

  it("squeeze / unsqueeze / flatten", () => {
    const x = tensor([[[1], [2]]]);
    expect(x.shape).toEqual([1, 2, 1]);
    expect(x.squeeze().shape).toEqual([2]);
    expect(x.squeeze(0).shape).toEqual([2, 1]);
    expect(x.squeeze(1).shape).toEqual([1, 2, 1]); // size 2: unchanged, as PyTorch
    expect(x.unsqueeze(-1).shape).toEqual([1, 2, 1, 1]);
    expect(x.unsqueeze(0).shape).toEqual([1, 1, 2, 1]);
    expect(arange(24).reshape([2, 3, 4]).flatten(1).shape).toEqual([2, 12]);
    expect(() => x.unsqueeze(4)).toThrow(
      "unsqueeze: dim 4 out of range [-4, 3] for a 3-D input (unsqueeze accepts ndim + 1 positions)",
    );
  });

  it("concat and stack", () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([[5, 6]]);
    expect(concat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(concat([a, a], 1).toArray()).toEqual([
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    expect(stack([a, a], 2).shape).toEqual([2, 2, 2]);
    expect(stack([a, a], 2).toArray()).toEqual([
      [
        [1, 1],
        [2, 2],
      ],
      [
        [3, 3],
        [4, 4],
      ],
    ]);
    expect(() => concat([a, b], 1)).toThrow(
      "concat: tensor 1 has shape [1, 2], incompatible with [2, 2] along dim 1",
    );
    expect(() => stack([a, b])).toThrow("stack: tensor 1 has shape [1, 2], expected [2, 2]");
    expect(() => concat([])).toThrow(/non-empty list/);
  });
});

describe("indexing", () => {
  it("rows / indexSelect / gather with gradients that scatter-add", () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const r = x.rows([2, 0, 2]);
    expect(r.toArray()).toEqual([
      [5, 6],
      [1, 2],
      [5, 6],
    ]);
    r.sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [1, 1],
      [0, 0],
      [2, 2],
    ]);
    expect(indexSelect(x, 1, new Int32Array([1])).toArray()).toEqual([[2], [4], [6]]);
    expect(x.rows(tensor([1])).toArray()).toEqual([[3, 4]]);
    const g = gather(x, 1, [[1], [0], [1]]);
    expect(g.toArray()).toEqual([[2], [3], [6]]);
    expect(() => x.rows([3])).toThrow(
      "rows: index 3 at position 0 is out of range for size 3 (expected an integer in [-3, 2])",
    );
    expect(() => x.rows([-4])).toThrow(/rows: index -4 .*\[-3, 2\]/);
    expect(() => indexSelect(x, 0, [-1])).toThrow(
      "indexSelect: index -1 at position 0 is out of range for size 3 (expected an integer in [0, 2]; " +
        "indexSelect does not accept negative indices)",
    );
    expect(() => indexSelect(x, 0, [[0]])).toThrow(/indices must be 1-D/);
    expect(() => gather(x, 1, [0, 1])).toThrow(
      /gather: index \[2\] must have as many dims as the input \[3, 2\]/,
    );
    expect(() => gather(x, 1, [[0], [0], [0], [0]])).toThrow(/larger than input/);
  });
});

describe("x.T reverses all dims (PyTorch's Tensor.T)", () => {
  it("3-D: shape reversed and T[i][j][k] = x[k][j][i]; the gradient is permuted back", () => {
    const x = arange(24, undefined, 1, { dtype: "float64" }).reshape([2, 3, 4]);
    x.requiresGrad = true;
    const y = x.T;
    expect(y.shape).toEqual([4, 3, 2]);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 2; k++) expect(y.data[i * 6 + j * 2 + k]).toBe(k * 12 + j * 4 + i);
    // Upstream w[i][j][k] = i·6 + j·2 + k (flat index in y), so x.grad[k][j][i] = i·6 + j·2 + k.
    y.backward(arange(24, undefined, 1, { dtype: "float64" }).reshape([4, 3, 2]));
    const base = x.grad!;
    expect(base.shape).toEqual([2, 3, 4]);
    for (let k = 0; k < 2; k++)
      for (let j = 0; j < 3; j++)
        for (let i = 0; i < 4; i++) expect(base.data[k * 12 + j * 4 + i]).toBe(i * 6 + j * 2 + k);
  });
  it("4-D equals permute([3, 2, 1, 0]); 2-D is the transpose; 1-D and 0-D are unchanged", () => {
    const x = arange(120).reshape([2, 3, 4, 5]);
    expect(x.T.shape).toEqual([5, 4, 3, 2]);
    expect(Array.from(x.T.data)).toEqual(Array.from(permute(x, [3, 2, 1, 0]).data));
    expect(arange(6).reshape([2, 3]).T.toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(arange(3).T.toArray()).toEqual([0, 1, 2]);
    expect(tensor(7).T.shape).toEqual([]);
    expect(tensor(7).T.item()).toBe(7);
  });
});

describe("negative indices: rows wraps (x[indices]), indexSelect and gather reject", () => {
  it("rows([-1, 0, -3]) selects the last, first and first rows; gradients scatter-add", () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const r = x.rows([-1, 0, -3]);
    expect(r.toArray()).toEqual([
      [5, 6],
      [1, 2],
      [1, 2],
    ]);
    r.sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [2, 2],
      [0, 0],
      [1, 1],
    ]);
    expect(x.rows(tensor([-2])).toArray()).toEqual([[3, 4]]);
    expect(x.rows(new Int32Array([-1])).toArray()).toEqual([[5, 6]]);
  });
  it("indexSelect and gather name the index and the valid range", () => {
    const x = arange(6).reshape([3, 2]);
    expect(() => indexSelect(x, 0, [-1])).toThrow(/indexSelect: index -1 .*\[0, 2\]/);
    expect(() => gather(x, 1, [[0], [-1], [1]])).toThrow(
      "gather: index -1 at position 1 is out of range for size 2 (expected an integer in [0, 1]; " +
        "gather does not accept negative indices)",
    );
  });
});

import { describe, expect, it } from "vitest";
import { expectClose, TOL } from "./close.testutil.js";
import { arange, eye, full, ones, onesLike, tensor, zeros, zerosLike } from "./creation.js";
import { noGrad } from "./engine.js";
import { Tensor } from "./tensor.js";

describe("Tensor basics", () => {
  it("builds from nested arrays, flat arrays with shape, typed arrays and numbers", () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.size).toBe(6);
    expect(a.ndim).toBe(2);
    expect(a.dtype).toBe("float32");
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const f64 = tensor(new Float64Array([0.1, 0.2]));
    expect(f64.dtype).toBe("float64");
    expect(f64.data[0]).toBe(0.1);
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor(3.5).item()).toBe(3.5);
    expect(tensor(0.1, { dtype: "float64" }).item()).toBe(0.1);
    expect(tensor(0.1).item()).toBe(Math.fround(0.1));
  });

  it("copies its input values", () => {
    const src = new Float32Array([1, 2]);
    const t = tensor(src);
    src[0] = 9;
    expect(t.data[0]).toBe(1);
  });

  it("rejects ragged arrays, non-numbers, bad shapes and dtypes with clear errors", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged nested array: at \[1\] expected 2 elements, got 1/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/ragged/);
    expect(() => tensor([1, "a"] as never)).toThrow(
      `tensor: element at [1] is string "a", expected a number (ragged nested array?)`,
    );
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/3 values cannot have shape \[2, 2\]/);
    expect(() => tensor([1], { dtype: "int32" as never })).toThrow(/unsupported dtype "int32"/);
    expect(() => zeros([2, -1])).toThrow(/invalid shape \[2, -1\]/);
    expect(() => zeros([1.5])).toThrow(/invalid shape/);
    expect(() => new Tensor(new Float32Array(3), [2, 2])).toThrow(/needs 4 elements, got 3/);
    expect(() => new Tensor(new Float32Array(3), [1.5, 2])).toThrow(/invalid shape \[1.5, 2\]/);
    expect(() => tensor([1, 2]).item()).toThrow(/single-element/);
  });

  it("toArray, toString and detach", () => {
    const t = tensor(
      [
        [1.5, -2],
        [0.25, 1e-7],
      ],
      { requiresGrad: true },
    );
    expect(t.toArray()).toEqual([
      [1.5, -2],
      [0.25, Math.fround(1e-7)],
    ]);
    expect(t.toString()).toBe(
      "tensor([[1.5, -2],\n        [0.25, 1.0000e-7]], dtype=float32, requiresGrad=true)",
    );
    expect(tensor(2).toArray()).toBe(2);
    const d = t.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.data).toBe(t.data); // shares storage
  });

  it("creation helpers", () => {
    expect(zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones([3], { dtype: "float64" }).toArray()).toEqual([1, 1, 1]);
    expect(full([2], -Infinity).toArray()).toEqual([-Infinity, -Infinity]);
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25, { dtype: "float64" }).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(3, 0, -1).toArray()).toEqual([3, 2, 1]);
    expect(() => arange(0, Infinity)).toThrow(/end must be a finite number/);
    expect(() => arange(0, 3, 0)).toThrow(/step must be non-zero/);
    expect(() => arange(0, 3, -1)).toThrow(/inconsistent/);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const x = tensor([[1, 2]], { dtype: "float64" });
    expect(zerosLike(x).dtype).toBe("float64");
    expect(onesLike(x).shape).toEqual([1, 2]);
    expect(zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });
});

describe("autograd engine", () => {
  it("computes gradients of a small expression (reference: hand derivation)", () => {
    // f = Σ (a·b + a), ∂f/∂a = b + 1 (broadcast over rows), ∂f/∂b = Σ_rows a
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const b = tensor([10, 20], { dtype: "float64", requiresGrad: true });
    const f = a.mul(b).add(a).sum();
    expect(f.item()).toBe(1 * 10 + 2 * 20 + 3 * 10 + 4 * 20 + 10);
    f.backward();
    expect(a.grad?.toArray()).toEqual([
      [11, 21],
      [11, 21],
    ]);
    expect(b.grad?.toArray()).toEqual([4, 6]);
    expect(b.grad?.dtype).toBe("float64");
  });

  it("accumulates gradients across backward calls, like PyTorch", () => {
    const x = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    x.mul(x).sum().backward();
    x.mul(3).sum().backward();
    expect(x.grad?.toArray()).toEqual([2 + 3, 4 + 3, 6 + 3]);
    x.grad = null;
    x.sum().backward();
    expect((x as Tensor).grad?.toArray()).toEqual([1, 1, 1]);
  });

  it("handles a tensor reused many times (diamond graphs)", () => {
    const x = tensor(2, { dtype: "float64", requiresGrad: true });
    // y = x·x, z = y·y + y + x  → dz/dx = 4x³ + 2x + 1 = 32 + 4 + 1
    const y = x.mul(x);
    const z = y.mul(y).add(y).add(x);
    z.backward();
    expect(x.grad?.item()).toBe(37);
  });

  it("backward needs a gradient for non-scalar outputs and a grad-requiring tensor", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(
      /gradient can be implicitly created only for single-element tensors; got shape \[2\]/,
    );
    expect(() => tensor([1]).backward()).toThrow(/does not require grad/);
    expect(() => x.mul(2).backward([1, 2, 3])).toThrow(
      /gradient shape \[3\] does not match tensor shape \[2\]/,
    );
    expect(() => x.mul(2).backward(tensor([[1, 2]]))).toThrow(
      /gradient shape \[1, 2\] does not match tensor shape \[2\]/,
    );
    x.mul(2).backward([1, 0.5]);
    expect(x.grad?.toArray()).toEqual([2, 1]);
  });

  it("frees the graph after backward unless retainGraph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad?.toArray()).toEqual([4, 8]); // 2·(2x) accumulated
    const z = x.mul(x).sum();
    z.backward();
    expect(() => z.backward()).toThrow(/backward through the graph a second time/);
  });

  it("noGrad stops recording", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(x.mul(2).requiresGrad).toBe(true);
    expect(x.mul(2).gradFn).toBe("mul");
  });

  it("promotes float32 ∘ float64 to float64 and casts gradients back", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([0.1, 0.2], { dtype: "float64", requiresGrad: true });
    const c = a.mul(b);
    expect(c.dtype).toBe("float64");
    c.sum().backward();
    expect(a.grad?.dtype).toBe("float32");
    expectClose(a.grad!, [Math.fround(0.1), Math.fround(0.2)], { rtol: 0 });
    expect(b.grad?.dtype).toBe("float64");
    expect(a.mul(2).dtype).toBe("float32"); // numbers never promote
  });

  it("survives a chain of 100 000 ops (iterative topological sort)", () => {
    const x = tensor(1, { dtype: "float64", requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.mul(1.0001).sub(0.0001);
    y.backward();
    // y = 1.0001ⁿ·x − c, so dy/dx = 1.0001^100000
    expectClose(x.grad!, [1.0001 ** 100_000], { rtol: 1e-10 });
  }, 60_000);

  it("keeps .data live for optimizers (no copy-on-read)", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.data[0] = 5;
    expect(w.mul(1).data[0]).toBe(5);
    const p: {
      readonly data: Float32Array | Float64Array;
      grad: { readonly data: Float32Array | Float64Array } | null;
    } = w;
    expect(p.grad).toBeNull();
    expect(TOL.f64).toBeLessThan(TOL.f32);
  });
});

describe("assigning .grad", () => {
  const w = () => zeros([2, 3], { requiresGrad: true });
  const msg = (f: () => void) => {
    try {
      f();
    } catch (e) {
      return `${(e as Error).constructor.name}: ${(e as Error).message}`;
    }
    return "no error";
  };
  it("rejects values of the wrong kind, dtype, shape or storage at the assignment", () => {
    const t = w();
    const of = "the gradient of a float32 tensor of shape [2, 3]";
    const cases: [unknown, string][] = [
      [[1, 2, 3, 4, 5, 6], `TypeError: grad: ${of} must be a Tensor or null, got an array of length 6`],
      [1, `TypeError: grad: ${of} must be a Tensor or null, got number 1`],
      [undefined, `TypeError: grad: ${of} must be a Tensor or null, got undefined`],
      [new Float32Array(6), `TypeError: grad: ${of} must be a Tensor or null, got a Float32Array`],
      [
        { data: new Float32Array(6), shape: [2, 3] },
        `TypeError: grad: ${of} must be a Tensor or null, got an object`,
      ],
      [
        zeros([2, 3], { dtype: "float64" }),
        `TypeError: grad: ${of} must be float32, got a float64 tensor (use .to("float32"))`,
      ],
      [zeros([3, 2]), `RangeError: grad: ${of} must have shape [2, 3], got [3, 2]`],
      [zeros([6]), `RangeError: grad: ${of} must have shape [2, 3], got [6]`],
      [zeros([2, 3, 1]), `RangeError: grad: ${of} must have shape [2, 3], got [2, 3, 1]`],
      [
        t,
        `TypeError: grad: ${of} cannot share the tensor's own storage (backward would overwrite its values)`,
      ],
      [
        t.detach(),
        `TypeError: grad: ${of} cannot share the tensor's own storage (backward would overwrite its values)`,
      ],
    ];
    for (const [value, expected] of cases) {
      expect(
        msg(() => {
          t.grad = value as never;
        }),
      ).toBe(expected);
      expect(t.grad).toBeNull();
    }
    const ok = zeros([2, 3]);
    t.grad = ok;
    expect(t.grad).toBe(ok);
    t.grad = null;
    expect(t.grad).toBeNull();
  });

  it("an assigned gradient is accumulated into by backward", () => {
    const t = w();
    t.grad = ones([2, 3]);
    t.mul(2).sum().backward();
    expect(Array.from(t.grad!.data)).toEqual([3, 3, 3, 3, 3, 3]);
  });

  it("zero-size tensors take zero-size gradients", () => {
    const t = zeros([0, 3], { requiresGrad: true });
    t.grad = zeros([0, 3]);
    expect(msg(() => (t.grad = zeros([3, 0])))).toMatch(/must have shape \[0, 3\], got \[3, 0\]/);
  });
});

describe("shapes are copied and frozen", () => {
  it("new Tensor keeps a frozen copy of the caller's shape array", () => {
    const shape = [2, 3];
    const t = new Tensor(new Float32Array(6), shape);
    shape[0] = 6;
    shape.push(1);
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(() => (t.shape as number[]).push(1)).toThrow(TypeError);
    expect(() => {
      (t.shape as number[])[0] = 7;
    }).toThrow(TypeError);
    expect(() => {
      (t as unknown as { shape: number[] }).shape = [6];
    }).toThrow(TypeError);
    expect(t.shape).toEqual([2, 3]);
  });
  it("every shape the API hands out is frozen, including op results, views, grads and tensor() options", () => {
    const shapeOpt = [2, 2];
    const x = tensor([1, 2, 3, 4], { shape: shapeOpt, requiresGrad: true });
    shapeOpt[0] = 4;
    expect(x.shape).toEqual([2, 2]);
    const outs = [
      x,
      x.mul(2),
      x.reshape([4]),
      x.T,
      x.sum(0),
      x.unsqueeze(0),
      x.detach(),
      zeros([1]),
      ones([0, 2]),
    ];
    x.mul(x).sum().backward();
    outs.push(x.grad!);
    for (const o of outs) expect(Object.isFrozen(o.shape), String(o.shape)).toBe(true);
  });
});

describe("nesting deeper than a tensor allows", () => {
  it("a tensor has at most 64 dims, as in PyTorch", () => {
    expect(zeros(new Array(64).fill(1)).ndim).toBe(64);
    expect(() => zeros(new Array(65).fill(1))).toThrow(
      "zeros: a tensor has at most 64 dims, the result would have 65",
    );
    expect(() => new Tensor(new Float32Array(1), new Array(65).fill(1))).toThrow(
      "Tensor: a tensor has at most 64 dims, got a shape of 65",
    );
    const x = zeros(new Array(64).fill(1));
    expect(() => x.unsqueeze(0)).toThrow("unsqueeze: a tensor has at most 64 dims, the result would have 65");
    expect(() => x.reshape(new Array(100).fill(1))).toThrow(
      "reshape: a tensor has at most 64 dims, the result would have 100",
    );
    expect(() => tensor([1], { shape: new Array(100).fill(1) })).toThrow(/at most 64 dims/);
  });
  it("nested arrays far deeper than the call stack get a clear error, not a stack overflow", () => {
    for (const depth of [65, 1_000, 100_000]) {
      let v: unknown = 1;
      for (let i = 0; i < depth; i++) v = [v];
      expect(() => tensor(v as never)).toThrow(
        "tensor: nested arrays are more than 64 levels deep (a tensor has at most 64 dims)",
      );
    }
    const self: unknown[] = [];
    self.push(self); // an array that contains itself
    expect(() => tensor(self as never)).toThrow(/more than 64 levels deep/);
  });
  it("64-deep nesting round-trips through tensor(), toArray() and toString()", () => {
    let v: unknown = 2.5;
    for (let i = 0; i < 64; i++) v = [v];
    const t = tensor(v as never);
    expect(t.ndim).toBe(64);
    expect(t.toArray()).toEqual(v);
    expect(t.toString()).toContain("2.5");
    expect(t.sum(new Array(64).fill(0).map((_, i) => i)).item()).toBe(2.5);
  });
});

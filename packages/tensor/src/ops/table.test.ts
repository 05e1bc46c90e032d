import { describe, expect, it } from "vitest";
import type { Backend, BinaryKernel, UnaryKernel } from "../backend/backend.js";
import { setBackend } from "../backend/index.js";
import { referenceBackend } from "../backend/reference.js";
import { tensor } from "../creation.js";
import { type BinaryOp, binaryOps } from "./binary.js";
import type { BinaryOpName, Op, OpTable, UnaryOpName } from "./op.js";
import { OPS } from "./table.js";
import { type UnaryOp, unaryOps } from "./unary.js";

describe("op table", () => {
  it("holds forward and backward for every primitive", () => {
    for (const [name, op] of Object.entries(OPS)) {
      expect(typeof op.forward, name).toBe("function");
      expect(typeof op.backward, name).toBe("function");
    }
  });

  it("does not type-check without a derivative or without a primitive (checked by tsc)", () => {
    // @ts-expect-error — an op without `backward` is not an Op.
    const noBackward: Op<null> = { name: "bad", forward: () => ({ data: new Float64Array(1), shape: [] }) };
    const { neg: _neg, ...withoutNeg } = OPS;
    // @ts-expect-error — a table missing a primitive is not an OpTable.
    const incomplete: OpTable = withoutNeg;
    expect(noBackward.name).toBe("bad");
    expect("neg" in incomplete).toBe(false);
  });

  it("an elementwise op carries its kernels, under its own name", () => {
    for (const [name, op] of Object.entries(unaryOps)) {
      expect(op.name).toBe(name);
      expect(op.kernel.name).toBe(name);
      expect(typeof op.kernel.forward).toBe("function");
      expect(typeof op.kernel.backward).toBe("function");
      expect(OPS[name as UnaryOpName]).toBe(op);
    }
    for (const [name, op] of Object.entries(binaryOps)) {
      expect(op.name).toBe(name);
      expect(op.kernel.name).toBe(name);
      expect(typeof op.kernel.row).toBe("function");
      expect(OPS[name as BinaryOpName]).toBe(op);
    }
  });

  it("an elementwise op without its kernels does not type-check (checked by tsc)", () => {
    // @ts-expect-error — a unary kernel needs a backward kernel too.
    const noGrad: UnaryKernel = { name: "bad", forward() {} };
    const { exp: _exp, ...withoutExp } = unaryOps;
    // @ts-expect-error — every unary primitive needs its record.
    const unary: { readonly [K in UnaryOpName]: UnaryOp } = withoutExp;
    const { mul: _mul, ...withoutMul } = binaryOps;
    // @ts-expect-error — every binary primitive needs its record.
    const binary: { readonly [K in BinaryOpName]: BinaryOp } = withoutMul;
    expect([noGrad.name, "exp" in unary, "mul" in binary]).toEqual(["bad", false, false]);
  });

  it("the backend receives each op's kernels (a backend may run its own version by name)", () => {
    const seen: string[] = [];
    const spy: Backend = {
      ...referenceBackend,
      name: "spy",
      unary(k: UnaryKernel, x, out, n, p0, p1) {
        seen.push(`unary ${k.name}`);
        referenceBackend.unary(k, x, out, n, p0, p1);
      },
      unaryGrad(k: UnaryKernel, x, y, g, out, n, p0, p1) {
        seen.push(`unaryGrad ${k.name}`);
        referenceBackend.unaryGrad(k, x, y, g, out, n, p0, p1);
      },
      binary(k: BinaryKernel, a, as, b, bs, out, shape) {
        seen.push(`binary ${k.name}`);
        referenceBackend.binary(k, a, as, b, bs, out, shape);
      },
    };
    const prev = setBackend(spy);
    try {
      const x = tensor([1, -2, 3], { requiresGrad: true });
      x.tanh()
        .mul(tensor([2, 2, 2]))
        .sum()
        .backward();
    } finally {
      setBackend(prev);
    }
    expect(seen).toEqual(["unary tanh", "binary mul", "binary mul", "unaryGrad tanh"]);
  });
});

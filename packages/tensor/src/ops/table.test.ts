import { describe, expect, it } from "vitest";
import type { Op, OpTable } from "./op.js";
import { OPS } from "./table.js";

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
});

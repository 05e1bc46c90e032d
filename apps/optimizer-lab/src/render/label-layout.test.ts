import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { spreadLabels } from "./label-layout.js";

describe("spreadLabels", () => {
  it("leaves labels that do not collide where they want to be", () => {
    expect(spreadLabels([10, 50, 30], 12, 0, 100)).toEqual([10, 50, 30]);
  });

  it("pushes colliding labels apart, keeping their order, inside the bounds", () => {
    expect(spreadLabels([40, 41, 42], 10, 0, 100)).toEqual([40, 50, 60]);
    expect(spreadLabels([98, 99, 100], 10, 0, 100)).toEqual([80, 90, 100]);
    expect(spreadLabels([-5, 0, 0], 10, 0, 100)).toEqual([0, 10, 20]);
  });

  it("says when the labels cannot fit", () => {
    expect(spreadLabels([1, 2, 3], 60, 0, 100)).toBeNull();
    expect(spreadLabels([], 10, 0, 100)).toEqual([]);
  });

  it("never overlaps, never leaves the bounds, never reorders (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 350, noNaN: true }), { maxLength: 30 }),
        fc.double({ min: 1, max: 20, noNaN: true }),
        (wanted, gap) => {
          const out = spreadLabels(wanted, gap, 0, 300);
          if ((wanted.length - 1) * gap > 300) return expect(out).toBeNull();
          expect(out).not.toBeNull();
          const placed = out!;
          for (const y of placed) expect(y >= 0 && y <= 300).toBe(true);
          const idx = wanted.map((_, i) => i).sort((a, b) => wanted[a] - wanted[b] || a - b);
          for (let k = 1; k < idx.length; k++) {
            expect(placed[idx[k]] - placed[idx[k - 1]]).toBeGreaterThanOrEqual(gap - 1e-9);
          }
        },
      ),
      { numRuns: 500, seed: 11 },
    );
  });
});

import fc from "fast-check";
import { expect, it } from "vitest";

it("property tests run from the repository's fixed seed (or FC_SEED)", () => {
  const expected = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261202;
  expect(fc.readConfigureGlobal().seed).toBe(expected);
  // The same seed draws the same values: two samples agree.
  const a = fc.sample(fc.integer(), { numRuns: 5, seed: expected });
  const b = fc.sample(fc.integer(), { numRuns: 5, seed: expected });
  expect(a).toEqual(b);
});

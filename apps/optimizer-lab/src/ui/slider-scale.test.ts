import { checkHyperparameter, type NumberHyperparameter } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { TEST_CATALOG } from "../optimizers/test-catalog.testutil.js";
import { SLIDER_STEPS, sliderPosition, sliderValue } from "./slider-scale.js";

const numbers = TEST_CATALOG.flatMap((e) =>
  e.hyperparameters
    .filter((h): h is NumberHyperparameter => h.kind === "number")
    .map((h) => [e.id, h] as const),
);

describe("hyperparameter sliders", () => {
  it("cover the typical range on the catalog's scale: a log slider's midpoint is the geometric mean", () => {
    const lr = numbers.find(([id, h]) => id === "adam" && h.key === "lr")![1]; // typical [1e-5, 1], log
    expect(sliderValue(lr, 0)).toBe(1e-5);
    expect(sliderValue(lr, SLIDER_STEPS)).toBe(1);
    expect(sliderValue(lr, SLIDER_STEPS / 2)).toBe(0.00316); // √(1e-5·1) to 3 digits
    expect(sliderPosition(lr, 1e-3)).toBe(400); // log₁₀ 1e-3 is 2/5 of the way from −5 to 0
    const beta2 = numbers.find(([id, h]) => id === "adam" && h.key === "beta2")![1]; // [0.9, 0.9999], linear
    expect(sliderValue(beta2, 500)).toBe(0.95);
    expect(sliderPosition(beta2, 0.94995)).toBe(500);
    expect(sliderPosition(beta2, 0.95)).toBe(501);
  });

  it("clamp values outside the typical range to the ends", () => {
    const lr = numbers.find(([id, h]) => id === "sgd" && h.key === "lr")![1];
    expect(sliderPosition(lr, 0)).toBe(0);
    expect(sliderPosition(lr, 50)).toBe(SLIDER_STEPS);
    expect(sliderPosition(lr, Number.NaN)).toBe(0);
  });

  it("give a valid value at every position of every numeric hyperparameter of the catalog", () => {
    for (const [id, h] of numbers) {
      for (let p = 0; p <= SLIDER_STEPS; p += 5) {
        const v = sliderValue(h, p);
        expect(checkHyperparameter(h, v), `${id} ${h.key} at ${p}`).toBeNull();
        if (h.integer === true) expect(Number.isInteger(v)).toBe(true);
        // Moving to a value's position and back lands on (about) the same value.
        // An integer option moves in whole numbers: within the gap to its neighbours' positions.
        const gap =
          h.integer === true
            ? Math.max(
                sliderPosition(h, v + 1) - sliderPosition(h, v),
                sliderPosition(h, v) - sliderPosition(h, v - 1),
              )
            : 6;
        expect(Math.abs(sliderPosition(h, v) - p), `${id} ${h.key} at ${p}`).toBeLessThanOrEqual(gap);
      }
    }
  });
});

import { checkHyperparameter, type NumberHyperparameter } from "@descent/optim";

/** Slider positions: 0 … SLIDER_STEPS. */
export const SLIDER_STEPS = 1000;

/** True when `h` is explored on a log scale (its typical range must then start above 0). */
function isLog(h: NumberHyperparameter): boolean {
  return h.scale === "log" && h.typical[0] > 0 && h.typical[1] > h.typical[0];
}

/** Where the slider of `h` stands for `value`: its place in the typical range, clamped to the ends. */
export function sliderPosition(h: NumberHyperparameter, value: number): number {
  const [lo, hi] = h.typical;
  if (!(hi > lo)) return 0;
  const t = isLog(h)
    ? (Math.log(value) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))
    : (value - lo) / (hi - lo);
  if (Number.isNaN(t)) return 0;
  return Math.round(Math.min(1, Math.max(0, t)) * SLIDER_STEPS);
}

/**
 * The value of `h` at slider position `position`: on its scale across the typical range, rounded to
 * three significant digits, or more where a narrow range needs them to keep the slider's resolution
 * (whole numbers for an integer option), and nudged inside the valid range when the rounding or an
 * exclusive bound would leave it.
 */
export function sliderValue(h: NumberHyperparameter, position: number): number {
  const [lo, hi] = h.typical;
  const t = Math.min(1, Math.max(0, position / SLIDER_STEPS));
  const raw = isLog(h) ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo);
  let v = h.integer === true ? Math.round(raw) : roundedForPosition(h, raw, position);
  if (checkHyperparameter(h, v) !== null) v = h.integer === true ? Math.round(raw) : raw;
  if (checkHyperparameter(h, v) !== null) v = h.default;
  return v + 0;
}

/** `raw` to the fewest significant digits (at least 3) that still sit at `position` (±1 step). */
function roundedForPosition(h: NumberHyperparameter, raw: number, position: number): number {
  for (let digits = 3; digits < 16; digits++) {
    const v = Number(raw.toPrecision(digits));
    if (Math.abs(sliderPosition(h, v) - position) <= 1) return v;
  }
  return raw;
}

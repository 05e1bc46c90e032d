/** An RGB colour, components 0–255. */
export type RGB = readonly [number, number, number];

/** Linear interpolation through evenly spaced colour stops, t ∈ [0, 1] (clamped). */
export function ramp(stops: readonly RGB[], t: number): RGB {
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** The loss surface: pale at the bottom of the valley, slate blue on the walls (trails stay readable). */
export const SURFACE_RAMP: readonly RGB[] = [
  [250, 251, 246],
  [226, 238, 232],
  [196, 216, 222],
  [160, 184, 206],
  [124, 146, 182],
];

/** Class 0 and class 1 of the network tab. */
export const CLASS_COLORS: readonly [RGB, RGB] = [
  [230, 140, 40],
  [40, 110, 190],
];

import { lookup } from "../own.js";
import { ruleIds } from "../rules.js";

/** How a rule's curve is drawn: its colour, and a dash pattern (px on, px off, ...) or none. */
export interface SeriesStyle {
  /** `#rrggbb`. */
  readonly color: string;
  /** Empty: a solid line. */
  readonly dash: readonly number[];
}

/**
 * The classic rules keep the colours they have always had (Okabe–Ito, distinguishable for common
 * colour-vision deficiencies).
 */
export const CLASSIC_COLORS: Readonly<Record<string, string>> = {
  sgd: "#0072b2",
  momentum: "#e69f00",
  adagrad: "#009e73",
  rmsprop: "#cc79a7",
  adam: "#d55e00",
  adamw: "#56b4e9",
};

/**
 * Colours for every other rule, in the order they are handed out. Chosen greedily from the
 * Okabe–Ito, Tol, Tableau, ColorBrewer, Kelly and Trubetskoy palettes, each the farthest (CIELAB
 * ΔE) from the classic six and the ones before it, among colours dark enough for a 2 px line on
 * white (L* ≤ 68): the closest two of all 20 colours are ΔE ≈ 24 apart.
 */
export const EXTRA_COLORS: readonly string[] = [
  "#000000",
  "#000075",
  "#f032e6",
  "#66a61e",
  "#654522",
  "#be0032",
  "#e7298a",
  "#999999",
  "#4363d8",
  "#882255",
  "#808000",
  "#911eb4",
  "#469990",
  "#a6761d",
];

/** Dash patterns for the rules beyond the last colour, which reuse the colours with these dashes. */
export const DASHES: readonly (readonly number[])[] = [
  [7, 4],
  [2, 3],
  [10, 3, 2, 3],
];

/** A string's hash (FNV-1a), for ids that are not in the catalog. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The style of rule `id` in every chart: a classic rule's own colour; any other rule of the catalog
 * the next of {@link EXTRA_COLORS} in catalog order (so a rule has the same colour in every report,
 * whichever rules race), and once those run out the same colours again with {@link DASHES}. Every
 * rule of a catalog of up to 6 + 14 × 4 = 62 rules has a style of its own.
 */
export function ruleColor(id: string): SeriesStyle {
  const classic = lookup(CLASSIC_COLORS, id);
  if (classic !== undefined) return { color: classic, dash: [] };
  const others = ruleIds().filter((r) => lookup(CLASSIC_COLORS, r) === undefined);
  let i = others.indexOf(id);
  if (i < 0) i = others.length + (hash(id) % (EXTRA_COLORS.length * (DASHES.length + 1)));
  const n = EXTRA_COLORS.length;
  const round = Math.floor(i / n) % (DASHES.length + 1);
  return { color: EXTRA_COLORS[i % n], dash: round === 0 ? [] : DASHES[round - 1] };
}

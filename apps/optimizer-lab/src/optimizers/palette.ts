import { CATALOG, type Catalog } from "./rules.js";

/**
 * Trail and curve colours, assigned to rules by catalog position. The first six are Okabe and Ito's
 * colour-blind-safe hues (the classic five rules and AdamW keep the colours they always had); the
 * other six were picked greedily, each maximising its smallest CIEDE2000 distance to those before it
 * under normal vision and simulated deuteranopia, protanopia and tritanopia (Machado et al. 2009),
 * among hues dark enough to read on white (contrast ≥ 2:1) and light enough not to pass for black.
 * Twelve hues cannot all stay apart for every reader, so each rule also has a marker shape.
 */
export const PALETTE: readonly string[] = [
  "#d55e00",
  "#e69f00",
  "#009e73",
  "#cc79a7",
  "#0072b2",
  "#56b4e9",
  "#882255",
  "#225522",
  "#8c564b",
  "#5d3a9b",
  "#7f7f7f",
  "#1a85ff",
];

/** Marker shapes, the second cue after colour (on trail heads, curves and legends). */
export const MARKERS = [
  "circle",
  "square",
  "triangle",
  "diamond",
  "triangle-down",
  "pentagon",
  "cross",
  "star",
] as const;
export type Marker = (typeof MARKERS)[number];

/** How a rule is drawn. */
export interface RuleStyle {
  readonly color: string;
  readonly marker: Marker;
}

/**
 * The style of the rule at `index` in the catalog: colour `index mod 12`, marker `index mod 8`, so
 * the first 24 rules all differ in colour or marker (and neighbours in both).
 */
export function styleAt(index: number): RuleStyle {
  const i = Math.max(0, Math.floor(index));
  return { color: PALETTE[i % PALETTE.length], marker: MARKERS[i % MARKERS.length] };
}

/** A rule's style by id (its catalog position); an id not in the catalog is drawn grey. */
export function ruleStyle(id: string, catalog: Catalog = CATALOG): RuleStyle {
  const index = catalog.findIndex((e) => e.id === id);
  return index < 0 ? { color: "#666666", marker: "circle" } : styleAt(index);
}

/**
 * The outline of a marker of radius `r` centred on the origin, as polygon vertices (y down), or
 * "circle". Shared by the canvas drawings and the legends' SVG swatches.
 */
export function markerOutline(marker: Marker, r: number): "circle" | [number, number][] {
  const polygon = (n: number, rotation: number, radius = r): [number, number][] =>
    Array.from({ length: n }, (_, k) => {
      const a = rotation + (2 * Math.PI * k) / n;
      return [radius * Math.cos(a), radius * Math.sin(a)];
    });
  switch (marker) {
    case "circle":
      return "circle";
    case "square":
      return polygon(4, Math.PI / 4, r * 1.2);
    case "triangle":
      return polygon(3, -Math.PI / 2, r * 1.3);
    case "triangle-down":
      return polygon(3, Math.PI / 2, r * 1.3);
    case "diamond":
      return polygon(4, 0, r * 1.3);
    case "pentagon":
      return polygon(5, -Math.PI / 2, r * 1.15);
    case "star":
      return Array.from({ length: 10 }, (_, k) => {
        const a = -Math.PI / 2 + (Math.PI * k) / 5;
        const radius = k % 2 === 0 ? r * 1.45 : r * 0.6;
        return [radius * Math.cos(a), radius * Math.sin(a)] as [number, number];
      });
    case "cross": {
      const a = r * 1.2;
      const b = r * 0.42;
      return [
        [-b, -a],
        [b, -a],
        [b, -b],
        [a, -b],
        [a, b],
        [b, b],
        [b, a],
        [-b, a],
        [-b, b],
        [-a, b],
        [-a, -b],
        [-b, -b],
      ];
    }
  }
}

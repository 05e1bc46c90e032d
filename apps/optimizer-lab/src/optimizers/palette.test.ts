import { describe, expect, it } from "vitest";
import { MARKERS, markerOutline, PALETTE, ruleStyle, styleAt } from "./palette.js";
import { CATALOG } from "./rules.js";
import { TEST_CATALOG, wideCatalog } from "./test-catalog.testutil.js";

type RGB = [number, number, number];

function rgb(hex: string): RGB {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as RGB;
}
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toGamma = (c: number) => {
  const v = Math.min(1, Math.max(0, c));
  return v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
};

/** Machado, Oliveira and Fernandes (2009), severity 1.0, applied to linear RGB. */
const VISION: Record<string, number[][]> = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

/** CIELAB (D65) of a colour as seen with `vision`. */
function lab(hex: string, vision: number[][]): RGB {
  const lin = rgb(hex).map(toLinear);
  const seen = vision.map((row) => toLinear(toGamma(row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2])));
  const X = (0.4124 * seen[0] + 0.3576 * seen[1] + 0.1805 * seen[2]) / 0.95047;
  const Y = 0.2126 * seen[0] + 0.7152 * seen[1] + 0.0722 * seen[2];
  const Z = (0.0193 * seen[0] + 0.1192 * seen[1] + 0.9505 * seen[2]) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}

function contrastOnWhite(hex: string): number {
  const [r, g, b] = rgb(hex).map(toLinear);
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}

describe("the rule palette", () => {
  it("keeps the colours the classic rules and AdamW always had", () => {
    expect(CATALOG.slice(0, 6).map((e) => [e.id, ruleStyle(e.id).color])).toEqual([
      ["sgd", "#d55e00"],
      ["momentum", "#e69f00"],
      ["adagrad", "#009e73"],
      ["rmsprop", "#cc79a7"],
      ["adam", "#0072b2"],
      ["adamw", "#56b4e9"],
    ]);
  });

  it("has twelve hues that stay apart in normal and in simulated colour-blind vision", () => {
    // Smallest CIELAB ΔE76 over all pairs, measured: normal 26.4, deuteranopia 9.7 (green vs grey),
    // protanopia 17.9, tritanopia 14.1.
    const floor: Record<string, number> = { normal: 26, deuteranopia: 9.5, protanopia: 17.5, tritanopia: 14 };
    expect(new Set(PALETTE).size).toBe(12);
    for (const [name, m] of Object.entries(VISION)) {
      let smallest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < PALETTE.length; i++) {
        for (let j = i + 1; j < PALETTE.length; j++) {
          const a = lab(PALETTE[i], m);
          const b = lab(PALETTE[j], m);
          smallest = Math.min(smallest, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
        }
      }
      expect(smallest, name).toBeGreaterThanOrEqual(floor[name]);
    }
  });

  it("has hues readable on white that do not pass for black (contrast 2:1 to 9.5:1)", () => {
    for (const c of PALETTE) {
      expect(contrastOnWhite(c), c).toBeGreaterThanOrEqual(2);
      expect(contrastOnWhite(c), c).toBeLessThanOrEqual(9.5);
    }
  });

  it("gives each of 24 rules its own colour and marker pair, neighbours differing in both", () => {
    const catalog = wideCatalog(24);
    const styles = catalog.map((e) => ruleStyle(e.id, catalog));
    expect(new Set(styles.map((s) => `${s.color} ${s.marker}`)).size).toBe(24);
    for (let i = 1; i < 24; i++) {
      expect(styles[i].color).not.toBe(styles[i - 1].color);
      expect(styles[i].marker).not.toBe(styles[i - 1].marker);
    }
    expect(ruleStyle("signum", TEST_CATALOG)).toEqual(styleAt(TEST_CATALOG.length - 2));
    expect(ruleStyle("no-such-rule").color).toBe("#666666");
  });

  it("draws every marker as a closed outline of the asked size", () => {
    for (const m of MARKERS) {
      const outline = markerOutline(m, 5);
      if (outline === "circle") continue;
      expect(outline.length, m).toBeGreaterThanOrEqual(3);
      const reach = Math.max(...outline.map(([x, y]) => Math.hypot(x, y)));
      expect(reach, m).toBeGreaterThan(4);
      expect(reach, m).toBeLessThan(8);
    }
  });
});

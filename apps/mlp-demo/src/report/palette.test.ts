import { OPTIMIZER_CATALOG } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { CLASSIC_COLORS, DASHES, EXTRA_COLORS, ruleColor } from "./palette.js";
import { xterm256 } from "./terminal-chart.js";

describe("rule colours", () => {
  it("the classic rules keep their colours; every rule of the catalog has a style of its own", () => {
    expect(CLASSIC_COLORS).toEqual({
      sgd: "#0072b2",
      momentum: "#e69f00",
      adagrad: "#009e73",
      rmsprop: "#cc79a7",
      adam: "#d55e00",
      adamw: "#56b4e9",
    });
    const styles = OPTIMIZER_CATALOG.map((e) => JSON.stringify(ruleColor(e.id)));
    expect(new Set(styles).size).toBe(OPTIMIZER_CATALOG.length);
    // The first rules beyond the classic six take the extra colours in catalog order, solid.
    const others = OPTIMIZER_CATALOG.map((e) => e.id).filter((id) => !(id in CLASSIC_COLORS));
    others.slice(0, EXTRA_COLORS.length).forEach((id, i) => {
      expect(ruleColor(id)).toEqual({ color: EXTRA_COLORS[i], dash: [] });
    });
    // 6 + 14 colours, then the same colours dashed: enough for 62 rules.
    expect(new Set([...Object.values(CLASSIC_COLORS), ...EXTRA_COLORS]).size).toBe(20);
    expect(DASHES).toHaveLength(3);
    expect(ruleColor("not-a-rule")).toEqual(ruleColor("not-a-rule"));
  });

  it("terminal charts of many series use the xterm-256 colour nearest to each", () => {
    expect(xterm256("#000000")).toBe(16);
    expect(xterm256("#ffffff")).toBe(231);
    expect(xterm256("#808080")).toBe(244);
    expect(xterm256("#d55e00")).toBe(16 + 36 * 4 + 6 * 1 + 0);
  });
});

import type { RuleStyle } from "../optimizers/palette.js";
import { h } from "./dom.js";
import { swatch } from "./swatch.js";

/** One entry of a legend. */
export interface LegendItem {
  readonly id: string;
  readonly name: string;
  readonly style: RuleStyle;
  /** A short value after the name (e.g. the last loss). */
  readonly detail?: string;
  /** The item is greyed out (e.g. the rule failed). */
  readonly off?: boolean;
}

/**
 * A legend as an HTML list beside a chart: it flows and wraps like text, so it never overlaps the
 * chart or itself however many rules there are. Pointing at (or focusing) an item calls `onPoint`
 * with its id (null when leaving), so the chart can bring that rule's curves forward.
 */
export function legendList(
  items: readonly LegendItem[],
  onPoint: (id: string | null) => void,
  testId?: string,
): HTMLElement {
  return h(
    "ul",
    { class: "legend-list", "data-testid": testId, "aria-label": "legend" },
    ...items.map((it) => {
      const li = h(
        "li",
        { tabindex: 0, "data-rule": it.id, class: it.off ? "off" : undefined, title: it.name },
        swatch(it.style),
        h("span", { class: "name" }, it.name),
        it.detail === undefined ? null : h("span", { class: "detail" }, it.detail),
      );
      li.addEventListener("pointerenter", () => onPoint(it.id));
      li.addEventListener("pointerleave", () => onPoint(null));
      li.addEventListener("focus", () => onPoint(it.id));
      li.addEventListener("blur", () => onPoint(null));
      return li;
    }),
  );
}

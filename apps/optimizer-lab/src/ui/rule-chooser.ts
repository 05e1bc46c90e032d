import { ruleStyle } from "../optimizers/palette.js";
import { type Catalog, classicRules, inCatalogOrder } from "../optimizers/rules.js";
import { h } from "./dom.js";
import { swatch } from "./swatch.js";

/**
 * Chooses a set of the catalog's rules: a checkbox per rule (with its colour and marker) and quick
 * picks (the classic five, all, none). Checkbox test ids are `<testIdPrefix>-<id>`.
 */
export function ruleChooser(opts: {
  catalog: Catalog;
  chosen: readonly string[];
  legend: string;
  testIdPrefix: string;
  onChange: (ids: string[]) => void;
}): { root: HTMLElement; set(ids: readonly string[]): void } {
  const boxes = new Map<string, HTMLInputElement>();
  const chosen = () =>
    inCatalogOrder(
      opts.catalog,
      [...boxes].filter(([, b]) => b.checked).map(([id]) => id),
    );
  const items = opts.catalog.map((e) => {
    const box = h("input", {
      type: "checkbox",
      checked: opts.chosen.includes(e.id),
      "data-testid": `${opts.testIdPrefix}-${e.id}`,
    });
    box.addEventListener("change", () => opts.onChange(chosen()));
    boxes.set(e.id, box);
    return h(
      "label",
      { class: "rule-pick", title: e.summary },
      box,
      swatch(ruleStyle(e.id, opts.catalog)),
      e.name,
    );
  });
  const set = (ids: readonly string[]) => {
    for (const [id, b] of boxes) b.checked = ids.includes(id);
  };
  const quick = (label: string, ids: () => string[], testId: string) => {
    const b = h(
      "button",
      { type: "button", class: "small-button", "data-testid": `${opts.testIdPrefix}-${testId}` },
      label,
    );
    b.addEventListener("click", () => {
      set(ids());
      opts.onChange(chosen());
    });
    return b;
  };
  const root = h(
    "fieldset",
    { class: "rule-chooser" },
    h("legend", {}, opts.legend),
    h(
      "div",
      { class: "quick" },
      quick("Classic five", () => classicRules(opts.catalog), "classic"),
      quick("All", () => opts.catalog.map((e) => e.id), "all"),
      quick("None", () => [], "none"),
    ),
    h("div", { class: "rule-grid" }, ...items),
  );
  return { root, set };
}

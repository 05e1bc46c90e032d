import { type OptimizerEntry, rangeText } from "@descent/optim";
import type { HyperValues } from "../optimizers/rules.js";
import { valueText } from "../optimizers/rules.js";
import { h } from "./dom.js";

/**
 * A rule explained, all from its catalog entry: its name, what it does, its update rule, where it
 * comes from, and the hyperparameters it runs with (`values`), each with its meaning on hover.
 */
export function ruleCard(entry: OptimizerEntry, values: HyperValues, testId?: string): HTMLElement {
  const ref = entry.reference;
  return h(
    "article",
    { class: "rule-card", "data-testid": testId, "data-rule": entry.id },
    h("h3", {}, entry.name),
    h("p", {}, entry.summary),
    h("pre", { class: "update", "aria-label": "update rule" }, entry.update),
    entry.needsClosure === true
      ? h(
          "p",
          { class: "muted small" },
          "Evaluates the loss and its gradient several times per step (it takes a closure).",
        )
      : null,
    h(
      "dl",
      { class: "values" },
      ...entry.hyperparameters.flatMap((hp) => [
        h("dt", { title: hp.meaning }, hp.label),
        h(
          "dd",
          { title: hp.kind === "number" ? `valid: ${rangeText(hp)}` : hp.meaning, "data-key": hp.key },
          valueText(values[hp.key] ?? hp.default),
        ),
      ]),
    ),
    h(
      "p",
      { class: "reference small" },
      `${ref.authors}, `,
      h("a", { href: ref.url, target: "_blank", rel: "noopener noreferrer" }, ref.title),
      ` (${ref.year})`,
    ),
  );
}

import { type Hyperparameter, type HyperparameterValue, rangeText } from "@descent/optim";
import { valueText } from "../optimizers/rules.js";
import { readHyperValue } from "../state/hyper-text.js";
import { h } from "./dom.js";
import { SLIDER_STEPS, sliderPosition, sliderValue } from "./slider-scale.js";

/** A control for one hyperparameter of a catalog rule. */
export interface HyperField {
  readonly root: HTMLElement;
  /** Shows `value` (without calling `onChange`). */
  set(value: HyperparameterValue): void;
}

/**
 * The control of a hyperparameter, by kind: a number gets a slider over its typical range on its
 * scale (log or linear) and a text box for any exact value, checked with the catalog's rules (a
 * rejected entry is marked and explained, and not applied); an on/off option gets a checkbox; a
 * named option a select. The label's tooltip gives the catalog's one-line meaning and valid range.
 * `testId` names the text box, checkbox or select (the slider is `testId-slider`).
 */
export function hyperField(opts: {
  hyper: Hyperparameter;
  value: HyperparameterValue;
  testId: string;
  onChange: (v: HyperparameterValue) => void;
}): HyperField {
  const hp = opts.hyper;
  const title = hp.kind === "number" ? `${hp.meaning}. Valid: ${rangeText(hp)}` : hp.meaning;
  if (hp.kind === "boolean") {
    const box = h("input", { type: "checkbox", checked: opts.value === true, "data-testid": opts.testId });
    box.addEventListener("change", () => opts.onChange(box.checked));
    const root = h("label", { class: "field check", title }, box, h("span", {}, hp.label));
    return { root, set: (v) => void (box.checked = v === true) };
  }
  if (hp.kind === "choice") {
    const select = h(
      "select",
      { "data-testid": opts.testId },
      ...hp.choices.map((c) =>
        h("option", { value: valueText(c), selected: c === opts.value }, valueText(c)),
      ),
    );
    select.addEventListener("change", () => {
      const read = readHyperValue(hp, select.value);
      if (read.ok) opts.onChange(read.value);
    });
    const root = h("label", { class: "field", title }, h("span", {}, hp.label), select);
    return { root, set: (v) => void (select.value = valueText(v)) };
  }
  const slider = h("input", {
    type: "range",
    min: 0,
    max: SLIDER_STEPS,
    step: 1,
    value: sliderPosition(hp, opts.value as number),
    "aria-label": `${hp.label} (${hp.scale} scale, ${hp.typical[0]} to ${hp.typical[1]})`,
    "data-testid": `${opts.testId}-slider`,
  });
  const text = h("input", {
    type: "text",
    inputmode: "decimal",
    spellcheck: "false",
    value: valueText(opts.value),
    "aria-label": hp.label,
    "data-testid": opts.testId,
  });
  const problem = h("span", { class: "field-problem", role: "status" });
  const show = (v: number) => {
    text.value = valueText(v);
    slider.value = String(sliderPosition(hp, v));
    text.setAttribute("aria-invalid", "false");
    problem.textContent = "";
  };
  slider.addEventListener("input", () => {
    const v = sliderValue(hp, slider.valueAsNumber);
    text.value = valueText(v);
    text.setAttribute("aria-invalid", "false");
    problem.textContent = "";
    opts.onChange(v);
  });
  text.addEventListener("change", () => {
    const read = readHyperValue(hp, text.value.trim());
    text.setAttribute("aria-invalid", String(!read.ok));
    problem.textContent = read.ok ? "" : read.problem;
    if (!read.ok) return;
    slider.value = String(sliderPosition(hp, read.value as number));
    opts.onChange(read.value);
  });
  const root = h(
    "div",
    { class: "field hyper-number", title },
    h("label", { class: "hyper-label" }, h("span", {}, hp.label), text),
    slider,
    problem,
  );
  return { root, set: (v) => show(v as number) };
}

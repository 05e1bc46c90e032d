import type { HyperparameterValue, OptimizerEntry } from "@descent/optim";
import type { HyperValues } from "../optimizers/rules.js";
import { h } from "./dom.js";
import { hyperField } from "./hyper-field.js";

/**
 * Every hyperparameter of a catalog rule, editable: the first (the learning rate) in view, the rest
 * behind a "more options" disclosure so a list of many rules stays short. Field test ids are
 * `<testIdPrefix>-<key>`. `onChange` receives each valid change.
 */
export function hyperEditor(opts: {
  entry: OptimizerEntry;
  values: HyperValues;
  testIdPrefix: string;
  onChange: (key: string, value: HyperparameterValue) => void;
  /** Keep the options after the first behind a disclosure (default true). */
  fold?: boolean;
}): HTMLElement {
  const fields = opts.entry.hyperparameters.map(
    (hp) =>
      hyperField({
        hyper: hp,
        value: opts.values[hp.key],
        testId: `${opts.testIdPrefix}-${hp.key}`,
        onChange: (v) => opts.onChange(hp.key, v),
      }).root,
  );
  if (opts.fold === false || fields.length <= 1) return h("div", { class: "hyper-fields" }, ...fields);
  const rest = fields.slice(1);
  const more = h(
    "details",
    { class: "more-options", "data-testid": `${opts.testIdPrefix}-more` },
    h("summary", {}, `${rest.length} more option${rest.length === 1 ? "" : "s"}`),
    h("div", { class: "hyper-fields" }, ...rest),
  );
  return h("div", { class: "hyper-fields" }, fields[0], more);
}

import {
  type HyperparameterValue,
  type NumberHyperparameter,
  OPTIMIZER_CATALOG,
  type OptimizerEntry,
  optionsFromValues,
} from "../index.js";

/** One setting of a rule the kit runs: catalog defaults, or options moved away from them. */
export interface RuleSetting {
  readonly entry: OptimizerEntry;
  /** `"defaults"`, `"varied"`, `"varied + amsgrad"`, `"varied + maximize"`, ... */
  readonly label: string;
  /** Constructor options (camelCase PyTorch names). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** A point `at` (0..1) of a hyperparameter's typical range, on its scale; whole for integers. */
function pointIn(h: NumberHyperparameter, at: number): number {
  const [lo, hi] = h.typical;
  const x = h.scale === "log" && lo > 0 ? lo * (hi / lo) ** at : lo + (hi - lo) * at;
  return h.integer === true ? Math.round(x) : Number(x.toPrecision(6));
}

/** True if the rule accepts these options (checked by building it over a stand-in parameter). */
function valid(entry: OptimizerEntry, options: Record<string, unknown>): boolean {
  try {
    entry.create([{ data: new Float64Array(1), grad: null }], options);
    return true;
  } catch {
    return false;
  }
}

/**
 * The settings of every catalog rule whose `step()` needs no closure and that needs no parameter
 * shapes (the kit's engines build flat parameters; Muon and Adafactor are checked on shaped
 * parameters in their own tests) and keeps no state beside its parameter groups' (Lookahead's
 * per-group counters and slow weights are checked in its own tests): its defaults; every number
 * hyperparameter at 30 % of its typical range ("varied"); varied with each on/off option that is
 * off by default turned on (or the defaults with it, where varied values exclude it, as Nesterov
 * excludes dampening); and varied with `maximize`.
 */
export function ruleSettings(): RuleSetting[] {
  const out: RuleSetting[] = [];
  for (const entry of OPTIMIZER_CATALOG) {
    if (entry.needsClosure === true || entry.needsShape === true || entry.id.startsWith("lookahead"))
      continue;
    const varied: Record<string, HyperparameterValue> = {};
    for (const h of entry.hyperparameters) if (h.kind === "number") varied[h.key] = pointIn(h, 0.3);
    const variedOptions = optionsFromValues(entry, varied);
    out.push({ entry, label: "defaults", options: optionsFromValues(entry) });
    out.push({ entry, label: "varied", options: variedOptions });
    for (const h of entry.hyperparameters) {
      if (h.kind !== "boolean" || h.default !== false) continue;
      const on = optionsFromValues(entry, { ...varied, [h.key]: true });
      const onDefaults = optionsFromValues(entry, { [h.key]: true });
      if (valid(entry, on)) out.push({ entry, label: `varied + ${h.key}`, options: on });
      else if (valid(entry, onDefaults))
        out.push({ entry, label: `defaults + ${h.key}`, options: onDefaults });
    }
    const maximize = { ...variedOptions, maximize: true };
    if (valid(entry, maximize)) out.push({ entry, label: "varied + maximize", options: maximize });
  }
  return out;
}

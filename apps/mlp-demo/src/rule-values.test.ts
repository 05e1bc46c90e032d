import { defaultValues, OPTIMIZER_CATALOG, optionsFromValues } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { parseArgs } from "./args.js";
import { resolveConfig } from "./config.js";
import { UsageError } from "./errors.js";
import {
  checkedOptions,
  checkRunValues,
  checkSettingsApply,
  parseSettings,
  ruleValues,
  type ValueSources,
} from "./rule-values.js";

const cfgOf = (argv: string[]) => resolveConfig(parseArgs(argv));

function usage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error("expected a UsageError");
}

describe("--set", () => {
  it("parses KEY=VALUE and RULE.KEY=VALUE lists, repeatable, and refuses malformed ones", () => {
    const a = parseArgs(["--set", "beta2=0.99, amsgrad=true", "--set=adam.eps=1e-6"]);
    expect(a.set).toEqual(["beta2=0.99, amsgrad=true", "adam.eps=1e-6"]);
    expect(parseSettings(a.set ?? [])).toEqual([
      { text: "beta2=0.99", rule: null, key: "beta2", raw: "0.99" },
      { text: "amsgrad=true", rule: null, key: "amsgrad", raw: "true" },
      { text: "adam.eps=1e-6", rule: "adam", key: "eps", raw: "1e-6" },
    ]);
    expect(usage(() => parseSettings(["beta2"]))).toMatch(
      /^--set "beta2": expected KEY=VALUE or RULE\.KEY=VALUE/,
    );
    expect(usage(() => parseSettings(["=1"]))).toMatch(/expected KEY=VALUE/);
    expect(usage(() => parseSettings(["adma.lr=1"]))).toBe(
      `--set adma.lr=1: unknown optimizer "adma" (did you mean adam?) (one of: ${OPTIMIZER_CATALOG.map((e) => e.id).join(", ")})`,
    );
    expect(usage(() => parseSettings(["lr=1", "lr=2"]))).toBe("--set sets lr twice (lr=1, lr=2)");
  });

  it("values: catalog defaults < the demo's lr < flags < KEY=V < RULE.KEY=V", () => {
    const adam = OPTIMIZER_CATALOG.find((e) => e.id === "adam");
    if (!adam) throw new Error("no adam");
    expect(ruleValues("adam", {})).toEqual(defaultValues(adam));
    expect(ruleValues("adam", { dataset: "mnist" }).lr).toBe(0.002); // DATASET_LR
    expect(ruleValues("nadam", { dataset: "mnist" }).lr).toBe(0.002); // the catalog's: NAdam's default
    expect(ruleValues("sgd", {}).lr).toBe(0.1); // DEFAULT_LR, not the catalog's 0.001
    const s: ValueSources = {
      lr: 0.01,
      weightDecay: 0.5,
      settings: parseSettings(["beta2=0.9,amsgrad=true", "adam.beta2=0.95", "lr=0.02"]),
    };
    expect(
      usage(() => checkRunValues(["adam"], { ...s, lr: undefined, settings: parseSettings(["lr=x"]) })),
    ).toBe('--set lr=x: Adam (adam): lr must be a finite number, got "x" (valid: [0, ∞))');
    const v = ruleValues("adam", s);
    expect([v.lr, v.beta2, v.amsgrad, v.weightDecay]).toEqual([0.02, 0.95, true, 0.5]);
    // An unqualified key applies to each rule that has it; the partner takes only qualified ones.
    expect(ruleValues("sgd", s)).toEqual({ lr: 0.02, weightDecay: 0.5 });
    expect(ruleValues("adamw", s, "partner")).toEqual(ruleValues("adamw", {}));
  });

  it("--momentum sets the momentum of the rules that use momentum by default, and no other", () => {
    const s = { momentum: 0.8 };
    expect(ruleValues("momentum", s).momentum).toBe(0.8);
    expect(ruleValues("rmsprop", s).momentum).toBe(0); // momentum off by default: unchanged
    expect(() => checkSettingsApply(["momentum", "rmsprop"], [], s, "x")).not.toThrow();
    expect(usage(() => checkSettingsApply(["adam", "rmsprop"], [], s, "--optimizers adam,rmsprop"))).toBe(
      "--momentum sets the momentum of the rules that use momentum by default, and no rule of this run has one (--optimizers adam,rmsprop); where it is off by default (rmsprop), use --set momentum=X",
    );
    expect(ruleValues("rmsprop", { settings: parseSettings(["momentum=0.5"]) }).momentum).toBe(0.5);
  });

  it("invalid values name the setting, the rule, the key and the valid range; unknown keys the closest one", () => {
    const cases: [string, string, string][] = [
      ["adam", "beta2=1", "--set beta2=1: Adam (adam): beta2 must be in [0, 1), got 1"],
      [
        "adam",
        "adam.amsgrad=yes",
        '--set adam.amsgrad=yes: Adam (adam): amsgrad must be true or false, got "yes"',
      ],
      [
        "lbfgs",
        "lineSearchFn=wolfe",
        '--set lineSearchFn=wolfe: L-BFGS (lbfgs): lineSearchFn must be one of null, "strong_wolfe", got "wolfe"',
      ],
      [
        "lbfgs",
        "maxIter=2.5",
        "--set maxIter=2.5: L-BFGS (lbfgs): maxIter must be an integer, got 2.5 (valid: [0, ∞))",
      ],
      [
        "adam",
        "adam.bta2=0.9",
        '--set adam.bta2=0.9: Adam (adam) has no hyperparameter "bta2" (did you mean beta2?); its hyperparameters: lr, beta1, beta2, eps, weightDecay, amsgrad',
      ],
    ];
    for (const [rule, set, message] of cases) {
      expect(usage(() => checkRunValues([rule], { settings: parseSettings([set]) }))).toBe(message);
    }
    expect(
      usage(() =>
        checkSettingsApply(
          ["sgd", "adam"],
          [],
          { settings: parseSettings(["bta2=1"]) },
          "--optimizers sgd,adam",
        ),
      ),
    ).toMatch(
      /^--set bta2=1: no rule of this run \(--optimizers sgd,adam\) has a hyperparameter "bta2" \(did you mean beta2\?\); theirs: lr, weightDecay, beta1, beta2/,
    );
    // "none" and "null" both mean a choice of none; a valid value builds the rule as the catalog says.
    const lbfgs = OPTIMIZER_CATALOG.find((e) => e.id === "lbfgs");
    if (!lbfgs) throw new Error("no lbfgs");
    const values = ruleValues("lbfgs", { settings: parseSettings(["lineSearchFn=none", "maxIter=5"]) });
    expect(checkedOptions("lbfgs", values)).toEqual(optionsFromValues(lbfgs, { ...values }));
  });

  it("every hyperparameter of every rule can be set from the command line (here to its catalog default)", () => {
    for (const e of OPTIMIZER_CATALOG) {
      const text = e.hyperparameters.map(
        (h) => `${e.id}.${h.key}=${h.default === null ? "none" : h.default}`,
      );
      const cfg = cfgOf(["--optimizer", e.id, "--set", text.join(",")]);
      expect(ruleValues(e.id, cfg)).toEqual(defaultValues(e));
      expect(() => checkRunValues([e.id], cfg)).not.toThrow();
    }
  });
});

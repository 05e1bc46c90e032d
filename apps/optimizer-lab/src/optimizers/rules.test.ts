import { checkHyperparameter, OPTIMIZER_CATALOG } from "@descent/optim";
import { describe, expect, it } from "vitest";
import { closest, didYouMean } from "./did-you-mean.js";
import {
  CATALOG,
  classicRules,
  findHyperparameter,
  getRule,
  inCatalogOrder,
  ruleIds,
  unknownRule,
  valuesFor,
  valueText,
} from "./rules.js";
import { BACKTRACK_ENTRY, SIGNUM_ENTRY, TEST_CATALOG } from "./test-catalog.testutil.js";

describe("the lab's rules", () => {
  it("are the package's catalog, in its order, but the rules that need matrix shapes", () => {
    const runnable = OPTIMIZER_CATALOG.filter((e) => e.needsShape !== true);
    expect(ruleIds()).toEqual(runnable.map((e) => e.id));
    expect(CATALOG.every((e) => OPTIMIZER_CATALOG.includes(e))).toBe(true);
    expect(OPTIMIZER_CATALOG.some((e) => e.needsShape === true && !CATALOG.includes(e))).toBe(true);
  });

  it("start with the classic five where the catalog has them, else with its first five", () => {
    expect(classicRules()).toEqual(["sgd", "momentum", "adagrad", "rmsprop", "adam"]);
    expect(classicRules(TEST_CATALOG)).toEqual(["sgd", "momentum", "adagrad", "rmsprop", "adam"]);
    expect(classicRules([SIGNUM_ENTRY, BACKTRACK_ENTRY])).toEqual(["signum", "backtrack"]);
  });

  it("finds entries by id and names the closest id of an unknown one", () => {
    expect(getRule(TEST_CATALOG, "signum")).toBe(SIGNUM_ENTRY);
    expect(() => getRule(TEST_CATALOG, "signun")).toThrow('unknown rule "signun" (did you mean signum?)');
    expect(unknownRule(CATALOG, "adamm")).toBe('unknown rule "adamm" (did you mean adam?)');
    expect(unknownRule(CATALOG, "ADAM")).toBe('unknown rule "ADAM" (did you mean adam?)');
    expect(unknownRule(CATALOG, "rms")).toBe('unknown rule "rms" (did you mean rmsprop?)');
    expect(unknownRule(CATALOG, "zzzzzz")).toBe('unknown rule "zzzzzz"');
    expect(unknownRule(CATALOG, "x".repeat(100))).toHaveLength('unknown rule ""'.length + 41);
  });

  it("sorts and deduplicates a chosen set into catalog order, dropping unknown ids", () => {
    expect(inCatalogOrder(TEST_CATALOG, ["backtrack", "adam", "nope", "sgd", "adam"])).toEqual([
      "sgd",
      "adam",
      "backtrack",
    ]);
  });

  it("fills every hyperparameter, keeping only valid overrides", () => {
    const adam = getRule(CATALOG, "adam");
    const v = valuesFor(adam, { lr: 0.5, beta1: 1.5, amsgrad: true, bogus: 3 });
    expect(Object.keys(v)).toEqual(adam.hyperparameters.map((h) => h.key));
    expect(v["lr"]).toBe(0.5);
    expect(v["beta1"]).toBe(0.9); // 1.5 is outside [0, 1)
    expect(v["amsgrad"]).toBe(true);
    for (const h of adam.hyperparameters) expect(checkHyperparameter(h, v[h.key])).toBeNull();
    expect(findHyperparameter(SIGNUM_ENTRY, "direction")?.kind).toBe("choice");
    expect(valueText(null)).toBe("none");
    expect(valueText(1e-8)).toBe("1e-8");
  });
});

describe("did you mean", () => {
  it("suggests within a third of the length in edits, or by prefix", () => {
    expect(closest("momentun", ["sgd", "momentum"])).toBe("momentum");
    expect(closest("sdg", ["sgd", "adam"])).toBe("sgd");
    expect(closest("ada", ["sgd", "adagrad", "adam"])).toBe("adam");
    expect(closest("adag", ["sgd", "adagrad", "adam"])).toBe("adam");
    expect(closest("adagr", ["sgd", "adagrad", "adam"])).toBe("adagrad");
    expect(closest("qqqq", ["sgd", "adam"])).toBeUndefined();
    expect(closest("", ["sgd"])).toBeUndefined();
    expect(didYouMean("lrr", ["lr", "eps"])).toBe(" (did you mean lr?)");
  });
});

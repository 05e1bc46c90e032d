/**
 * Every options-taking function and constructor of the package rejects unknown and misspelled
 * option names (PyTorch's snake_case, a stray underscore, a typo) with the closest known name.
 */
import { Generator, zeros } from "@descent/tensor";
import { describe, expect, it } from "vitest";
import * as init from "./init.js";
import { GELU } from "./modules/activation.js";
import { Dropout } from "./modules/dropout.js";
import { Linear } from "./modules/linear.js";
import { MLP } from "./modules/mlp.js";
import { loadSafetensors, saveSafetensors } from "./serialization.js";

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return expect.fail("expected an error");
}

const w = () => zeros([3, 2]);
const lin = () => new Linear(2, 1);
const fns: [string, (opts: object) => unknown, string[]][] = [
  ["Linear", (o) => new Linear(2, 3, o), ["bias", "dtype", "generator"]],
  ["resetParameters", (o) => lin().resetParameters(o), ["generator"]],
  ["MLP", (o) => new MLP([2, 3, 1], o), ["activation", "dropout", "bias", "dtype", "generator"]],
  ["Dropout", (o) => new Dropout(0.5, o), ["generator"]],
  ["GELU", (o) => new GELU(o), ["approximate"]],
  ["zeroGrad", (o) => lin().zeroGrad(o), ["setToNone"]],
  ["stateDict", (o) => lin().stateDict(o), ["keepVars"]],
  ["loadStateDict", (o) => lin().loadStateDict(lin().stateDict(), o), ["strict", "allowNonFinite"]],
  ["saveSafetensors", (o) => saveSafetensors(lin(), o), ["metadata"]],
  ["loadSafetensors", (o) => loadSafetensors(lin(), saveSafetensors(lin()), o), ["strict", "allowNonFinite"]],
  ["uniform", (o) => init.uniform(w(), o), ["a", "b", "generator"]],
  ["normal", (o) => init.normal(w(), o), ["mean", "std", "generator"]],
  ["xavierUniform", (o) => init.xavierUniform(w(), o), ["gain", "generator"]],
  ["xavierNormal", (o) => init.xavierNormal(w(), o), ["gain", "generator"]],
  ["kaimingUniform", (o) => init.kaimingUniform(w(), o), ["a", "mode", "nonlinearity", "generator"]],
  ["kaimingNormal", (o) => init.kaimingNormal(w(), o), ["a", "mode", "nonlinearity", "generator"]],
];

describe("unknown or misspelled options name the closest known option", () => {
  const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  for (const [name, f, known] of fns) {
    it(`${name}: ${known.join(", ")}`, () => {
      expect(() => f({})).not.toThrow();
      const list = `known options: ${known.join(", ")}`;
      expect(errorOf(() => f({ bogus: 1 })).message).toBe(`${name}: unknown option "bogus"; ${list}`);
      expect(errorOf(() => f({ bogus: 1 }))).toBeInstanceOf(TypeError);
      expect(errorOf(() => f(null as never)).message).toBe(`${name}: options must be an object, got null`);
      for (const k of known) {
        for (const bad of new Set([snake(k), `${k}_`, `_${k}`, k.toUpperCase()])) {
          if (bad === k) continue;
          expect(errorOf(() => f({ [bad]: undefined })).message, bad).toBe(
            `${name}: unknown option ${JSON.stringify(bad)} (did you mean ${JSON.stringify(k)}?); ${list}`,
          );
        }
      }
    });
  }
  it("the issue's example: Linear(2, 3, { bias_: false })", () => {
    expect(errorOf(() => new Linear(2, 3, { bias_: false } as never)).message).toBe(
      'Linear: unknown option "bias_" (did you mean "bias"?); known options: bias, dtype, generator',
    );
  });
  it("known options of the wrong kind are named", () => {
    expect(errorOf(() => new Linear(2, 3, { bias: "no" as never })).message).toBe(
      'Linear: bias must be a boolean, got string "no"',
    );
    expect(errorOf(() => new Linear(2, 3, { generator: Math as never })).message).toBe(
      "Linear: generator must have random() and normal() methods (e.g. a Generator), got an object",
    );
    expect(errorOf(() => init.uniform(w(), { generator: 1 as never })).message).toBe(
      "uniform: generator must have random() and normal() methods (e.g. a Generator), got number 1",
    );
    expect(errorOf(() => lin().zeroGrad({ setToNone: 0 as never })).message).toBe(
      "zeroGrad: setToNone must be a boolean, got number 0",
    );
    expect(new Linear(2, 3, { generator: new Generator(0) }).weight.shape).toEqual([3, 2]);
  });
  it("MLP sizes are a frozen copy", () => {
    const sizes = [2, 3, 1];
    const m = new MLP(sizes);
    sizes[0] = 9;
    expect(m.sizes).toEqual([2, 3, 1]);
    expect(Object.isFrozen(m.sizes)).toBe(true);
  });
});

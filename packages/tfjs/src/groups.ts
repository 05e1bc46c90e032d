import type { ParamGroupInput } from "@descent/optim";
import { show } from "./show.js";
import type { VariableParam } from "./variable-param.js";

/** Which variables a param group takes, by variable name. */
export type VariableMatcher = RegExp | string | readonly string[] | ((name: string) => boolean);

/**
 * A param group chosen by variable name, with the options it overrides (camelCase PyTorch names,
 * e.g. `{ match: /\/bias$/, weightDecay: 0 }`). `match` is a regular expression tested against the
 * name, an exact name, a list of names, or a predicate.
 */
export interface GroupSpec {
  match: VariableMatcher;
  [option: string]: unknown;
}

function matcher(match: VariableMatcher, where: string): (name: string) => boolean {
  if (match instanceof RegExp) {
    // A fresh, non-global copy: `test` of a /g or /y pattern depends on lastIndex.
    const re = new RegExp(match.source, match.flags.replace(/[gy]/g, ""));
    return (name) => re.test(name);
  }
  if (typeof match === "string") return (name) => name === match;
  if (typeof match === "function") return (name) => match(name) === true;
  if (Array.isArray(match) && match.every((m) => typeof m === "string")) {
    const names = new Set(match as readonly string[]);
    return (name) => names.has(name);
  }
  throw new TypeError(
    `${where}.match must be a RegExp, a variable name, a list of names or a function, got ${show(match)}`,
  );
}

/**
 * Sorts `params` into Descent param groups: each variable goes to the first spec whose `match`
 * accepts its name; the rest form the default group (the rule's own options), which comes first.
 * A spec that matches no variable is an error (a misspelled pattern would otherwise change nothing).
 */
export function buildGroups(
  params: readonly VariableParam[],
  specs: readonly GroupSpec[],
): ParamGroupInput[] {
  if (!Array.isArray(specs)) throw new TypeError(`groups must be an array, got ${show(specs)}`);
  const tests = specs.map((spec, g) => {
    if (typeof spec !== "object" || spec === null || !("match" in spec)) {
      throw new TypeError(`groups[${g}] must be an object with match, got ${show(spec)}`);
    }
    return matcher(spec.match, `groups[${g}]`);
  });
  const members: VariableParam[][] = specs.map(() => []);
  const rest: VariableParam[] = [];
  for (const p of params) {
    const g = tests.findIndex((test) => test(p.name));
    (g < 0 ? rest : members[g]).push(p);
  }
  members.forEach((list, g) => {
    if (list.length === 0) {
      const names = params.map((p) => p.name).join(", ");
      throw new RangeError(
        `groups[${g}].match ${show(specs[g].match)} matches none of the variables (${names})`,
      );
    }
  });
  const groups: { params: VariableParam[]; [option: string]: unknown }[] = [];
  if (rest.length > 0) groups.push({ params: rest });
  specs.forEach((spec, g) => {
    const { match: _, ...options } = spec;
    groups.push({ ...options, params: members[g] });
  });
  return groups;
}

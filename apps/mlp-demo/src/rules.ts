import { OPTIMIZER_CATALOG, type OptimizerEntry } from "@descent/optim";
import { didYouMean } from "./suggest.js";

/*
 * The demo's only view of the optimizer rules: `@descent/optim`'s catalog. Every list of rules,
 * name, summary and hyperparameter the command line, the help text and the reports show comes
 * from here, so a rule added to the catalog appears in the demo with no edit of the demo.
 */

/** The catalog's rule ids, in catalog order: `sgd`, `momentum`, ..., `adam`, ... */
export function ruleIds(): string[] {
  return OPTIMIZER_CATALOG.map((e) => e.id);
}

/** Every catalog entry, in catalog order. */
export function ruleEntries(): readonly OptimizerEntry[] {
  return OPTIMIZER_CATALOG;
}

/**
 * Why `id` is not a rule of the catalog, in the words of the catalog's own `optimizerEntry` (the
 * id, the closest known one, the list), or null if it is one. Built from the exported list, so it
 * names exactly the rules the demo offers.
 */
export function unknownRule(id: string): string | null {
  const ids = ruleIds();
  if (ids.includes(id)) return null;
  return `unknown optimizer ${JSON.stringify(id)}${didYouMean(id, ids)} (one of: ${ids.join(", ")})`;
}

/**
 * The catalog entry of rule `id`.
 *
 * @throws RangeError with the catalog's message for an unknown id.
 */
export function ruleEntry(id: string): OptimizerEntry {
  const entry = OPTIMIZER_CATALOG.find((e) => e.id === id);
  if (entry !== undefined) return entry;
  throw new RangeError(unknownRule(id) ?? `unknown optimizer ${JSON.stringify(id)}`);
}

/** The display name of rule `id` (`"SGD + momentum"`), or the id itself if it is not in the catalog. */
export function ruleName(id: string): string {
  return OPTIMIZER_CATALOG.find((e) => e.id === id)?.name ?? id;
}

/** The first sentence of a rule's summary: a one-line description for lists. */
export function firstSentence(text: string): string {
  const m = /^.*?[.!?](?=\s|$)/s.exec(text.trim());
  return (m ? m[0] : text.trim()).replace(/\s+/g, " ");
}

/**
 * Table look-ups that only ever see a table's own entries. A name from a file or the command
 * line such as `constructor` or `__proto__` would otherwise find Object.prototype's members
 * (`DATASET_DEFAULTS["constructor"]` is a function, not undefined).
 */

/** `table[key]` if `key` is one of the table's own keys, else undefined. */
export function lookup<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** `table[key]`, or an Error naming `what` and the valid keys. */
export function lookupOrThrow<V>(table: Readonly<Record<string, V>>, key: string, what: string): V {
  if (!Object.hasOwn(table, key)) {
    throw new Error(`unknown ${what} ${JSON.stringify(key)}; valid: ${Object.keys(table).join(", ")}`);
  }
  return table[key];
}

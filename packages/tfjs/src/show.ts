/** Formats a received value for an error message: strings quoted, arrays listed, objects by class. */
export function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value instanceof RegExp) return String(value);
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return String(value);
}

/** A shape as TF.js prints it: `[784,10]`. */
export function showShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

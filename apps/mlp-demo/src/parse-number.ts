/** Strict number parsing for the command line: "1e-3" and "0.5" yes; "", "1x", "0x10", " 1" no (NaN). */
export function parseNumber(raw: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return Number.NaN;
  return Number(raw);
}

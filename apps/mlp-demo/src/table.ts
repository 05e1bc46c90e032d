/**
 * A plain-text table with aligned columns: text columns left-aligned, columns whose cells all look
 * numeric right-aligned.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((r) => /^[-+\d.,%e—]|^never$/.test(r[c])),
  );
  const fmtRow = (r: readonly string[]) =>
    r
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  return `${[fmtRow(header), rule, ...rows.map(fmtRow)].join("\n")}\n`;
}

import { join } from "node:path";
import { writeFilesAtomic } from "../atomic.js";
import { type ReportData, reportHtml } from "./html.js";
import { chartPng } from "./png-chart.js";

/** Lower-case, dash-separated file stem of a chart title: "Test accuracy" → "test-accuracy". */
export function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * Writes `report.html`, one PNG per chart and the `extra` files (e.g. `results.json`) into `dir`:
 * each file atomically, the set renamed into place under one lock, so two runs writing the same
 * directory leave one run's complete report. Returns the paths written: the PNGs, the extras, the
 * HTML last.
 */
export function writeReport(
  dir: string,
  data: Omit<ReportData, "pngs">,
  extra: Readonly<Record<string, string | Uint8Array>> = {},
): string[] {
  const files: Record<string, string | Uint8Array> = {};
  const pngs: string[] = [];
  for (const chart of data.charts) {
    const name = `${slug(chart.title)}.png`;
    files[name] = chartPng(chart);
    pngs.push(name);
  }
  Object.assign(files, extra);
  files["report.html"] = reportHtml({ ...data, pngs });
  writeFilesAtomic(dir, files);
  return Object.keys(files).map((f) => join(dir, f));
}
